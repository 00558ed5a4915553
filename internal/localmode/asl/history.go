package asl

import "time"

// HistoryEvent mirrors a Step Functions GetExecutionHistory event; JSON tags
// follow the service's wire names so sfnlocal can serialise events directly
// (it only rewrites the timestamp into epoch seconds).
type HistoryEvent struct {
	Timestamp       time.Time `json:"-"`
	Type            string    `json:"type"`
	ID              int64     `json:"id"`
	PreviousEventID int64     `json:"previousEventId"`

	ExecutionStartedEventDetails   *ExecutionStartedEventDetails `json:"executionStartedEventDetails,omitempty"`
	ExecutionSucceededEventDetails *OutputDetails                `json:"executionSucceededEventDetails,omitempty"`
	ExecutionFailedEventDetails    *FailureDetails               `json:"executionFailedEventDetails,omitempty"`
	ExecutionAbortedEventDetails   *FailureDetails               `json:"executionAbortedEventDetails,omitempty"`
	ExecutionTimedOutEventDetails  *FailureDetails               `json:"executionTimedOutEventDetails,omitempty"`

	StateEnteredEventDetails *StateEnteredEventDetails `json:"stateEnteredEventDetails,omitempty"`
	StateExitedEventDetails  *StateExitedEventDetails  `json:"stateExitedEventDetails,omitempty"`

	TaskScheduledEventDetails *TaskScheduledEventDetails `json:"taskScheduledEventDetails,omitempty"`
	TaskStartedEventDetails   *TaskResourceDetails       `json:"taskStartedEventDetails,omitempty"`
	TaskSubmittedEventDetails *TaskOutputDetails         `json:"taskSubmittedEventDetails,omitempty"`
	TaskSucceededEventDetails *TaskOutputDetails         `json:"taskSucceededEventDetails,omitempty"`
	TaskFailedEventDetails    *TaskFailureDetails        `json:"taskFailedEventDetails,omitempty"`
	TaskTimedOutEventDetails  *TaskFailureDetails        `json:"taskTimedOutEventDetails,omitempty"`

	LambdaFunctionScheduledEventDetails *LambdaScheduledDetails `json:"lambdaFunctionScheduledEventDetails,omitempty"`
	LambdaFunctionSucceededEventDetails *OutputDetails          `json:"lambdaFunctionSucceededEventDetails,omitempty"`
	LambdaFunctionFailedEventDetails    *FailureDetails         `json:"lambdaFunctionFailedEventDetails,omitempty"`
	LambdaFunctionTimedOutEventDetails  *FailureDetails         `json:"lambdaFunctionTimedOutEventDetails,omitempty"`

	MapStateStartedEventDetails       *MapStateStartedDetails `json:"mapStateStartedEventDetails,omitempty"`
	MapIterationStartedEventDetails   *MapIterationDetails    `json:"mapIterationStartedEventDetails,omitempty"`
	MapIterationSucceededEventDetails *MapIterationDetails    `json:"mapIterationSucceededEventDetails,omitempty"`
	MapIterationFailedEventDetails    *MapIterationDetails    `json:"mapIterationFailedEventDetails,omitempty"`
	MapIterationAbortedEventDetails   *MapIterationDetails    `json:"mapIterationAbortedEventDetails,omitempty"`

	// payload is the value whose JSON text becomes the event's input or
	// output; it is rendered when the history is read, not on the hot path
	// (values are immutable, so keeping the reference is safe).
	payload    any
	hasPayload bool
}

// eventKind says how a stored event's details are built when the history is
// read. The events every execution records (state entered/exited, the Lambda
// function events, execution started/succeeded) are stored compactly and get
// their detail structs only then; the others are stored as built (evFull).
type eventKind uint8

const (
	evFull eventKind = iota
	evExecutionStarted
	evStateEntered
	evStateExited
	evLambdaScheduled
	evLambdaStarted
	evLambdaSucceeded
	evExecutionSucceeded
)

// event is the stored form of a history event (48 bytes; executions keep
// every one of them, so size matters).
type event struct {
	ts       int64 // Unix nanoseconds; read in the location of the execution's start time
	id, prev int32 // Step Functions caps a history at 25,000 events
	n        int32 // LambdaFunctionScheduled: TimeoutInSeconds
	kind     eventKind
	st       *State // the state (name, type, resource) for state and Lambda events
	// payload is the input/output value rendered as the event's payload;
	// for evFull, the *HistoryEvent as built.
	payload any
}

// historyEvent builds the public form of a stored event; x supplies the
// execution-wide texts (input, role, output), read under x.mu by the caller.
func (ev *event) historyEvent(inputJSON, roleArn, output string, loc *time.Location) HistoryEvent {
	var h HistoryEvent
	switch ev.kind {
	case evFull:
		h = ev.payload.(*HistoryEvent).materialize()
	case evExecutionStarted:
		h = HistoryEvent{Type: "ExecutionStarted", ExecutionStartedEventDetails: &ExecutionStartedEventDetails{Input: inputJSON, RoleArn: roleArn}}
	case evStateEntered:
		h = HistoryEvent{Type: ev.st.enteredType, StateEnteredEventDetails: &StateEnteredEventDetails{Name: ev.st.Name, Input: toJSONString(ev.payload)}}
	case evStateExited:
		h = HistoryEvent{Type: ev.st.exitedType, StateExitedEventDetails: &StateExitedEventDetails{Name: ev.st.Name, Output: toJSONString(ev.payload)}}
	case evLambdaScheduled:
		h = HistoryEvent{Type: "LambdaFunctionScheduled", LambdaFunctionScheduledEventDetails: &LambdaScheduledDetails{
			Resource: ev.st.Resource, Input: toJSONString(ev.payload), TimeoutInSeconds: int64(ev.n),
		}}
	case evLambdaStarted:
		h = HistoryEvent{Type: "LambdaFunctionStarted"}
	case evLambdaSucceeded:
		h = HistoryEvent{Type: "LambdaFunctionSucceeded", LambdaFunctionSucceededEventDetails: &OutputDetails{Output: toJSONString(ev.payload)}}
	case evExecutionSucceeded:
		h = HistoryEvent{Type: "ExecutionSucceeded", ExecutionSucceededEventDetails: &OutputDetails{Output: output}}
	}
	h.ID, h.PreviousEventID, h.Timestamp = int64(ev.id), int64(ev.prev), time.Unix(0, ev.ts).In(loc)
	return h
}

// materialize returns the event with its payload rendered into the detail
// that carries it; the stored event is left untouched.
func (ev HistoryEvent) materialize() HistoryEvent {
	if !ev.hasPayload {
		return ev
	}
	text := string(MarshalJSON(ev.payload))
	switch {
	case ev.StateEnteredEventDetails != nil:
		d := *ev.StateEnteredEventDetails
		d.Input = text
		ev.StateEnteredEventDetails = &d
	case ev.StateExitedEventDetails != nil:
		d := *ev.StateExitedEventDetails
		d.Output = text
		ev.StateExitedEventDetails = &d
	case ev.LambdaFunctionSucceededEventDetails != nil:
		d := *ev.LambdaFunctionSucceededEventDetails
		d.Output = text
		ev.LambdaFunctionSucceededEventDetails = &d
	case ev.TaskSucceededEventDetails != nil:
		d := *ev.TaskSucceededEventDetails
		d.Output = text
		ev.TaskSucceededEventDetails = &d
	}
	ev.payload, ev.hasPayload = nil, false
	return ev
}

// ExecutionStartedEventDetails is the detail of ExecutionStarted.
type ExecutionStartedEventDetails struct {
	Input        string         `json:"input"`
	InputDetails PayloadDetails `json:"inputDetails"`
	RoleArn      string         `json:"roleArn"`
}

// PayloadDetails says whether a payload was truncated (never, here).
type PayloadDetails struct {
	Truncated bool `json:"truncated"`
}

// OutputDetails carries an output payload.
type OutputDetails struct {
	Output        string         `json:"output"`
	OutputDetails PayloadDetails `json:"outputDetails"`
}

// FailureDetails carries an error name and cause.
type FailureDetails struct {
	Error string `json:"error,omitempty"`
	Cause string `json:"cause,omitempty"`
}

// StateEnteredEventDetails is the detail of *StateEntered.
type StateEnteredEventDetails struct {
	Name         string         `json:"name"`
	Input        string         `json:"input"`
	InputDetails PayloadDetails `json:"inputDetails"`
}

// StateExitedEventDetails is the detail of *StateExited.
type StateExitedEventDetails struct {
	Name          string         `json:"name"`
	Output        string         `json:"output"`
	OutputDetails PayloadDetails `json:"outputDetails"`
}

// TaskScheduledEventDetails is the detail of TaskScheduled.
type TaskScheduledEventDetails struct {
	ResourceType       string `json:"resourceType"`
	Resource           string `json:"resource"`
	Region             string `json:"region"`
	Parameters         string `json:"parameters"`
	TimeoutInSeconds   int64  `json:"timeoutInSeconds,omitempty"`
	HeartbeatInSeconds int64  `json:"heartbeatInSeconds,omitempty"`
}

// TaskResourceDetails identifies a task resource (TaskStarted).
type TaskResourceDetails struct {
	ResourceType string `json:"resourceType"`
	Resource     string `json:"resource"`
}

// TaskOutputDetails is the detail of TaskSubmitted / TaskSucceeded.
type TaskOutputDetails struct {
	ResourceType  string         `json:"resourceType"`
	Resource      string         `json:"resource"`
	Output        string         `json:"output"`
	OutputDetails PayloadDetails `json:"outputDetails"`
}

// TaskFailureDetails is the detail of TaskFailed / TaskTimedOut.
type TaskFailureDetails struct {
	ResourceType string `json:"resourceType"`
	Resource     string `json:"resource"`
	Error        string `json:"error,omitempty"`
	Cause        string `json:"cause,omitempty"`
}

// LambdaScheduledDetails is the detail of LambdaFunctionScheduled.
type LambdaScheduledDetails struct {
	Resource         string         `json:"resource"`
	Input            string         `json:"input"`
	InputDetails     PayloadDetails `json:"inputDetails"`
	TimeoutInSeconds int64          `json:"timeoutInSeconds,omitempty"`
}

// MapStateStartedDetails is the detail of MapStateStarted.
type MapStateStartedDetails struct {
	Length int `json:"length"`
}

// MapIterationDetails identifies one Map iteration.
type MapIterationDetails struct {
	Name  string `json:"name"`
	Index int    `json:"index"`
}
