// Package asl is an Amazon States Language interpreter: it parses and
// validates state machine definitions and runs them in-process with the
// semantics of AWS Step Functions Standard workflows (JSONPath query
// language, Retry/Catch, callbacks with task tokens, history events).
//
// Lambda functions are in-process lambda.Handler values found through a
// Resolver, so the handlers production registers with lambda.NewHandler run
// unchanged. All time goes through a Clock: RealClock (optionally sped up)
// for local runs, FakeClock for tests, which never sleep. A sped-up run keeps
// invocation timeouts and heartbeats on real time (Options.TaskClock).
//
// Typical use:
//
//	eng := asl.New(asl.Options{Resolver: asl.MapResolver(handlers)})
//	sm, err := eng.CreateStateMachine("ticket", definition, roleArn)
//	x, err := eng.StartExecution(sm.StateMachineArn, ticketID, input)
//	d, err := eng.WaitFor(ctx, x.ExecutionArn, asl.Done)
//
// Run starts an execution and waits for its end; given a context that cannot
// be cancelled it drives the execution on the calling goroutine. An engine
// keeps every running execution and the last Options.RetainFinished finished
// ones (DefaultRetainFinished unless set) for DescribeExecution,
// GetExecutionHistory and ListExecutions.
//
// Each state carries its QueryLanguage so a JSONata evaluator can be added
// per state later; JSONata states currently fail with States.Runtime.
package asl
