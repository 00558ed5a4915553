package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// SecretsAPI is the part of *secretsmanager.Client the notifiers use.
type SecretsAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// SecretsClient builds a Secrets Manager client.
func SecretsClient(cfg aws.Config, optFns ...func(*secretsmanager.Options)) *secretsmanager.Client {
	return secretsmanager.NewFromConfig(cfg, optFns...)
}

// TencentCredentials is the Tencent Cloud API key kept as a JSON secret
// {"secretId":"…","secretKey":"…"}.
type TencentCredentials struct {
	SecretID  string `json:"secretId"`
	SecretKey string `json:"secretKey"`
}

// SMTPCredentials is the SMTP login kept as a JSON secret
// {"username":"…","password":"…"}.
type SMTPCredentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// ReadSecretJSON reads the JSON secret arn into v, once, at a function's
// cold start. Errors name the secret, never its value (json's own errors
// quote no input, but a wrong type would echo a field's name only).
func ReadSecretJSON(ctx context.Context, api SecretsAPI, arn string, v any) error {
	if arn == "" {
		return errors.New("notify: no secret named")
	}
	out, err := api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		return fmt.Errorf("notify: read secret %s: %w", arn, &SendError{Op: "secretsmanager get secret value", Err: err})
	}
	if out.SecretString == nil {
		return fmt.Errorf("notify: secret %s has no string value (a binary secret?)", arn)
	}
	if err := json.Unmarshal([]byte(*out.SecretString), v); err != nil {
		return fmt.Errorf("notify: secret %s is not the expected JSON object", arn)
	}
	return nil
}
