// Package sfnlocal serves the AWS Step Functions JSON 1.0 API over the
// in-process asl engine, so aws-sdk-go-v2's sfn client (and the AWS CLI)
// work against a local, single-process deployment.
package sfnlocal

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hotline12345/hotline/internal/localmode/asl"
)

// errorTypePrefix is the shape of __type in Step Functions error bodies; the
// SDK keeps only the part after '#'.
const errorTypePrefix = "com.amazonaws.swf.service.v2.model#"

const maxRequestBytes = 1 << 20

// Server is an http.Handler for the Step Functions API.
type Server struct {
	eng *asl.Engine
}

// New creates a server with its own engine (resolver, clock, region and
// account come from opts).
func New(opts asl.Options) *Server { return &Server{eng: asl.New(opts)} }

// NewWithEngine serves an existing engine.
func NewWithEngine(eng *asl.Engine) *Server { return &Server{eng: eng} }

// Engine returns the underlying engine (for WaitFor, direct starts, ...).
func (s *Server) Engine() *asl.Engine { return s.eng }

// CreateStateMachine registers a state machine directly (no HTTP).
func (s *Server) CreateStateMachine(name string, definition []byte, roleArn string) (*asl.StateMachineInfo, error) {
	info, err := s.eng.CreateStateMachine(name, definition, roleArn)
	if err != nil {
		return nil, fmt.Errorf("sfnlocal: %w", err)
	}
	return info, nil
}

// apiError is an error response.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

func validation(msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "ValidationException", msg: msg}
}

// toAPIError maps engine errors onto Step Functions error codes.
func toAPIError(err error) *apiError {
	var (
		ae  *apiError
		eae *asl.ExecutionAlreadyExistsError
		ede *asl.ExecutionDoesNotExistError
		sde *asl.StateMachineDoesNotExistError
		sae *asl.StateMachineAlreadyExistsError
		ve  *asl.ValidationError
		ine *asl.InvalidNameError
		iae *asl.InvalidArnError
		iei *asl.InvalidExecutionInputError
		ioe *asl.InvalidOutputError
		tde *asl.TaskDoesNotExistError
		tto *asl.TaskTimedOutError
		ite *asl.InvalidTokenError
	)
	code := ""
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &eae):
		code = "ExecutionAlreadyExists"
	case errors.As(err, &ede):
		code = "ExecutionDoesNotExist"
	case errors.As(err, &sde):
		code = "StateMachineDoesNotExist"
	case errors.As(err, &sae):
		code = "StateMachineAlreadyExists"
	case errors.As(err, &ve):
		code = "InvalidDefinition"
	case errors.As(err, &ine):
		code = "InvalidName"
	case errors.As(err, &iae):
		code = "InvalidArn"
	case errors.As(err, &iei):
		code = "InvalidExecutionInput"
	case errors.As(err, &ioe):
		code = "InvalidOutput"
	case errors.As(err, &tde):
		code = "TaskDoesNotExist"
	case errors.As(err, &tto):
		code = "TaskTimedOut"
	case errors.As(err, &ite):
		code = "InvalidToken"
	default:
		return &apiError{status: http.StatusInternalServerError, code: "InternalFailure", msg: err.Error()}
	}
	return &apiError{status: http.StatusBadRequest, code: code, msg: err.Error()}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, err error) {
	ae := toAPIError(err)
	w.Header().Set("X-Amzn-ErrorType", ae.code)
	writeJSON(w, ae.status, map[string]string{"__type": errorTypePrefix + ae.code, "message": ae.msg})
}

// ServeHTTP dispatches on X-Amz-Target: AWSStepFunctions.<Operation>.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, &apiError{status: http.StatusMethodNotAllowed, code: "UnknownOperationException", msg: "only POST is supported"})
		return
	}
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "AWSStepFunctions.")
	if !ok {
		writeError(w, &apiError{status: http.StatusBadRequest, code: "UnknownOperationException", msg: "missing or unknown X-Amz-Target " + target})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes))
	if err != nil {
		writeError(w, validation("read request: "+err.Error()))
		return
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	var resp any
	switch op {
	case "CreateStateMachine":
		resp, err = s.createStateMachine(body)
	case "DescribeStateMachine":
		resp, err = s.describeStateMachine(body)
	case "ListStateMachines":
		resp, err = s.listStateMachines(body)
	case "StartExecution":
		resp, err = s.startExecution(body)
	case "DescribeExecution":
		resp, err = s.describeExecution(body)
	case "GetExecutionHistory":
		resp, err = s.getExecutionHistory(body)
	case "ListExecutions":
		resp, err = s.listExecutions(body)
	case "StopExecution":
		resp, err = s.stopExecution(body)
	case "SendTaskSuccess":
		resp, err = s.sendTaskSuccess(body)
	case "SendTaskFailure":
		resp, err = s.sendTaskFailure(body)
	case "SendTaskHeartbeat":
		resp, err = s.sendTaskHeartbeat(body)
	default:
		err = &apiError{status: http.StatusBadRequest, code: "UnknownOperationException", msg: "operation " + op + " is not supported"}
	}
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return validation("invalid request body: " + err.Error())
	}
	return nil
}

// epoch renders a time as the JSON protocol's epoch-seconds number.
func epoch(t time.Time) json.Number {
	if t.IsZero() {
		return "0"
	}
	ms := t.UnixMilli()
	return json.Number(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64))
}

func (s *Server) createStateMachine(body []byte) (any, error) {
	var req struct {
		Name       string `json:"name"`
		Definition string `json:"definition"`
		RoleArn    string `json:"roleArn"`
		Type       string `json:"type"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if req.Type != "" && req.Type != "STANDARD" {
		return nil, validation("only STANDARD state machines are supported")
	}
	info, err := s.eng.CreateStateMachine(req.Name, []byte(req.Definition), req.RoleArn)
	if err != nil {
		return nil, err
	}
	return map[string]any{"stateMachineArn": info.StateMachineArn, "creationDate": epoch(info.CreationDate)}, nil
}

func (s *Server) describeStateMachine(body []byte) (any, error) {
	var req struct {
		StateMachineArn string `json:"stateMachineArn"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	info, err := s.eng.DescribeStateMachine(req.StateMachineArn)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"stateMachineArn": info.StateMachineArn, "name": info.Name, "status": info.Status,
		"definition": info.Definition, "roleArn": info.RoleArn, "type": info.Type,
		"creationDate": epoch(info.CreationDate),
	}, nil
}

// page slices n items by maxResults/nextToken (an opaque offset).
func page(n, maxResults int, nextToken string) (start, end int, next string, err error) {
	if nextToken != "" {
		b, derr := base64.RawURLEncoding.DecodeString(nextToken)
		off, perr := strconv.Atoi(string(b))
		if derr != nil || perr != nil || off < 0 || off > n {
			return 0, 0, "", &apiError{status: http.StatusBadRequest, code: "InvalidToken", msg: "invalid nextToken"}
		}
		start = off
	}
	if maxResults <= 0 || maxResults > 1000 {
		maxResults = 100
	}
	end = min(start+maxResults, n)
	if end < n {
		next = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
	}
	return start, end, next, nil
}

func (s *Server) listStateMachines(body []byte) (any, error) {
	var req struct {
		MaxResults int    `json:"maxResults"`
		NextToken  string `json:"nextToken"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	all := s.eng.ListStateMachines()
	start, end, next, err := page(len(all), req.MaxResults, req.NextToken)
	if err != nil {
		return nil, err
	}
	items := make([]map[string]any, 0, end-start)
	for _, m := range all[start:end] {
		items = append(items, map[string]any{
			"stateMachineArn": m.StateMachineArn, "name": m.Name, "type": m.Type, "creationDate": epoch(m.CreationDate),
		})
	}
	resp := map[string]any{"stateMachines": items}
	if next != "" {
		resp["nextToken"] = next
	}
	return resp, nil
}

func (s *Server) startExecution(body []byte) (any, error) {
	var req struct {
		StateMachineArn string  `json:"stateMachineArn"`
		Name            string  `json:"name"`
		Input           *string `json:"input"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	input := []byte("{}")
	if req.Input != nil {
		input = []byte(*req.Input)
	}
	d, err := s.eng.StartExecution(req.StateMachineArn, req.Name, input)
	if err != nil {
		return nil, err
	}
	return map[string]any{"executionArn": d.ExecutionArn, "startDate": epoch(d.StartDate)}, nil
}

func executionJSON(d *asl.ExecutionInfo, full bool) map[string]any {
	m := map[string]any{
		"executionArn": d.ExecutionArn, "stateMachineArn": d.StateMachineArn, "name": d.Name,
		"status": d.Status, "startDate": epoch(d.StartDate),
	}
	if !d.StopDate.IsZero() {
		m["stopDate"] = epoch(d.StopDate)
	}
	if full {
		m["input"] = d.Input
		m["inputDetails"] = map[string]any{"included": true}
		if d.Status == asl.StatusSucceeded {
			m["output"] = d.Output
			m["outputDetails"] = map[string]any{"included": true}
		}
		if d.Error != "" {
			m["error"] = d.Error
		}
		if d.Cause != "" {
			m["cause"] = d.Cause
		}
	}
	return m
}

func (s *Server) describeExecution(body []byte) (any, error) {
	var req struct {
		ExecutionArn string `json:"executionArn"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	d, err := s.eng.DescribeExecution(req.ExecutionArn)
	if err != nil {
		return nil, err
	}
	return executionJSON(d, true), nil
}

// wireEvent adds the epoch timestamp the asl.HistoryEvent leaves out.
type wireEvent struct {
	Timestamp json.Number `json:"timestamp"`
	*asl.HistoryEvent
}

// HistoryEvents renders events as the "events" list of a
// GetExecutionHistory response (epoch-second timestamps, wire field names).
func HistoryEvents(events []asl.HistoryEvent) []any {
	out := make([]any, len(events))
	for i := range events {
		out[i] = wireEvent{Timestamp: epoch(events[i].Timestamp), HistoryEvent: &events[i]}
	}
	return out
}

// HistoryJSON renders a whole GetExecutionHistory response body for events.
func HistoryJSON(events []asl.HistoryEvent) ([]byte, error) {
	return json.MarshalIndent(map[string]any{"events": HistoryEvents(events)}, "", "  ")
}

// executionData are the detail fields that carry a state's data; AWS leaves
// them out when includeExecutionData is false (what its console and log
// delivery use when data must not be shown).
var executionData = []string{"input", "output", "parameters"}

// withoutExecutionData drops the data fields from every event's details.
func withoutExecutionData(events []any) ([]any, error) {
	out := make([]any, len(events))
	for i, ev := range events {
		b, err := json.Marshal(ev)
		if err != nil {
			return nil, fmt.Errorf("render history event: %w", err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("render history event: %w", err)
		}
		for k, v := range m {
			if d, ok := v.(map[string]any); ok && strings.HasSuffix(k, "EventDetails") {
				for _, f := range executionData {
					delete(d, f)
				}
			}
		}
		out[i] = m
	}
	return out, nil
}

func (s *Server) getExecutionHistory(body []byte) (any, error) {
	var req struct {
		ExecutionArn         string `json:"executionArn"`
		MaxResults           int    `json:"maxResults"`
		NextToken            string `json:"nextToken"`
		ReverseOrder         bool   `json:"reverseOrder"`
		IncludeExecutionData *bool  `json:"includeExecutionData"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	events, err := s.eng.GetExecutionHistory(req.ExecutionArn)
	if err != nil {
		return nil, err
	}
	if req.ReverseOrder {
		for i, j := 0, len(events)-1; i < j; i, j = i+1, j-1 {
			events[i], events[j] = events[j], events[i]
		}
	}
	start, end, next, err := page(len(events), req.MaxResults, req.NextToken)
	if err != nil {
		return nil, err
	}
	out := HistoryEvents(events[start:end])
	if req.IncludeExecutionData != nil && !*req.IncludeExecutionData {
		if out, err = withoutExecutionData(out); err != nil {
			return nil, err
		}
	}
	resp := map[string]any{"events": out}
	if next != "" {
		resp["nextToken"] = next
	}
	return resp, nil
}

func (s *Server) listExecutions(body []byte) (any, error) {
	var req struct {
		StateMachineArn string `json:"stateMachineArn"`
		StatusFilter    string `json:"statusFilter"`
		MaxResults      int    `json:"maxResults"`
		NextToken       string `json:"nextToken"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	all, err := s.eng.ListExecutions(req.StateMachineArn, req.StatusFilter)
	if err != nil {
		return nil, err
	}
	start, end, next, err := page(len(all), req.MaxResults, req.NextToken)
	if err != nil {
		return nil, err
	}
	items := make([]map[string]any, 0, end-start)
	for i := start; i < end; i++ {
		items = append(items, executionJSON(&all[i], false))
	}
	resp := map[string]any{"executions": items}
	if next != "" {
		resp["nextToken"] = next
	}
	return resp, nil
}

func (s *Server) stopExecution(body []byte) (any, error) {
	var req struct {
		ExecutionArn string `json:"executionArn"`
		Error        string `json:"error"`
		Cause        string `json:"cause"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	stop, err := s.eng.StopExecution(req.ExecutionArn, req.Error, req.Cause)
	if err != nil {
		return nil, err
	}
	return map[string]any{"stopDate": epoch(stop)}, nil
}

func (s *Server) sendTaskSuccess(body []byte) (any, error) {
	var req struct {
		TaskToken string `json:"taskToken"`
		Output    string `json:"output"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if err := s.eng.SendTaskSuccess(req.TaskToken, []byte(req.Output)); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Server) sendTaskFailure(body []byte) (any, error) {
	var req struct {
		TaskToken string `json:"taskToken"`
		Error     string `json:"error"`
		Cause     string `json:"cause"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if err := s.eng.SendTaskFailure(req.TaskToken, req.Error, req.Cause); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Server) sendTaskHeartbeat(body []byte) (any, error) {
	var req struct {
		TaskToken string `json:"taskToken"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if err := s.eng.SendTaskHeartbeat(req.TaskToken); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
