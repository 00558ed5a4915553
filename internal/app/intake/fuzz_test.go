package intake_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hotline12345/hotline/internal/app/httpapi"
	"github.com/hotline12345/hotline/internal/localmode/asl"
	"github.com/hotline12345/hotline/internal/localmode/platform"
	"github.com/hotline12345/hotline/internal/wiring"
	intakewiring "github.com/hotline12345/hotline/internal/wiring/intake"
)

// FuzzIntake files arbitrary bodies with arbitrary headers and claims through
// the intake handler against the real store and workflow on the edge: never a
// 5xx or a panic; errors in the API.md shape; a 201/200 is a receipt.
func FuzzIntake(f *testing.F) {
	ctx := context.Background()
	keys := make([]byte, 64)
	if _, err := rand.Read(keys); err != nil {
		f.Fatal(err)
	}
	clock := asl.NewFakeClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
	p, err := platform.Start(ctx, platform.Options{APIAddr: "127.0.0.1:0", EdgeAddr: "127.0.0.1:0", Clock: clock,
		Random: io.MultiReader(bytes.NewReader(keys), rand.Reader)})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = p.Close() })
	vars, err := platform.Env(p.EdgeURL, p.StateMachineArn, bytes.NewReader(keys))
	if err != nil {
		f.Fatal(err)
	}
	h, err := intakewiring.Build(ctx, func(k string) string { return vars[k] }, wiring.Options{Now: clock.Now, Log: io.Discard})
	if err != nil {
		f.Fatal(err)
	}
	good := `{"type":"complaint","category":"consumer.refund","channel":"web","content":"我在某某超市购买的电饭煲三天就坏了，商家拒绝退货。","contact":{"phone":"13800138000"},"language":"zh"}`
	f.Add(good, "k1", "", false)
	f.Add(good, "k1", "", false)
	f.Add(strings.Replace(good, "web", "phone", 1), "", "sub=o&role=operator", false)
	f.Add(strings.Replace(good, "web", "phone", 1), "", "sub=o&role=department", false)
	f.Add(`{"type":"complaint","anonymous":true,"channel":"web","content":"0123456789","location":{"lat":1e999}}`, "", "", false)
	f.Add(`{"content":"\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000","type":"help","channel":"app","contact":{"email":"a@b.c"}}`, "k k", "", false)
	f.Add(`eyJ0eXBlIjoicHJhaXNlIn0=`, strings.Repeat("x", 300), "role=admin", true)
	f.Add(`null`, "", "", false)
	f.Fuzz(func(t *testing.T, body, key, claims string, b64 bool) {
		req := events.APIGatewayV2HTTPRequest{RouteKey: "POST /v1/tickets", Body: body, IsBase64Encoded: b64, Headers: map[string]string{}}
		if key != "" {
			req.Headers["idempotency-key"] = key
		}
		if claims != "" {
			m := map[string]string{}
			for _, kv := range strings.Split(claims, "&") {
				k, v, _ := strings.Cut(kv, "=")
				m[k] = v
			}
			req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: m}}
		}
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		out, err := h.Handle(cctx, req)
		if err != nil {
			t.Fatalf("handler error: %v", err)
		}
		switch {
		case out.StatusCode == 200 || out.StatusCode == 201 || out.StatusCode == 202:
			var r struct{ ID, AccessCode, Status string }
			if json.Unmarshal([]byte(out.Body), &r) != nil || r.ID == "" || r.AccessCode == "" || r.Status != "received" {
				t.Fatalf("receipt %s", out.Body)
			}
		case out.StatusCode >= 400 && out.StatusCode < 500:
			var p httpapi.Problem
			dec := json.NewDecoder(strings.NewReader(out.Body))
			dec.DisallowUnknownFields()
			want := map[int]string{400: "validation_failed", 401: "unauthorized", 403: "forbidden", 409: "conflict", 413: "payload_too_large", 429: "rate_limited"}[out.StatusCode]
			if dec.Decode(&p) != nil || p.Detail == "" || p.Status != out.StatusCode ||
				(p.Code != want && (out.StatusCode != 400 || p.Code != "verification_required")) {
				t.Fatalf("%d: %s", out.StatusCode, out.Body)
			}
		default:
			t.Fatalf("%d: %s", out.StatusCode, out.Body)
		}
	})
}
