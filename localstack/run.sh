#!/usr/bin/env bash
# make localstack: start LocalStack (docker-compose.yml), build and deploy
# infra/template.yaml into it, seed the catalog, and run the end-to-end suite
# (e2e/) against the deployed HTTP API. Without Docker or a LocalStack auth
# token it says so in one line and exits 0 without claiming anything passed.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker >/dev/null || ! docker info >/dev/null 2>&1; then
	echo "localstack: SKIPPED (not run): no usable Docker daemon here"; exit 0
fi
if [ -z "${LOCALSTACK_AUTH_TOKEN:-}" ]; then
	echo "localstack: SKIPPED (not run): LOCALSTACK_AUTH_TOKEN is not set"; exit 0
fi
for tool in samlocal awslocal; do
	command -v "$tool" >/dev/null || { echo "localstack: needs $tool (pip install aws-sam-cli-local awscli-local)"; exit 1; }
done
command -v curl >/dev/null || { echo "localstack: needs curl"; exit 1; }

export AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
STAGE=ls
STACK=hotline-$STAGE
LOGS=${LOCALSTACK_LOG_DIR:-localstack}   # last-run.log, e2e.log
WORK=$(mktemp -d)                         # the throwaway issuer key and documents
trap 'docker compose -f localstack/docker-compose.yml logs --tail 200 localstack > "$LOGS/last-run.log" 2>&1 || true; rm -rf "$WORK"' EXIT

docker compose -f localstack/docker-compose.yml up -d --wait

# Staff tokens. The deployed API checks RS256 tokens against an issuer's keys:
# API Gateway's JWT authorizer (staff routes, inside LocalStack) reads
# <issuer>/.well-known/openid-configuration and its jwks_uri; the optional-staff
# Lambda authorizer (a container LocalStack starts) fetches JwksUrl. A throwaway
# RSA key stands in for the identity provider: its discovery document and JWKS
# are public-read objects in a LocalStack S3 bucket, addressed path-style on
# s3.localhost.localstack.cloud, which resolves to 127.0.0.1 on this host and in
# the LocalStack container, and to the LocalStack container inside the
# containers LocalStack starts. A new issuer path per run means no authorizer
# keeps an old run's keys.
ISSUER_BUCKET=hotline-$STAGE-issuer
ISSUER_PREFIX=run-$(date +%Y%m%d%H%M%S)
ISSUER=http://s3.localhost.localstack.cloud:4566/$ISSUER_BUCKET/$ISSUER_PREFIX
AUDIENCE=hotline-api
JWKS_URL=$ISSUER/.well-known/jwks.json
go run ./cmd/hotline jwks --generate --key "$WORK/issuer-key.pem" --issuer "$ISSUER" --jwks-url "$JWKS_URL" --out "$WORK/issuer"
awslocal s3api head-bucket --bucket "$ISSUER_BUCKET" >/dev/null 2>&1 || awslocal s3api create-bucket --bucket "$ISSUER_BUCKET" >/dev/null
for doc in openid-configuration jwks.json; do
	awslocal s3api put-object --bucket "$ISSUER_BUCKET" --key "$ISSUER_PREFIX/.well-known/$doc" \
		--body "$WORK/issuer/.well-known/$doc" --content-type application/json --acl public-read >/dev/null
done
# Fetch both without credentials, from here and from inside LocalStack, as the authorizers will.
for url in "$ISSUER/.well-known/openid-configuration" "$JWKS_URL"; do
	curl -sf "$url" >/dev/null || { echo "localstack: $url is not readable from this host"; exit 1; }
	docker compose -f localstack/docker-compose.yml exec -T localstack curl -sf "$url" >/dev/null ||
		{ echo "localstack: $url is not readable inside the LocalStack container"; exit 1; }
done

# sam build runs the Makefile's build-<function> targets (BuildMethod makefile).
samlocal build --template infra/template.yaml
(cd infra && samlocal deploy --template-file ../.aws-sam/build/template.yaml --stack-name "$STACK" --resolve-s3 --capabilities CAPABILITY_IAM --no-confirm-changeset \
	--no-fail-on-empty-changeset --parameter-overrides Stage=$STAGE SenderEmail=noreply@example.gov.cn \
	JwtIssuer="$ISSUER" JwtAudience=$AUDIENCE JwksUrl="$JWKS_URL" CreateSenderIdentity=false)

out() { awslocal cloudformation describe-stacks --stack-name "$STACK" --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text; }
API_URL=$(out ApiUrl)
TABLE=$(out TableName)
awslocal ses verify-email-identity --email-address noreply@example.gov.cn

# Seed the catalog (departments, categories, routing rules) into the table.
go run ./localstack/seed -table "$TABLE" -endpoint http://localhost:4566

# The suite signs its staff tokens RS256 with the issuer's key (e2e start()).
HOTLINE_E2E_API_URL="$API_URL" HOTLINE_E2E_EDGE_URL="http://localhost:4566" \
	HOTLINE_E2E_TOKEN_KEY="$WORK/issuer-key.pem" HOTLINE_E2E_TOKEN_ISSUER="$ISSUER" HOTLINE_E2E_TOKEN_AUDIENCE="$AUDIENCE" \
	go test -count=1 -v ./e2e/ 2>&1 | tee "$LOGS/e2e.log"
echo "localstack: e2e ran against $API_URL (table $TABLE); see $LOGS/e2e.log"
