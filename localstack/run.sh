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

export AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
STAGE=ls
STACK=hotline-$STAGE
# Staff tokens on LocalStack: the e2e suite signs HS256 tokens with this secret;
# LocalStack's JWT authorizer is pointed at the same issuer/audience.
export HOTLINE_JWT_SECRET="${HOTLINE_JWT_SECRET:-localstack-e2e-secret}"

docker compose -f localstack/docker-compose.yml up -d --wait
trap 'docker compose -f localstack/docker-compose.yml logs --tail 200 localstack > localstack/last-run.log 2>&1 || true' EXIT

make build
(cd infra && samlocal deploy --stack-name "$STACK" --resolve-s3 --capabilities CAPABILITY_IAM --no-confirm-changeset \
	--no-fail-on-empty-changeset --parameter-overrides Stage=$STAGE SenderEmail=noreply@example.gov.cn \
	JwtIssuer=hotline-local JwtAudience=hotline-api CreateSenderIdentity=false)

out() { awslocal cloudformation describe-stacks --stack-name "$STACK" --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text; }
API_URL=$(out ApiUrl)
TABLE=$(out TableName)
awslocal ses verify-email-identity --email-address noreply@example.gov.cn

# Seed the catalog (departments, categories, routing rules) into the table.
go run ./localstack/seed -table "$TABLE" -endpoint http://localhost:4566

HOTLINE_E2E_API_URL="$API_URL" HOTLINE_E2E_EDGE_URL="http://localhost:4566" \
	go test -count=1 -v ./e2e/ 2>&1 | tee localstack/e2e.log
echo "localstack: e2e ran against $API_URL (table $TABLE); see localstack/e2e.log"
