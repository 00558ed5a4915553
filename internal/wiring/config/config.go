// Package config reads a function's settings from its environment once, at start,
// and fails fast naming every missing variable. Handlers never read the
// environment themselves.
package config

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/hotline12345/hotline/internal/app/limits"
	"github.com/hotline12345/hotline/internal/app/ports"
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
	// EnvSMSChannel picks who sends SMS: off (default), sns, or tencent
	// (Tencent Cloud SMS, for the China regions where SNS sends no SMS).
	EnvSMSChannel = "HOTLINE_SMS_CHANNEL"
	// EnvMailChannel picks who sends e-mail: ses (default) or smtp (the
	// China regions have no SES).
	EnvMailChannel   = "HOTLINE_MAIL_CHANNEL"
	EnvSMTPHost      = "HOTLINE_SMTP_HOST"
	EnvSMTPPort      = "HOTLINE_SMTP_PORT"
	EnvSMTPTLS       = "HOTLINE_SMTP_TLS"
	EnvSMTPSecretArn = "HOTLINE_SMTP_SECRET_ARN"
	// EnvTencentSMSSecretArn names a JSON secret {"secretId","secretKey"}
	// (and "callbackToken", which guards the delivery-receipt route).
	EnvTencentSMSSecretArn = "HOTLINE_TENCENT_SMS_SECRET_ARN"
	EnvTencentSMSAppID     = "HOTLINE_TENCENT_SMS_APP_ID"
	EnvTencentSMSSignName  = "HOTLINE_TENCENT_SMS_SIGN_NAME"
	EnvTencentSMSRegion    = "HOTLINE_TENCENT_SMS_REGION"
	// EnvTencentSMSTemplates maps every SMS kind to its approved template
	// id: receipt=123456,verification=123457,…
	EnvTencentSMSTemplates = "HOTLINE_TENCENT_SMS_TEMPLATES"
	EnvTencentSMSEndpoint  = "HOTLINE_TENCENT_SMS_ENDPOINT"
	EnvQueuePrefix         = "HOTLINE_QUEUE_PREFIX"
	// EnvMediaBucket names the bucket of ticket attachments; without it a
	// function takes no files.
	EnvMediaBucket = "HOTLINE_MEDIA_BUCKET"
	EnvLogLevel    = "HOTLINE_LOG_LEVEL"
	// EnvLimits overrides abuse limits: name=count/window,… (package limits).
	EnvLimits = "HOTLINE_LIMITS"
)

// EnvMetricsNamespace is the CloudWatch namespace of the functions' EMF
// metrics; empty writes none (tests, a deployment without them).
const EnvMetricsNamespace = "HOTLINE_METRICS_NAMESPACE"

// EnvOTLPEndpoint, when set, sends each function's traces there over
// OTLP/HTTP (the ADOT collector layer in AWS, a self-hosted collector in
// China); unset, nothing is traced. OpenTelemetry's exporter reads it and the
// other OTEL_EXPORTER_OTLP_* variables itself. wiring.Handle reads it for
// every function; the template sets it from its TraceEndpoint parameter.
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
	"intake":   append([]string{EnvEndpointURL, EnvLogLevel, EnvMetricsNamespace, EnvOTLPEndpoint, EnvKMSKeyID, EnvSealKey, EnvSESConfigSet, EnvLimits, EnvMediaBucket}, channelVars...),
	"review":   {EnvEndpointURL, EnvLogLevel, EnvMetricsNamespace, EnvOTLPEndpoint, EnvKMSKeyID, EnvSealKey},
	"dispatch": {EnvEndpointURL, EnvLogLevel, EnvMetricsNamespace, EnvOTLPEndpoint, EnvKMSKeyID, EnvSealKey},
	"feedback": append([]string{EnvEndpointURL, EnvLogLevel, EnvMetricsNamespace, EnvOTLPEndpoint, EnvKMSKeyID, EnvSealKey, EnvSESConfigSet, EnvLimits}, channelVars...),
	// The API takes Tencent's delivery receipts: it reads the SMS channel
	// and the Tencent secret (its callbackToken) when that is tencent.
	// It issues uploads and attaches files to supplements and replies.
	"api":   {EnvEndpointURL, EnvLogLevel, EnvMetricsNamespace, EnvOTLPEndpoint, EnvKMSKeyID, EnvSealKey, EnvLimits, EnvSMSChannel, EnvTencentSMSSecretArn, EnvMediaBucket},
	"sweep": {EnvEndpointURL, EnvLogLevel, EnvMetricsNamespace, EnvOTLPEndpoint, EnvKMSKeyID, EnvSealKey},
	// HOTLINE_JWKS_URL defaults to <issuer>/.well-known/jwks.json.
	"authorizer": {EnvJWKSURL, EnvLogLevel, EnvMetricsNamespace, EnvOTLPEndpoint},
}

// channelVars are the settings of the notice channels (intake, feedback).
var channelVars = []string{
	EnvSMSChannel, EnvMailChannel, EnvSMTPHost, EnvSMTPPort, EnvSMTPTLS, EnvSMTPSecretArn,
	EnvTencentSMSSecretArn, EnvTencentSMSAppID, EnvTencentSMSSignName, EnvTencentSMSRegion, EnvTencentSMSTemplates, EnvTencentSMSEndpoint,
}

// The channels' values.
const (
	SMSOff     = "off"
	SMSSNS     = "sns"
	SMSTencent = "tencent"
	MailSES    = "ses"
	MailSMTP   = "smtp"
)

// SMTP is the SMTP mailer's settings (HOTLINE_MAIL_CHANNEL=smtp).
type SMTP struct {
	Host string
	Port int    // 0: the TLS mode's default (465 ssl, 587 starttls)
	TLS  string // ssl (default), starttls, none (loopback hosts only)
	// SecretArn names the login {"username","password"}; empty: no AUTH.
	SecretArn string
}

// TencentSMS is the Tencent Cloud SMS texter's settings
// (HOTLINE_SMS_CHANNEL=tencent).
type TencentSMS struct {
	SecretArn string
	AppID     string
	SignName  string
	Region    string // default ap-guangzhou
	Templates map[ports.SMSKind]string
	Endpoint  string
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
	SMSChannel      string // off, sns, tencent
	MailChannel     string // ses, smtp
	SMTP            SMTP
	TencentSMS      TencentSMS
	JWTIssuer       string
	JWTAudience     string
	JWKSURL         string
	QueuePrefix     string
	MediaBucket     string
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
		MediaBucket:     strings.TrimSpace(getenv(EnvMediaBucket)),
		LogLevel:        strings.TrimSpace(getenv(EnvLogLevel)),
	}
	c.MetricsNamespace = strings.TrimSpace(getenv(EnvMetricsNamespace))
	if err := checkNamespace(c.MetricsNamespace); err != nil {
		return Config{}, &InvalidError{Name: EnvMetricsNamespace, Reason: err.Error()}
	}
	if slices.Contains(Optional[function], EnvSMSChannel) {
		if err := c.loadChannels(function, getenv); err != nil {
			return Config{}, err
		}
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

// loadChannels reads the SMS and mail channels and the settings each needs.
func (c *Config) loadChannels(function string, getenv func(string) string) error {
	get := func(n string) string { return strings.TrimSpace(getenv(n)) }
	c.SMSChannel = strings.ToLower(get(EnvSMSChannel))
	switch c.SMSChannel {
	case "":
		c.SMSChannel = SMSOff
	case SMSOff, SMSSNS, SMSTencent:
	default:
		return &InvalidError{Name: EnvSMSChannel, Reason: "must be off, sns or tencent"}
	}
	c.TencentSMS.SecretArn = get(EnvTencentSMSSecretArn)
	if !slices.Contains(Optional[function], EnvMailChannel) {
		// The API only reads the Tencent secret, for delivery receipts.
		if c.SMSChannel == SMSTencent && c.TencentSMS.SecretArn == "" {
			return &MissingError{Function: function, Names: []string{EnvTencentSMSSecretArn}}
		}
		return nil
	}
	c.MailChannel = strings.ToLower(get(EnvMailChannel))
	switch c.MailChannel {
	case "":
		c.MailChannel = MailSES
	case MailSES, MailSMTP:
	default:
		return &InvalidError{Name: EnvMailChannel, Reason: "must be ses or smtp"}
	}
	var missing []string
	if c.MailChannel == MailSMTP {
		c.SMTP = SMTP{Host: get(EnvSMTPHost), TLS: strings.ToLower(get(EnvSMTPTLS)), SecretArn: get(EnvSMTPSecretArn)}
		if c.SMTP.Host == "" {
			missing = append(missing, EnvSMTPHost)
		}
		if v := get(EnvSMTPPort); v != "" {
			p, err := strconv.Atoi(v)
			if err != nil || p < 1 || p > 65535 {
				return &InvalidError{Name: EnvSMTPPort, Reason: "must be a port number, 1 to 65535"}
			}
			c.SMTP.Port = p
		}
		switch c.SMTP.TLS {
		case "":
			c.SMTP.TLS = "ssl"
		case "ssl", "starttls":
		case "none":
			if c.SMTP.Host != "" && !loopbackHost(c.SMTP.Host) {
				return &InvalidError{Name: EnvSMTPTLS, Reason: "none sends mail in clear and is allowed only to a loopback host (local mode); use ssl or starttls"}
			}
			if c.SMTP.Port == 0 {
				missing = append(missing, EnvSMTPPort)
			}
		default:
			return &InvalidError{Name: EnvSMTPTLS, Reason: "must be ssl, starttls or none"}
		}
	}
	if c.SMSChannel == SMSTencent {
		c.TencentSMS.AppID, c.TencentSMS.SignName = get(EnvTencentSMSAppID), get(EnvTencentSMSSignName)
		c.TencentSMS.Region, c.TencentSMS.Endpoint = get(EnvTencentSMSRegion), get(EnvTencentSMSEndpoint)
		for _, n := range []string{EnvTencentSMSSecretArn, EnvTencentSMSAppID, EnvTencentSMSSignName, EnvTencentSMSTemplates} {
			if get(n) == "" {
				missing = append(missing, n)
			}
		}
		if c.TencentSMS.AppID != "" && !allDigits(c.TencentSMS.AppID) {
			return &InvalidError{Name: EnvTencentSMSAppID, Reason: "must be the SmsSdkAppId, digits such as 1400006666"}
		}
		if c.TencentSMS.Region != "" && !validRegion(c.TencentSMS.Region) {
			return &InvalidError{Name: EnvTencentSMSRegion, Reason: "must be a Tencent Cloud region such as ap-guangzhou"}
		}
		if v := get(EnvTencentSMSTemplates); v != "" {
			t, err := ParseTemplates(v)
			if err != nil {
				return &InvalidError{Name: EnvTencentSMSTemplates, Reason: err.Error()}
			}
			c.TencentSMS.Templates = t
		}
	}
	if len(missing) > 0 {
		return &MissingError{Function: function, Names: missing}
	}
	return nil
}

// ParseTemplates reads kind=templateId pairs, comma-separated; every SMS
// kind needs one, and template ids are Tencent's digits.
func ParseTemplates(s string) (map[ports.SMSKind]string, error) {
	out := map[ports.SMSKind]string{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		kind, id := ports.SMSKind(strings.TrimSpace(k)), strings.TrimSpace(v)
		switch {
		case !ok:
			return nil, fmt.Errorf("%q is not kind=templateId", pair)
		case !slices.Contains(ports.SMSKinds, kind):
			return nil, fmt.Errorf("unknown SMS kind %q (kinds: %s)", kind, kindList())
		case out[kind] != "":
			return nil, fmt.Errorf("SMS kind %s is given twice", kind)
		case id == "" || len(id) > 20 || !allDigits(id):
			return nil, fmt.Errorf("template id of %s must be digits, as Tencent numbers templates", kind)
		}
		out[kind] = id
	}
	var missing []string
	for _, k := range ports.SMSKinds {
		if out[k] == "" {
			missing = append(missing, string(k))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("no template for %s: every kind needs one", strings.Join(missing, ", "))
	}
	return out, nil
}

func kindList() string {
	names := make([]string, len(ports.SMSKinds))
	for i, k := range ports.SMSKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// validRegion accepts Tencent's region names: lower-case letters, digits
// and dashes (ap-guangzhou, ap-beijing).
func validRegion(s string) bool {
	if len(s) > 32 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return strings.Contains(s, "-")
}

// loopbackHost reports whether host names this machine.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
