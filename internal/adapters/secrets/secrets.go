// Package secrets reads the JSON secrets functions keep their third-party
// credentials in (Secrets Manager), once, at cold start. It is apart from the
// notifiers so a function that needs a secret links no mail or SMS client.
package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/smithy-go"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// API is the part of *secretsmanager.Client the notifiers use.
type API interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Client builds a Secrets Manager client.
func Client(cfg aws.Config, optFns ...func(*secretsmanager.Options)) *secretsmanager.Client {
	return secretsmanager.NewFromConfig(cfg, optFns...)
}

// TencentCredentials is the Tencent Cloud API key kept as a JSON secret
// {"secretId":"…","secretKey":"…","callbackToken":"…"}; the callback token
// ends the delivery-receipt URL (package smsreceipt).
type TencentCredentials struct {
	SecretID      string `json:"secretId"`
	SecretKey     string `json:"secretKey"`
	CallbackToken string `json:"callbackToken"`
}

// SMTPCredentials is the SMTP login kept as a JSON secret
// {"username":"…","password":"…"}.
type SMTPCredentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// ReadJSON reads the JSON secret arn into v, once, at a function's
// cold start. Errors name the secret, never its value (json's own errors
// quote no input, but a wrong type would echo a field's name only).
func ReadJSON(ctx context.Context, api API, arn string, v any) error {
	if arn == "" {
		return errors.New("secrets: no secret named")
	}
	out, err := api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		// The code, not the message: keep error text to what is ours.
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) {
			return fmt.Errorf("secrets: read %s: AWS error %s: %w", arn, apiErr.ErrorCode(), err)
		}
		return fmt.Errorf("secrets: read %s: %w", arn, err)
	}
	if out.SecretString == nil {
		return fmt.Errorf("secrets: %s has no string value (a binary secret?)", arn)
	}
	if err := json.Unmarshal([]byte(*out.SecretString), v); err != nil {
		return fmt.Errorf("secrets: %s is not the expected JSON object", arn)
	}
	return nil
}
