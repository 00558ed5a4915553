// Package lambdaenv runs in-process Lambda handlers the way Lambda does: each
// execution environment serves one invocation at a time, and concurrency comes
// from more environments. This matters beyond faithfulness: a handler from
// aws-lambda-go's lambda.NewHandler reuses one response buffer, so invoking it
// concurrently corrupts responses.
package lambdaenv

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/lambda"
)

// Pool is a function with any number of warm execution environments.
type Pool struct {
	newEnv      func() lambda.Handler
	idle        sync.Pool
	invocations atomic.Int64
}

// Invocations is how many times the function was invoked, as Lambda bills.
func (p *Pool) Invocations() int64 { return p.invocations.Load() }

// New returns a pool whose environments are made by newEnv, typically
// func() lambda.Handler { return lambda.NewHandler(h.Handle) }.
func New(newEnv func() lambda.Handler) *Pool { return &Pool{newEnv: newEnv} }

// Invoke runs one invocation in an idle environment (a new one when all are
// busy). The response is copied because it may alias the environment's buffer.
func (p *Pool) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	p.invocations.Add(1)
	env, ok := p.idle.Get().(lambda.Handler)
	if !ok {
		env = p.newEnv()
	}
	out, err := env.Invoke(ctx, payload)
	if out != nil {
		out = append([]byte(nil), out...)
	}
	p.idle.Put(env)
	return out, err
}
