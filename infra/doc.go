// Package infra holds the AWS SAM template (template.yaml) of the production
// stack and, in its tests, the offline checks that keep the template, the code
// and the workflow definition in step: goformation parsing with strict property
// checks, environment variables, routes, table schema, IAM actions derived from
// the code, asl-validator, and the built bootstraps under the Lambda Runtime
// Interface Emulator. It has no code of its own.
package infra
