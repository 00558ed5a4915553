// Package config reads a function's settings from its environment once, at start,
// and fails fast naming every missing variable. Handlers never read the
// environment themselves.
package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hotline12345/hotline/internal/app/limits"
)

// Environment variable names. The SAM template sets the same names.
const (
	EnvRegion          = "AWS_REGION"
	EnvEndpointURL     = "HOTLINE_ENDPOINT_URL"
	EnvTable           = "HOTLINE_TABLE"
	EnvStateMachineArn = "HOTLINE_STATE_MACHINE_ARN"
	EnvSealKey         = "HOTLINE_SEAL_KEY"
	EnvKMSKeyID        = "HOTLINE_KMS_KEY_ID"
	EnvJWTIssuer       = "HOTLINE_JWT_ISSUER"
	EnvJWTAudience     = "HOTLINE_JWT_AUDIENCE"
	EnvJWKSURL         = "HOTLINE_JWKS_URL"
	EnvBlindKey        = "HOTLINE_BLIND_KEY"
	EnvSenderEmail     = "HOTLINE_SENDER_EMAIL"
	EnvSESConfigSet    = "HOTLINE_SES_CONFIGURATION_SET"
	EnvSMSEnabled      = "HOTLINE_SMS_ENABLED"
	EnvQueuePrefix     = "HOTLINE_QUEUE_PREFIX"
	EnvLogLevel        = "HOTLINE_LOG_LEVEL"
	// EnvLimits overrides abuse limits: name=count/window,… (package limits).
	EnvLimits = "HOTLINE_LIMITS"
)

// EnvMetricsNamespace is the CloudWatch namespace of the functions' EMF
// metrics; empty writes none (tests, a deployment without them).
const EnvMetricsNamespace = "HOTLINE_METRICS_NAMESPACE"

// EnvOTLPEndpoint, when set, sends each function's traces there over
// OTLP/HTTP (the ADOT collector layer in AWS, a self-hosted collector in
// China); unset, nothing is traced. OpenTelemetry's exporter reads it and the
// other OTEL_EXPORTER_OTLP_* variables itself.
// wiring.Handle reads it for every function. It is in no Optional list yet
// because the template sets it nowhere (infra's cross-check requires every
// listed variable to be set): list it for every function when the template
// gains a collector endpoint parameter.
const EnvOTLPEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT"

// Required lists, per function, the variables it cannot start without.
var Required = map[string][]string{
	"intake":   {EnvRegion, EnvTable, EnvStateMachineArn, EnvBlindKey, EnvSenderEmail},
	"review":   {EnvRegion, EnvTable, EnvBlindKey},
	"dispatch": {EnvRegion, EnvTable, EnvBlindKey, EnvQueuePrefix},
	"feedback": {EnvRegion, EnvTable, EnvBlindKey, EnvSenderEmail},
	"api":      {EnvRegion, EnvTable, EnvBlindKey, EnvQueuePrefix},
	"sweep":    {EnvRegion, EnvTable, EnvBlindKey, EnvQueuePrefix, EnvStateMachineArn},
	// The optional-staff authorizer of the HTTP API (infra/template.yaml) touches
	// no table and no AWS API: it checks tokens against the identity provider.
	"authorizer": {EnvJWTIssuer, EnvJWTAudience},
}

// Optional lists variables a function reads when they are set. Every function
// listing HOTLINE_KMS_KEY_ID seals contact data and needs at least one sealing key source, which Load
// enforces: HOTLINE_KMS_KEY_ID (production: envelope encryption with KMS data
// keys) or HOTLINE_SEAL_KEY (local mode: a base64 AES-256 key). With both, KMS
// seals and the local key still opens values sealed before the switch.
var Optional = map[string][]string{
	"intake":   {EnvEndpointURL, EnvLogLevel, EnvMetricsNamespace, EnvKMSKeyID, EnvSealKey, EnvSESConfigSet, EnvSMSEnabled, EnvLimits},
	"review":   {EnvEndpointURL, EnvLogLevel, EnvMetricsNamespace, EnvKMSKeyID, EnvSealKey},
	"dispatch": {EnvEndpointURL, EnvLogLevel, EnvMetricsNamespace, EnvKMSKeyID, EnvSealKey},
	"feedback": {EnvEndpointURL, EnvLogLevel, EnvMetricsNamespace, EnvKMSKeyID, EnvSealKey, EnvSESConfigSet, EnvSMSEnabled, EnvLimits},
	"api":      {EnvEndpointURL, EnvLogLevel, EnvMetricsNamespace, EnvKMSKeyID, EnvSealKey, EnvLimits},
	"sweep":    {EnvEndpointURL, EnvLogLevel, EnvMetricsNamespace, EnvKMSKeyID, EnvSealKey},
	// HOTLINE_JWKS_URL defaults to <issuer>/.well-known/jwks.json.
	"authorizer": {EnvJWKSURL, EnvLogLevel, EnvMetricsNamespace},
}

// Config is every setting any function uses; each function fills what it needs.
type Config struct {
	Function        string
	Region          string
	EndpointURL     string
	Table           string
	StateMachineArn string
	SealKey         string
	KMSKeyID        string
	BlindKey        string
	SenderEmail     string
	SESConfigSet    string
	SMSEnabled      bool
	JWTIssuer       string
	JWTAudience     string
	JWKSURL         string
	QueuePrefix     string
	LogLevel        string
	Limits          limits.Rules

	// MetricsNamespace is HOTLINE_METRICS_NAMESPACE; "" means no metrics.
	MetricsNamespace string
}

// MissingError names the function and every variable it lacks.
type MissingError struct {
	Function string
	Names    []string
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("%s: missing required environment variables: %s", e.Function, strings.Join(e.Names, ", "))
}

// InvalidError names a variable whose value cannot be used.
type InvalidError struct {
	Name, Reason string
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("environment variable %s: %s", e.Name, e.Reason)
}

// Load reads the configuration of one function.
func Load(function string, getenv func(string) string) (Config, error) {
	required, ok := Required[function]
	if !ok {
		return Config{}, fmt.Errorf("config: unknown function %q", function)
	}
	var missing []string
	for _, n := range required {
		if strings.TrimSpace(getenv(n)) == "" {
			missing = append(missing, n)
		}
	}
	if slices.Contains(Optional[function], EnvKMSKeyID) && strings.TrimSpace(getenv(EnvKMSKeyID)) == "" && strings.TrimSpace(getenv(EnvSealKey)) == "" {
		missing = append([]string{EnvKMSKeyID + " or " + EnvSealKey}, missing...)
	}
	if len(missing) > 0 {
		return Config{}, &MissingError{Function: function, Names: missing}
	}
	c := Config{
		Function:        function,
		Region:          strings.TrimSpace(getenv(EnvRegion)),
		EndpointURL:     strings.TrimSpace(getenv(EnvEndpointURL)),
		Table:           strings.TrimSpace(getenv(EnvTable)),
		StateMachineArn: strings.TrimSpace(getenv(EnvStateMachineArn)),
		SealKey:         strings.TrimSpace(getenv(EnvSealKey)),
		KMSKeyID:        strings.TrimSpace(getenv(EnvKMSKeyID)),
		JWTIssuer:       strings.TrimSpace(getenv(EnvJWTIssuer)),
		JWTAudience:     strings.TrimSpace(getenv(EnvJWTAudience)),
		JWKSURL:         strings.TrimSpace(getenv(EnvJWKSURL)),
		BlindKey:        strings.TrimSpace(getenv(EnvBlindKey)),
		SenderEmail:     strings.TrimSpace(getenv(EnvSenderEmail)),
		SESConfigSet:    strings.TrimSpace(getenv(EnvSESConfigSet)),
		QueuePrefix:     strings.TrimSpace(getenv(EnvQueuePrefix)),
		LogLevel:        strings.TrimSpace(getenv(EnvLogLevel)),
	}
	c.MetricsNamespace = strings.TrimSpace(getenv(EnvMetricsNamespace))
	if err := checkNamespace(c.MetricsNamespace); err != nil {
		return Config{}, &InvalidError{Name: EnvMetricsNamespace, Reason: err.Error()}
	}
	if v := strings.TrimSpace(getenv(EnvSMSEnabled)); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Config{}, &InvalidError{Name: EnvSMSEnabled, Reason: "must be true or false"}
		}
		c.SMSEnabled = b
	}
	rules, err := limits.Parse(getenv(EnvLimits))
	if err != nil {
		return Config{}, &InvalidError{Name: EnvLimits, Reason: err.Error()}
	}
	c.Limits = rules
	switch strings.ToLower(c.LogLevel) {
	case "", "debug", "info", "warn", "error":
	default:
		return Config{}, &InvalidError{Name: EnvLogLevel, Reason: "must be debug, info, warn or error"}
	}
	return c, nil
}

// checkNamespace applies CloudWatch's rules to a metric namespace at start:
// CloudWatch would drop every EMF line of a bad one without a word.
func checkNamespace(ns string) error {
	if len(ns) > 255 {
		return fmt.Errorf("at most 255 characters")
	}
	if strings.HasPrefix(ns, "AWS/") {
		return fmt.Errorf("the AWS/ prefix is reserved for AWS's own metrics")
	}
	for _, r := range ns {
		if r < 0x20 || r > 0x7e {
			return fmt.Errorf("printable ASCII only")
		}
	}
	return nil
}
