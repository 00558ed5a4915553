# Hotline 12345. `make run` serves the whole platform locally; `make test` runs every test.
GO       ?= go
FUNCTIONS := $(notdir $(wildcard functions/*))
DIST     := dist
LDFLAGS  := -s -w -buildid=

.PHONY: run test lint fmt vet staticcheck build clean token fuzz

run:
	$(GO) run ./cmd/hotline serve

test: lint
	$(GO) test -count=1 ./...

lint: fmt vet staticcheck

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) tool staticcheck ./...

# One bootstrap per function for Lambda's provided.al2023 runtime on arm64.
build:
	@for f in $(FUNCTIONS); do \
		echo "build $$f"; \
		CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -trimpath -ldflags '$(LDFLAGS)' \
			-o $(DIST)/$$f/bootstrap ./functions/$$f || exit 1; \
	done

token:
	@$(GO) run ./cmd/hotline token --role $(or $(ROLE),operator) $(if $(DEPT),--dept $(DEPT))

# Short fuzzing pass over every fuzz target (make fuzz FUZZTIME=1m for longer).
FUZZTIME ?= 10s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
			echo "fuzz $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

clean:
	rm -rf $(DIST)

# Workflow interpreter throughput next to aws-local-stepfunctions 3.0.0 running
# the same 5-state machine with an identity Lambda (bench/asl-peer), in one run.
.PHONY: bench-asl
bench-asl:
	$(GO) test -bench '^BenchmarkExecute$$' -run '^$$' -benchtime 3s ./internal/asl
	cd bench/asl-peer && npm ci --no-audit --no-fund --loglevel=error && node bench.mjs 20000
