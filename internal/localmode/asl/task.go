package asl

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Task resources understood by the engine, as in the aws partition; the
// same resources in aws-cn (the China regions) and aws-us-gov are the same
// integrations (see serviceIntegration).
const (
	ResourceLambdaInvoke             = "arn:aws:states:::lambda:invoke"
	ResourceLambdaInvokeWaitForToken = "arn:aws:states:::lambda:invoke.waitForTaskToken"
)

// partitions are the AWS partitions whose ARNs the engine reads.
var partitions = []string{"aws", "aws-cn", "aws-us-gov"}

// inPartition returns what follows "arn:<partition>:" in an ARN of a known
// partition.
func inPartition(arn string) (rest string, ok bool) {
	after, ok := strings.CutPrefix(arn, "arn:")
	if !ok {
		return "", false
	}
	p, rest, ok := strings.Cut(after, ":")
	return rest, ok && slices.Contains(partitions, p)
}

// serviceIntegration names a Task's lambda:invoke integration in any
// partition: "invoke" or "invoke.waitForTaskToken" ("" for other resources).
func serviceIntegration(resource string) string {
	rest, ok := inPartition(resource)
	if !ok {
		return ""
	}
	switch rest {
	case "states:::lambda:invoke":
		return "invoke"
	case "states:::lambda:invoke.waitForTaskToken":
		return "invoke.waitForTaskToken"
	}
	return ""
}

// isFunctionArn reports whether a Task's resource is a Lambda function ARN.
func isFunctionArn(resource string) bool {
	rest, ok := inPartition(resource)
	return ok && strings.HasPrefix(rest, "lambda:")
}

// defaultTaskTimeout is Step Functions' default for Tasks (99999999 s):
// effectively none, so no timer is armed.
const defaultTaskTimeout = 0

func (sc *stateRun) task(input any) (any, string, *StateError) {
	eff, serr := sc.inputPath(input)
	if serr != nil {
		return nil, "", serr
	}
	return sc.withRetry(input, func() (any, *StateError) { return sc.taskAttempt(eff) })
}

func (sc *stateRun) seconds(fixed int64, p *Path, input any, field string) (time.Duration, *StateError) {
	if p == nil {
		return time.Duration(fixed) * time.Second, nil
	}
	v, err := p.get(input, sc.ec)
	if err != nil {
		return 0, sc.pathErr(p, err)
	}
	n, ok := asInteger(v)
	if !ok || n <= 0 {
		return 0, sc.runtime(fmt.Sprintf("The %s field refers to value %s which is not a valid positive integer: %s", field, quoteValue(v), p.src))
	}
	return time.Duration(n) * time.Second, nil
}

func (sc *stateRun) taskAttempt(eff any) (any, *StateError) {
	st := sc.st
	// The attempt counts as activity from before its deadline timer exists
	// until it returns, except while it waits (see AdvanceUntil).
	act := &sc.x.e.act
	act.add(1)
	defer act.add(-1)
	timeout, serr := sc.seconds(st.TimeoutSeconds, st.TimeoutSecondsPath, eff, "TimeoutSecondsPath")
	if serr != nil {
		return nil, serr
	}
	heartbeat, serr := sc.seconds(st.HeartbeatSeconds, st.HeartbeatSecondsPath, eff, "HeartbeatSecondsPath")
	if serr != nil {
		return nil, serr
	}
	if js := st.js; js != nil {
		states := &jsonataStates{input: eff}
		n, serr := sc.jIntField(js.timeout, "TimeoutSeconds", states, st.TimeoutSeconds, 1)
		if serr != nil {
			return nil, serr
		}
		timeout = time.Duration(n) * time.Second
		if n, serr = sc.jIntField(js.heartbeat, "HeartbeatSeconds", states, st.HeartbeatSeconds, 1); serr != nil {
			return nil, serr
		}
		heartbeat = time.Duration(n) * time.Second
	}
	if r := sc.resume; r != nil && r.Token != "" && sc.x.resumeWait != nil {
		// Restored while it waited for its callback: wait on, with the
		// same token until the same deadline, without invoking again.
		sc.resume = nil
		return sc.resumeCallback(r, heartbeat)
	}
	var tw *taskWait
	if serviceIntegration(st.Resource) == "invoke.waitForTaskToken" {
		var tok string
		tok, tw = sc.x.e.registerToken(sc.x)
		tw.token = tok
		defer sc.x.e.releaseToken(tok)
		sc.ec.token = tok
		sc.ec.ctxObj = nil
	}
	params := eff
	if st.js != nil {
		if params, serr = sc.jsonataArguments(eff); serr != nil {
			return nil, serr
		}
	} else if st.Parameters != nil {
		if params, serr = sc.template(st.Parameters, eff, "Parameters"); serr != nil {
			return nil, serr
		}
	}
	// One deadline covers invocation and callback wait, as in Step Functions.
	// With a separate task clock it is two timers: the invocation races the
	// task clock (a technical limit), the callback wait the workflow clock
	// (a business deadline, which a sped-up clock is meant to shorten).
	var invokeDeadline, callbackDeadline <-chan time.Time
	var callbackUntil time.Time
	if timeout > defaultTaskTimeout {
		if tw != nil {
			callbackUntil = sc.x.e.clock.Now().Add(timeout) // kept by the journal
		}
		e := sc.x.e
		t := e.taskClock.NewTimer(timeout)
		defer t.Stop()
		invokeDeadline, callbackDeadline = t.C(), t.C()
		if tw != nil && !e.oneClock {
			wt := e.clock.NewTimer(timeout)
			defer wt.Stop()
			callbackDeadline = wt.C()
		}
	}
	switch {
	case isFunctionArn(st.Resource):
		return sc.lambdaFunction(params, timeout, invokeDeadline)
	case serviceIntegration(st.Resource) != "":
		return sc.lambdaService(params, timeout, heartbeat, invokeDeadline, callbackDeadline, callbackUntil, tw)
	}
	return nil, sc.runtime(fmt.Sprintf("The resource '%s' is not supported by this interpreter.", st.Resource))
}

// lambdaFunction runs a Task whose Resource is a Lambda function ARN; the
// history uses the LambdaFunction* events Step Functions emits for it.
func (sc *stateRun) lambdaFunction(payload any, timeout time.Duration, deadline <-chan time.Time) (any, *StateError) {
	x, st := sc.x, sc.st
	payloadJSON := MarshalJSON(payload)
	// The scheduled event renders its input from the value when the history
	// is read (the handler may not be trusted to leave payloadJSON alone).
	if secs := int64(timeout / time.Second); secs <= math.MaxInt32 {
		x.record(sc.th, event{kind: evLambdaScheduled, st: st, payload: payload, n: int32(secs)})
	} else {
		x.addEvent(sc.th, HistoryEvent{Type: "LambdaFunctionScheduled", LambdaFunctionScheduledEventDetails: &LambdaScheduledDetails{
			Resource: st.Resource, Input: toJSONString(payload), TimeoutInSeconds: secs,
		}})
	}
	x.addStateEvent(sc.th, evLambdaStarted, st, nil)
	out, serr := sc.invoke(st.Resource, payloadJSON, deadline)
	if serr == nil {
		serr = sc.checkResultSize(out, st.Resource)
	}
	if serr != nil {
		switch {
		case serr.aborted:
		case serr.Name == ErrTimeout:
			x.addEvent(sc.th, HistoryEvent{Type: "LambdaFunctionTimedOut", LambdaFunctionTimedOutEventDetails: &FailureDetails{Error: serr.Name, Cause: serr.Cause}})
		default:
			x.addEvent(sc.th, HistoryEvent{Type: "LambdaFunctionFailed", LambdaFunctionFailedEventDetails: &FailureDetails{Error: serr.Name, Cause: serr.Cause}})
		}
		return nil, serr
	}
	result, text := parsePayloadText(out)
	if renderedBound(len(out)) <= x.e.opts.MaxPayloadBytes {
		sc.within, sc.withinText = result, text
	}
	x.addStateEvent(sc.th, evLambdaSucceeded, st, result)
	return result, nil
}

// checkResultSize enforces the payload limit on a task result; unlike an
// oversized state output this one can be caught.
func (sc *stateRun) checkResultSize(out []byte, resource string) *StateError {
	if len(out) <= sc.x.e.opts.MaxPayloadBytes {
		return nil
	}
	return &StateError{
		Name:  ErrDataLimitExceeded,
		Cause: fmt.Sprintf("The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", resource),
	}
}

func parsePayload(out []byte) any {
	v, _ := parsePayloadText(out)
	return v
}

// parsePayloadText is parsePayload that also returns the value's JSON text
// when out is exactly that (see parseJSONText), else "".
func parsePayloadText(out []byte) (any, string) {
	if len(bytes.TrimSpace(out)) == 0 {
		return nil, ""
	}
	v, text, err := parseJSONText(out)
	if err != nil {
		return string(out), ""
	}
	return v, text
}

// lambdaService runs arn:aws:states:::lambda:invoke[.waitForTaskToken].
func (sc *stateRun) lambdaService(params any, timeout, heartbeat time.Duration, invokeDeadline, callbackDeadline <-chan time.Time, callbackUntil time.Time, tw *taskWait) (any, *StateError) {
	x, st := sc.x, sc.st
	resource := serviceResource(st)
	paramsJSON := MarshalJSON(params)
	x.addEvent(sc.th, HistoryEvent{Type: "TaskScheduled", TaskScheduledEventDetails: &TaskScheduledEventDetails{
		ResourceType: "lambda", Resource: resource, Region: x.e.opts.Region, Parameters: string(paramsJSON),
		TimeoutInSeconds: int64(timeout / time.Second), HeartbeatInSeconds: int64(heartbeat / time.Second),
	}})
	x.addEvent(sc.th, HistoryEvent{Type: "TaskStarted", TaskStartedEventDetails: &TaskResourceDetails{ResourceType: "lambda", Resource: resource}})
	fail := func(serr *StateError) (any, *StateError) { return sc.taskFailed(resource, serr) }
	pm, _ := params.(map[string]any)
	fn, _ := pm["FunctionName"].(string)
	if fn == "" {
		return fail(sc.runtime("The field 'FunctionName' is required for the resource '" + st.Resource + "'."))
	}
	payloadJSON := []byte("{}")
	if p, ok := pm["Payload"]; ok {
		// A string Payload is sent verbatim, as the Lambda Invoke API does.
		if s, isStr := p.(string); isStr {
			payloadJSON = []byte(s)
		} else {
			payloadJSON = MarshalJSON(p)
		}
	}
	out, serr := sc.invoke(fn, payloadJSON, invokeDeadline)
	if serr == nil {
		// Service integrations name the resource type in this cause.
		serr = sc.checkResultSize(out, "lambda")
	}
	if serr != nil {
		return fail(serr)
	}
	resp := invokeResponse(parsePayload(out), len(out))
	if tw == nil {
		x.addEvent(sc.th, HistoryEvent{Type: "TaskSucceeded", TaskSucceededEventDetails: &TaskOutputDetails{ResourceType: "lambda", Resource: resource}, payload: resp, hasPayload: true})
		return resp, nil
	}
	x.addEvent(sc.th, HistoryEvent{Type: "TaskSubmitted", TaskSubmittedEventDetails: &TaskOutputDetails{ResourceType: "lambda", Resource: resource, Output: string(MarshalJSON(resp))}})
	if sc.th == &x.th {
		x.checkpoint(st, sc.in, sc.ec.scope, tw.token, callbackUntil, sc.attempts)
	}
	x.markWaiting(tw.token)
	return sc.awaitCallback(resource, tw, heartbeat, callbackDeadline)
}

// serviceResource is how a lambda:invoke task's events name its resource.
func serviceResource(st *State) string { return serviceIntegration(st.Resource) }

// taskFailed records a service task's failure (nothing when it was stopped).
func (sc *stateRun) taskFailed(resource string, serr *StateError) (any, *StateError) {
	switch {
	case serr.aborted:
	case serr.Name == ErrTimeout || serr.Name == ErrHeartbeatTimeout:
		sc.x.addEvent(sc.th, HistoryEvent{Type: "TaskTimedOut", TaskTimedOutEventDetails: &TaskFailureDetails{ResourceType: "lambda", Resource: resource, Error: serr.Name, Cause: serr.Cause}})
	default:
		sc.x.addEvent(sc.th, HistoryEvent{Type: "TaskFailed", TaskFailedEventDetails: &TaskFailureDetails{ResourceType: "lambda", Resource: resource, Error: serr.Name, Cause: serr.Cause}})
	}
	return nil, serr
}

// resumeCallback is a restored callback task's wait (see ResumePoint).
func (sc *stateRun) resumeCallback(r *ResumePoint, heartbeat time.Duration) (any, *StateError) {
	x, e := sc.x, sc.x.e
	tw := x.resumeWait
	x.resumeWait = nil
	defer e.releaseToken(tw.token)
	sc.ec.token, sc.ec.ctxObj = tw.token, nil
	var deadline <-chan time.Time
	if !r.Until.IsZero() {
		t := e.clock.NewTimer(r.Until.Sub(e.clock.Now()))
		defer t.Stop()
		deadline = t.C()
	}
	return sc.awaitCallback(serviceResource(sc.st), tw, heartbeat, deadline)
}

// awaitCallback waits for a submitted callback task's answer, its deadline,
// a missed heartbeat, or the execution's end.
func (sc *stateRun) awaitCallback(resource string, tw *taskWait, heartbeat time.Duration, callbackDeadline <-chan time.Time) (any, *StateError) {
	x := sc.x
	fail := func(serr *StateError) (any, *StateError) { return sc.taskFailed(resource, serr) }
	var hb Timer
	var hbC <-chan time.Time
	if heartbeat > 0 {
		hb = x.e.taskClock.NewTimer(heartbeat)
		hbC = hb.C()
		defer func() { hb.Stop() }()
	}
	for {
		x.e.act.add(-1) // waiting for a callback is not activity
		var o taskOutcome
		var fired string
		select {
		case o = <-tw.ch:
		case <-callbackDeadline:
			fired = "deadline"
		case <-hbC:
			fired = "heartbeat"
		case <-sc.ctx.Done():
			fired = "aborted"
		}
		x.e.act.add(1)
		switch fired {
		case "deadline":
			return fail(&StateError{Name: ErrTimeout})
		case "heartbeat":
			return fail(&StateError{Name: ErrHeartbeatTimeout})
		case "aborted":
			return nil, abortedError()
		}
		switch {
		case o.heartbeat:
			if hb != nil {
				hb.Stop()
				hb = x.e.taskClock.NewTimer(heartbeat)
				hbC = hb.C()
			}
		case o.failed:
			return fail(&StateError{Name: o.errName, Cause: o.cause})
		default:
			x.addEvent(sc.th, HistoryEvent{Type: "TaskSucceeded", TaskSucceededEventDetails: &TaskOutputDetails{ResourceType: "lambda", Resource: resource}, payload: o.output, hasPayload: true})
			return o.output, nil
		}
	}
}

// invokeResponse is the result object of arn:aws:states:::lambda:invoke.
func invokeResponse(payload any, size int) map[string]any {
	rid := newUUID()
	headers := map[string]any{
		"Connection":                     "keep-alive",
		"Content-Length":                 strconv.Itoa(size),
		"Content-Type":                   "application/json",
		"X-Amz-Executed-Version":         "$LATEST",
		"x-amzn-Remapped-Content-Length": "0",
		"x-amzn-RequestId":               rid,
	}
	all := make(map[string]any, len(headers))
	for k, v := range headers {
		all[k] = []any{v}
	}
	return map[string]any{
		"ExecutedVersion": "$LATEST",
		"Payload":         payload,
		"SdkHttpMetadata": map[string]any{
			"AllHttpHeaders": all, "HttpHeaders": headers, "HttpStatusCode": int64(200),
		},
		"SdkResponseMetadata": map[string]any{"RequestId": rid},
		"StatusCode":          int64(200),
	}
}

type invokeResult struct {
	out []byte
	err error
	// panicked holds a recovered panic value.
	panicked any
}

// invoke calls an in-process Lambda handler, racing it against the task
// deadline and the execution's cancellation.
func (sc *stateRun) invoke(fnRef string, payload []byte, deadline <-chan time.Time) ([]byte, *StateError) {
	e := sc.x.e
	h, ok := e.opts.Resolver(fnRef)
	arn := fnRef
	if !strings.HasPrefix(arn, "arn:") {
		arn = fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", e.opts.Region, e.opts.Account, FunctionName(fnRef))
	}
	if !ok {
		name := FunctionName(fnRef)
		return nil, &StateError{
			Name: ErrLambdaResourceNotFound,
			Cause: fmt.Sprintf("Function not found: arn:aws:lambda:%s:%s:function:%s:$LATEST (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: %s; Proxy: null)",
				e.opts.Region, e.opts.Account, name, newUUID()),
		}
	}
	ctx := newInvokeContext(sc.ctx, &e.act, newUUID(), arn)
	if deadline == nil {
		// No timeout to race: call inline (no goroutine); a stopped
		// execution still cancels the handler's context.
		r := callHandler(ctx, h, payload)
		if sc.ctx.Err() != nil {
			return nil, abortedError()
		}
		return r.toState()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan invokeResult, 1)
	var (
		mu        sync.Mutex
		abandoned bool
	)
	e.act.add(1) // the handler goroutine's own activity
	go func() {
		r := callHandler(ctx, h, payload)
		mu.Lock()
		defer mu.Unlock()
		if abandoned {
			e.act.add(-1)
			return
		}
		done <- r // the waiter takes over this invocation's activity count
	}()
	giveUp := func() {
		mu.Lock()
		abandoned = true
		mu.Unlock()
		select {
		case <-done: // finished just before we gave up
			e.act.add(-1)
		default:
		}
	}
	e.act.add(-1) // this goroutine only waits now
	select {
	case r := <-done:
		e.act.add(1)
		e.act.add(-1) // the handler's count, handed over with the result
		return r.toState()
	case <-deadline:
		e.act.add(1)
		giveUp()
		return nil, &StateError{Name: ErrTimeout}
	case <-sc.ctx.Done():
		e.act.add(1)
		giveUp()
		return nil, abortedError()
	}
}

// invokeContext is the context a handler gets: the execution's, carrying
// the LambdaContext (as lambdacontext.NewContext would) and the engine's
// activity counter (see Blocking) in one allocation.
type invokeContext struct {
	context.Context
	lc  lambdacontext.LambdaContext
	act *activity
}

// lambdaContextKey is the key lambdacontext.FromContext looks up, learned
// once by asking it (the package does not export it).
var lambdaContextKey = func() any {
	p := &keyProbe{Context: context.Background()}
	lambdacontext.FromContext(p)
	return p.key
}()

type keyProbe struct {
	context.Context
	key any
}

func (p *keyProbe) Value(k any) any {
	p.key = k
	return nil
}

func newInvokeContext(parent context.Context, act *activity, requestID, functionArn string) context.Context {
	c := &invokeContext{Context: parent, act: act}
	c.lc.AwsRequestID, c.lc.InvokedFunctionArn = requestID, functionArn
	if lambdaContextKey == nil { // lambdacontext changed how it looks; use its API
		return context.WithValue(lambdacontext.NewContext(parent, &c.lc), activityKey{}, act)
	}
	return c
}

func (c *invokeContext) Value(k any) any {
	switch k {
	case lambdaContextKey:
		return &c.lc
	case activityKey{}:
		return c.act
	}
	return c.Context.Value(k)
}

func callHandler(ctx context.Context, h lambda.Handler, payload []byte) (r invokeResult) {
	defer func() {
		if p := recover(); p != nil {
			r = invokeResult{panicked: p}
		}
	}()
	out, err := h.Invoke(ctx, payload)
	return invokeResult{out: out, err: err}
}

func (r invokeResult) toState() ([]byte, *StateError) {
	switch {
	case r.panicked != nil:
		return nil, lambdaFailure(errorTypeOf(r.panicked), fmt.Sprint(r.panicked))
	case r.err != nil:
		typ, msg := lambdaErrorFields(r.err)
		return nil, lambdaFailure(typ, msg)
	}
	return r.out, nil
}

// lambdaErrorFields reproduces what the aws-lambda-go runtime reports for a
// handler error: an InvokeResponse_Error keeps its Type; any other error is
// named after its type without package or pointer.
func lambdaErrorFields(err error) (typ, msg string) {
	switch t := err.(type) { //nolint:errorlint // the runtime inspects the top-level value only
	case messages.InvokeResponse_Error:
		return t.Type, t.Message
	case *messages.InvokeResponse_Error:
		return t.Type, t.Message
	}
	return errorTypeOf(err), err.Error()
}

func errorTypeOf(v any) string {
	t := reflect.TypeOf(v)
	if t == nil {
		return ""
	}
	if t.Kind() == reflect.Ptr {
		return t.Elem().Name()
	}
	return t.Name()
}

func lambdaFailure(typ, msg string) *StateError {
	name := typ
	if name == "" {
		name = ErrLambdaUnknown
	}
	cause := map[string]any{"errorMessage": msg, "errorType": typ}
	return &StateError{Name: name, Cause: string(MarshalJSON(cause))}
}
