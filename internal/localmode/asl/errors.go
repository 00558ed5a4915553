package asl

import "fmt"

// Predefined error names (ASL spec and Step Functions).
const (
	ErrAll                    = "States.ALL"
	ErrTimeout                = "States.Timeout"
	ErrHeartbeatTimeout       = "States.HeartbeatTimeout"
	ErrTaskFailed             = "States.TaskFailed"
	ErrPermissions            = "States.Permissions"
	ErrResultPathMatchFailure = "States.ResultPathMatchFailure"
	ErrParameterPathFailure   = "States.ParameterPathFailure"
	ErrBranchFailed           = "States.BranchFailed"
	ErrNoChoiceMatched        = "States.NoChoiceMatched"
	ErrIntrinsicFailure       = "States.IntrinsicFailure"
	ErrDataLimitExceeded      = "States.DataLimitExceeded"
	ErrRuntime                = "States.Runtime"
	ErrExceedToleratedFailure = "States.ExceedToleratedFailureThreshold"
	ErrQueryEvaluationError   = "States.QueryEvaluationError"
	ErrLambdaResourceNotFound = "Lambda.ResourceNotFoundException"
	ErrLambdaServiceException = "Lambda.ServiceException"
	ErrLambdaUnknown          = "Lambda.Unknown"
)

// StateError is a failure inside an execution: an error name and a cause,
// as reported in TaskFailed / ExecutionFailed events.
type StateError struct {
	Name  string
	Cause string
	// terminal errors (States.Runtime, States.DataLimitExceeded) cannot be
	// retried or caught.
	terminal bool
	// noName marks a Fail state without Error: AWS reports no error name.
	noName bool
	// noCause marks a Fail state without Cause (no Cause key when caught).
	noCause bool
	// aborted marks the unwinding of a stopped execution.
	aborted bool
}

func (e *StateError) Error() string {
	if e.Cause == "" {
		return e.Name
	}
	return e.Name + ": " + e.Cause
}

func runtimeError(state string, enteredID int64, msg string) *StateError {
	return &StateError{
		Name:     ErrRuntime,
		Cause:    fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d). %s", state, enteredID, msg),
		terminal: true,
	}
}

// matches reports whether a retrier/catcher's ErrorEquals list matches err.
func (e *StateError) matches(list []string) bool {
	if e.terminal {
		return false
	}
	for _, n := range list {
		switch {
		case n == e.Name:
			return true
		case n == ErrAll:
			return true
		case n == ErrTaskFailed && e.Name != ErrTimeout && e.Name != ErrHeartbeatTimeout:
			return true
		case n == ErrTimeout && e.Name == ErrHeartbeatTimeout:
			return true
		}
	}
	return false
}

// Engine API errors. Each is its own type so callers can use errors.As and
// sfnlocal can map them onto the Step Functions error codes.

// ExecutionAlreadyExistsError: an execution with this name exists (with a
// different input, or no longer running).
type ExecutionAlreadyExistsError struct{ ExecutionArn string }

func (e *ExecutionAlreadyExistsError) Error() string {
	return "Execution Already Exists: '" + e.ExecutionArn + "'"
}

// ExecutionDoesNotExistError: unknown execution ARN.
type ExecutionDoesNotExistError struct{ ExecutionArn string }

func (e *ExecutionDoesNotExistError) Error() string {
	return "Execution Does Not Exist: '" + e.ExecutionArn + "'"
}

// StateMachineDoesNotExistError: unknown state machine ARN.
type StateMachineDoesNotExistError struct{ StateMachineArn string }

func (e *StateMachineDoesNotExistError) Error() string {
	return "State Machine Does Not Exist: '" + e.StateMachineArn + "'"
}

// StateMachineAlreadyExistsError: same name, different definition or role.
type StateMachineAlreadyExistsError struct{ StateMachineArn string }

func (e *StateMachineAlreadyExistsError) Error() string {
	return "State Machine Already Exists: '" + e.StateMachineArn + "'"
}

// InvalidNameError: a state machine or execution name breaks the naming rules.
type InvalidNameError struct{ Name string }

func (e *InvalidNameError) Error() string { return "Invalid Name: '" + e.Name + "'" }

// InvalidArnError: a malformed ARN.
type InvalidArnError struct{ Arn string }

func (e *InvalidArnError) Error() string { return "Invalid Arn: '" + e.Arn + "'" }

// InvalidExecutionInputError: the execution input is not valid JSON or too large.
type InvalidExecutionInputError struct{ Msg string }

func (e *InvalidExecutionInputError) Error() string { return "Invalid Execution Input: " + e.Msg }

// InvalidOutputError: SendTaskSuccess output is not valid JSON.
type InvalidOutputError struct{ Msg string }

func (e *InvalidOutputError) Error() string { return "Invalid Output: " + e.Msg }

// TaskDoesNotExistError: a well-formed token no task was ever given.
type TaskDoesNotExistError struct{}

func (e *TaskDoesNotExistError) Error() string {
	return "Task Does Not Exist: 'Provided task does not exist anymore'"
}

// TaskTimedOutError: the task for this token has already finished (timed
// out, completed, or its execution ended).
type TaskTimedOutError struct{}

func (e *TaskTimedOutError) Error() string {
	return "Task Timed Out: 'Provided task does not exist anymore'"
}

// InvalidTokenError: the token is not a token this engine issues.
type InvalidTokenError struct{}

func (e *InvalidTokenError) Error() string { return "Invalid Token: 'Provided task token is invalid'" }
