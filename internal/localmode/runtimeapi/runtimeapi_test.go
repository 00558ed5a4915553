package runtimeapi

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

func buildEcho(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	if err := Build(context.Background(), "./testdata/echo", bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

func TestInvokeLikeLambda(t *testing.T) {
	bin := buildEcho(t)
	p, err := Start(context.Background(), Options{Command: bin, Env: []string{"ECHO_REQUIRED=1"}, FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:echo"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for i := range 3 {
		out, err := p.Invoke(context.Background(), []byte(`{"n":`+string(rune('1'+i))+`}`))
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"n":` + string(rune('1'+i)) + `}`; strings.TrimSpace(string(out)) != want {
			t.Fatalf("invocation %d: %s, want %s", i, out, want)
		}
	}
	_, err = p.Invoke(context.Background(), []byte(`{"fail":"no receipt"}`))
	var fe messages.InvokeResponse_Error
	if !errors.As(err, &fe) || fe.Type != "RefundRefused" || fe.Message != "refund refused: no receipt" {
		t.Fatalf("function error = %#v", err)
	}
}

func TestStartFailureNamesTheCause(t *testing.T) {
	bin := buildEcho(t)
	_, err := Start(context.Background(), Options{Command: bin})
	var ie *InitError
	if !errors.As(err, &ie) || !strings.Contains(ie.Error(), "ECHO_REQUIRED") {
		t.Fatalf("err = %v", err)
	}
}
