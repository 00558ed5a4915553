package lambdaenv

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
)

type echoIn struct {
	N int `json:"n"`
}

func echo(_ context.Context, in echoIn) (echoIn, error) { return in, nil }

// Concurrent invocations must each get their own answer.
func TestConcurrentInvocationsKeepTheirResponses(t *testing.T) {
	p := New(func() lambda.Handler { return lambda.NewHandler(echo) })
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := p.Invoke(context.Background(), fmt.Appendf(nil, `{"n":%d}`, i))
			if err != nil {
				errs <- err
				return
			}
			var got echoIn
			if err := json.Unmarshal(out, &got); err != nil || got.N != i {
				errs <- fmt.Errorf("invocation %d got %s", i, out)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestErrorsPassThrough(t *testing.T) {
	p := New(func() lambda.Handler {
		return lambda.NewHandler(func(context.Context, echoIn) (echoIn, error) { return echoIn{}, fmt.Errorf("boom") })
	})
	if _, err := p.Invoke(context.Background(), []byte(`{}`)); err == nil || err.Error() != "boom" {
		t.Fatalf("err = %v", err)
	}
}
