package asl

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/ohler55/ojg/oj"
)

func BenchmarkZInvoke(b *testing.B) {
	identity := lambda.NewHandler(func(_ context.Context, v json.RawMessage) (json.RawMessage, error) { return v, nil })
	p := []byte(`{"kind":"complaint","n":2,"route":{"routed":true},"ticket":"T-1"}`)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		identity.Invoke(ctx, p)
	}
}
func BenchmarkZParse(b *testing.B) {
	p := []byte(`{"kind":"complaint","n":2,"route":{"routed":true},"ticket":"T-1"}`)
	b.ReportAllocs()
	for b.Loop() {
		oj.Parse(p)
	}
}
