package notify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/hotline12345/hotline/internal/adapters/notify"
	"github.com/hotline12345/hotline/internal/adapters/secrets"
	"github.com/hotline12345/hotline/internal/app/ports"
	"github.com/hotline12345/hotline/internal/localmode/edge"
)

// selfSigned makes a certificate for 127.0.0.1 and a client config that
// trusts it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12},
		&tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

func smtpEdge(t *testing.T, o edge.SMTPOptions) (*edge.Edge, string, int) {
	t.Helper()
	e := edge.New(edge.Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	addr, err := e.StartSMTP(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	return e, host, p
}

var smtpMail = ports.Email{To: "citizen@example.cn", Subject: "【12345】工单 261127ABCDEF 已受理", Text: "您的工单已受理，查询码为 8F3KX2QD。", HTML: "<p>您的工单已受理，查询码为 8F3KX2QD。</p>"}

func TestSMTPMailerThroughTheCaptureServer(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	users := map[string]string{"noreply@12345.example.cn": "app-password"}
	modes := []struct {
		name string
		opts edge.SMTPOptions
		tls  notify.SMTPTLS
		auth bool
	}{
		{"none, local mode", edge.SMTPOptions{}, notify.SMTPTLSNone, false},
		{"ssl with a login", edge.SMTPOptions{TLS: serverTLS, Implicit: true, Users: users}, notify.SMTPTLSImplicit, true},
		{"starttls with a login", edge.SMTPOptions{TLS: serverTLS, Users: users}, notify.SMTPTLSStartTLS, true},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			e, host, port := smtpEdge(t, m.opts)
			cfg := notify.SMTPConfig{Host: host, Port: port, TLS: m.tls, From: "12345 热线 <noreply@12345.example.cn>", TLSConfig: clientTLS, Timeout: 5 * time.Second}
			if m.auth {
				cfg.Username, cfg.Password = "noreply@12345.example.cn", "app-password"
			}
			mailer, err := notify.NewSMTPMailer(cfg)
			if err != nil {
				t.Fatal(err)
			}
			id, err := mailer.Send(context.Background(), smtpMail)
			if err != nil {
				t.Fatal(err)
			}
			sent := e.SentEmails()
			if len(sent) != 1 {
				t.Fatalf("captured %d", len(sent))
			}
			got := sent[0]
			if got.ID != id || id == "" || got.Subject != smtpMail.Subject || len(got.Destination.ToAddresses) != 1 || got.Destination.ToAddresses[0] != smtpMail.To ||
				got.Body.TextPart == nil || strings.TrimSpace(*got.Body.TextPart) != smtpMail.Text ||
				got.Body.HTMLPart == nil || strings.TrimSpace(*got.Body.HTMLPart) != smtpMail.HTML ||
				!strings.Contains(got.Source, "noreply@12345.example.cn") {
				t.Errorf("captured %+v, id %q", got, id)
			}
			if m.auth {
				cfg.Password = "wrong"
				bad, err := notify.NewSMTPMailer(cfg)
				if err != nil {
					t.Fatal(err)
				}
				_, err = bad.Send(context.Background(), smtpMail)
				var se *notify.SMTPError
				if !errors.As(err, &se) || se.Retryable() {
					t.Errorf("wrong password: %#v", err)
				}
				if err != nil && (strings.Contains(err.Error(), smtpMail.To) || strings.Contains(err.Error(), "8F3KX2QD")) {
					t.Errorf("error %q names the recipient or the content", err)
				}
			}
		})
	}
}

func TestSMTPMailerSettings(t *testing.T) {
	for _, c := range []notify.SMTPConfig{
		{Host: "smtp.qcloudmail.com", TLS: notify.SMTPTLSNone, Port: 25, From: "a@b.cn"},
		{Host: "smtp.qcloudmail.com", TLS: "tls", From: "a@b.cn"},
		{Host: "", From: "a@b.cn"},
		{Host: "smtp.qcloudmail.com", From: "not an address"},
		{Host: "smtp.qcloudmail.com", From: "a@b.cn", Username: "u"},
		{Host: "127.0.0.1", TLS: notify.SMTPTLSNone, From: "a@b.cn"},
	} {
		if _, err := notify.NewSMTPMailer(c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	for _, c := range []notify.SMTPConfig{
		{Host: "smtp.qcloudmail.com", From: "a@b.cn"},
		{Host: "smtp.exmail.qq.com", TLS: notify.SMTPTLSStartTLS, From: "a@b.cn", Username: "u", Password: "p"},
		{Host: "localhost", TLS: notify.SMTPTLSNone, Port: 2525, From: "a@b.cn"},
		{Host: "::1", TLS: notify.SMTPTLSNone, Port: 2525, From: "a@b.cn"},
	} {
		if _, err := notify.NewSMTPMailer(c); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	m, err := notify.NewSMTPMailer(notify.SMTPConfig{Host: "127.0.0.1", TLS: notify.SMTPTLSNone, Port: 1, From: "a@b.cn"})
	if err != nil {
		t.Fatal(err)
	}
	bad := smtpMail
	bad.Subject = "a\r\nBcc: x@y.cn"
	if _, err := m.Send(context.Background(), bad); !errors.Is(err, notify.ErrInvalidInput) {
		t.Errorf("header injection: %v", err)
	}
}

// Credentials come from Secrets Manager as JSON; errors name the secret,
// never its value.
func TestReadSecretJSON(t *testing.T) {
	_, cfg := startEdge(t)
	sm := secrets.Client(cfg)
	ctx := context.Background()
	out, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("hotline/tencent-sms"), SecretString: aws.String(`{"secretId":"AKIDx","secretKey":"k1"}`)})
	if err != nil {
		t.Fatal(err)
	}
	var key secrets.TencentCredentials
	if err := secrets.ReadJSON(ctx, sm, aws.ToString(out.ARN), &key); err != nil || key.SecretID != "AKIDx" || key.SecretKey != "k1" {
		t.Fatalf("read = %+v, %v", key, err)
	}
	if _, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("hotline/tencent-sms"), SecretString: aws.String(`{"secretId":"AKIDy","secretKey":"k2"}`)}); err != nil {
		t.Fatal(err)
	}
	if err := secrets.ReadJSON(ctx, sm, "hotline/tencent-sms", &key); err != nil || key.SecretKey != "k2" {
		t.Fatalf("after put = %+v, %v", key, err)
	}
	if err := secrets.ReadJSON(ctx, sm, "hotline/none", &key); err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Errorf("missing secret: %v", err)
	}
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("hotline/smtp"), SecretString: aws.String(`password=hunter2`)}); err != nil {
		t.Fatal(err)
	}
	var login secrets.SMTPCredentials
	if err := secrets.ReadJSON(ctx, sm, "hotline/smtp", &login); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("not JSON: %v", err)
	}
}
