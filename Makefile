# Hotline 12345. `make run` serves the whole platform locally; `make test` runs every test;
# `make` or `make help` lists the targets.
GO       ?= go
FUNCTIONS := $(notdir $(wildcard functions/*))
DIST     := dist
LDFLAGS  := -s -w -buildid=

.PHONY: help run test lint fmt vet staticcheck build reproducible deploy site localstack clean token fuzz

# A bare `make` explains rather than starts servers.
.DEFAULT_GOAL := help

help:  ## list the targets (this)
	@echo 'make <target>; `make run` serves the platform, `make test` runs every test.'
	@awk -F':.*## ' '/^[a-z][a-z-]*:.*## / {printf "  %-13s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run:  ## the whole platform on this machine (hotline serve): API on :8080, AWS edge on :4566, data kept in hotline-data/
	$(GO) run ./cmd/hotline serve

# The race detector is on: the concurrency tests (racing requests, concurrent
# workflow steps) prove most with it.
test: lint  ## gofmt, go vet, staticcheck, then every test with the race detector
	$(GO) test -race -count=1 ./...

lint: fmt vet staticcheck  ## gofmt, go vet and staticcheck

fmt:  ## list Go files gofmt would change (fails if any)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:  ## go vet ./...
	$(GO) vet ./...

staticcheck:  ## staticcheck ./...
	$(GO) tool staticcheck ./...

# One bootstrap per function for Lambda's provided.al2023 runtime on arm64:
# static, stripped, no build id, no VCS stamp and no local paths, so the same
# source gives the same bytes (make reproducible proves it).
BUILDFLAGS := -tags lambda.norpc,nodynamic -trimpath -buildvcs=false -ldflags '$(LDFLAGS)'
build:  ## one Lambda bootstrap per function under dist/ (linux/arm64)
	@for f in $(FUNCTIONS); do \
		echo "build $$f"; \
		CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build $(BUILDFLAGS) -o $(DIST)/$$f/bootstrap ./functions/$$f || exit 1; \
	done

# sam build (BuildMethod makefile, CodeUri .. in infra/template.yaml) copies the
# repository and runs build-<logical id> in the copy with ARTIFACTS_DIR set: the same
# bootstrap as make build. build-IntakeFunction builds functions/intake, and so on. SAM
# builds every makefile function on its own, never sharing one artifact between
# functions of the same CodeUri (aws-sam-cli samcli/lib/build/build_graph.py,
# FunctionBuildDefinition.__eq__).
ARTIFACTS_DIR ?= $(DIST)/sam
build-%Function:
	@f=$$(echo '$*' | tr '[:upper:]' '[:lower:]'); test -d functions/$$f || { echo "no functions/$$f for $@"; exit 1; }; \
	echo "build $$f -> $(ARTIFACTS_DIR)/bootstrap"; \
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build $(BUILDFLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/$$f

# Builds twice, the second time with an empty build cache, and compares bytes.
reproducible:  ## build twice and compare bytes
	@tmp=$$(mktemp -d); trap 'chmod -R u+w '"$$tmp"'; rm -rf '"$$tmp" EXIT; \
	for f in $(FUNCTIONS); do \
		CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build $(BUILDFLAGS) -o $$tmp/a/$$f ./functions/$$f || exit 1; \
		CGO_ENABLED=0 GOOS=linux GOARCH=arm64 GOCACHE=$$tmp/cache $(GO) build $(BUILDFLAGS) -o $$tmp/b/$$f ./functions/$$f || exit 1; \
		if cmp -s $$tmp/a/$$f $$tmp/b/$$f; then echo "reproducible $$f $$(sha256sum < $$tmp/a/$$f | cut -c1-16) $$(stat -c %s $$tmp/a/$$f) bytes"; \
		else echo "NOT reproducible: $$f"; exit 1; fi; \
	done

# Each bootstrap's size and the AWS service clients linked into it (from the
# binary's build info): one binary per function, each with only what it needs.
.PHONY: sizes
sizes:  ## each bootstrap's size and the AWS clients linked into it
	@tmp=$$(mktemp -d); trap 'rm -rf '"$$tmp" EXIT; \
	for f in $(FUNCTIONS); do \
		CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build $(BUILDFLAGS) -o $$tmp/$$f ./functions/$$f || exit 1; \
		printf '%-11s %9s bytes  %s\n' $$f $$(stat -c %s $$tmp/$$f) "$$($(GO) version -m $$tmp/$$f | awk '$$1 == "dep" && $$2 ~ /aws-sdk-go-v2\/service\/[a-z0-9]+$$/ {sub(/.*\//, "", $$2); printf "%s ", $$2}')"; \
	done

# sam deploy with infra/samconfig.toml; the first run asks for the parameters
# (make deploy GUIDED=1 to change them later).
# Then publishes the pages (make site).
deploy:  ## sam build, sam deploy (GUIDED=1, STAGE=…), then make site
	sam build --template infra/template.yaml
	cd infra && sam deploy --template-file ../.aws-sam/build/template.yaml $(if $(GUIDED),--guided) --config-file samconfig.toml $(if $(STAGE),--config-env $(STAGE))
	$(MAKE) site

# The pages as the static site of the deployed stack (hotline-<stage>, as in
# infra/samconfig.toml): `hotline site` writes the embedded files and a config.json
# naming the stack's API, issuer and the console's OIDC sign-in (client id: the
# JwtAudience parameter unless OIDC_CLIENT_ID is given; endpoints from the issuer's
# discovery document; OIDC_SCOPE, OIDC_TOKEN_USE optional), aws s3 sync publishes
# exactly those files, and CloudFront drops what it cached.
STACK ?= hotline-$(or $(STAGE),prod)
site:  ## publish the pages to the deployed stack's bucket (STACK=…)
	@set -e; \
	output() { aws cloudformation describe-stacks --stack-name $(STACK) --output text \
		--query "Stacks[0].$$1[?$$2=='$$3'].$$4"; }; \
	api=$$(output Outputs OutputKey ApiUrl OutputValue); \
	issuer=$$(output Parameters ParameterKey JwtIssuer ParameterValue); \
	client=$$(output Parameters ParameterKey JwtAudience ParameterValue); \
	signin=$$(output Parameters ParameterKey StaffSignInOrigin ParameterValue); \
	media=$$(output Outputs OutputKey MediaOrigin OutputValue); \
	bucket=$$(output Outputs OutputKey SiteBucketName OutputValue); \
	dist=$$(output Outputs OutputKey SiteDistributionId OutputValue); \
	rm -rf $(DIST)/site; \
	$(GO) run ./cmd/hotline site --out $(DIST)/site --api "$$api" --issuer "$$issuer" \
		--client-id "$(or $(OIDC_CLIENT_ID),$$client)" --signin-origin "$$signin" --media "$$media" \
		$(if $(OIDC_SCOPE),--scope "$(OIDC_SCOPE)") $(if $(OIDC_TOKEN_USE),--token-use "$(OIDC_TOKEN_USE)"); \
	aws s3 sync --delete --cache-control no-cache $(DIST)/site "s3://$$bucket"; \
	aws cloudfront create-invalidation --distribution-id "$$dist" --paths '/*' >/dev/null; \
	echo "pages published: $$(output Outputs OutputKey SiteUrl OutputValue)"

# LocalStack: start it, deploy infra/template.yaml, seed, run e2e/ against it.
localstack:  ## LocalStack: deploy infra/template.yaml, seed, run e2e/
	@./localstack/run.sh

token:  ## print a staff token (ROLE=operator, DEPT=market)
	@$(GO) run ./cmd/hotline token --role $(or $(ROLE),operator) $(if $(DEPT),--dept $(DEPT))

# Short fuzzing pass over every fuzz target (make fuzz FUZZTIME=1m for longer).
FUZZTIME ?= 10s
fuzz:  ## a short pass over every fuzz target (FUZZTIME=10s)
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
			echo "fuzz $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

clean:  ## remove dist/ and sam build's .aws-sam/
	rm -rf $(DIST) .aws-sam

# Workflow interpreter throughput next to aws-local-stepfunctions 3.0.0 running
# the same 5-state machine with an identity Lambda (bench/asl-peer), in one run.
.PHONY: bench-asl
bench-asl:  ## workflow interpreter throughput beside aws-local-stepfunctions
	$(GO) test -bench '^BenchmarkExecute$$' -run '^$$' -benchtime 3s ./internal/localmode/asl
	cd bench/asl-peer && npm ci --no-audit --no-fund --loglevel=error && node bench.mjs 20000
