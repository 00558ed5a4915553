package asl

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Query languages a state may use. Only JSONPath is executed today; the
// field is parsed per state so JSONata can be added without API changes.
const (
	QueryLanguageJSONPath = "JSONPath"
	QueryLanguageJSONata  = "JSONata"
)

// StateMachine is a parsed and validated ASL definition (or a Parallel branch
// / Map item processor, which share the same shape).
type StateMachine struct {
	Comment        string
	StartAt        string
	States         map[string]*State
	TimeoutSeconds int64
	QueryLanguage  string
	Version        string
	// order lists state names in definition-independent sorted order.
	order []string
}

// State is one parsed state. Fields irrelevant to the state's Type are zero.
type State struct {
	Name          string
	Type          string
	QueryLanguage string
	Comment       string
	Next          string
	End           bool

	InputPath, OutputPath, ResultPath *Path
	// The *Null flags record an explicit JSON null for the path field, which
	// has its own meaning (discard input / result).
	InputPathNull, OutputPathNull, ResultPathNull bool
	Parameters                                    *Template
	ResultSelector                                *Template
	Result                                        any
	HasResult                                     bool
	// Assign holds the JSONPath-mode variable assignments (nil if none).
	Assign *Template

	// Task
	Resource             string
	TimeoutSeconds       int64
	TimeoutSecondsPath   *Path
	HeartbeatSeconds     int64
	HeartbeatSecondsPath *Path
	Retry                []*Retrier
	Catch                []*Catcher

	// Choice
	Choices []*ChoiceRule
	Default string

	// Wait
	Seconds       *int64
	SecondsPath   *Path
	Timestamp     *time.Time
	TimestampRaw  string // as written; an unparsable value fails at run time, like AWS
	TimestampPath *Path

	// Fail
	Error, Cause         string
	ErrorPath, CausePath expr

	// Parallel
	Branches []*StateMachine

	// Map
	ItemsPath                      *Path
	ItemSelector                   *Template
	ItemProcessor                  *StateMachine
	MaxConcurrency                 int64
	MaxConcurrencyPath             *Path
	ToleratedFailureCount          *int64
	ToleratedFailureCountPath      *Path
	ToleratedFailurePercentage     *float64
	ToleratedFailurePercentagePath *Path
	Label                          string

	// js holds the compiled JSONata-mode fields (nil for JSONPath states).
	js *jsonataState
	// enteredType and exitedType are the history event types of this
	// state's type ("PassStateEntered", ...), built once.
	enteredType, exitedType string
}

// jsonataState holds a JSONata state's expression fields; nil members are
// absent fields (or fixed values kept in the State's ordinary fields).
type jsonataState struct {
	arguments, output, assign, items, itemSelector *jsonataTemplate
	timeout, heartbeat, seconds, timestamp         *jsonataExpr
	maxConcurrency, toleratedCount, toleratedPct   *jsonataExpr
	errorExpr, causeExpr                           *jsonataExpr
}

// Retrier is one Retry entry.
type Retrier struct {
	ErrorEquals     []string
	IntervalSeconds float64
	MaxAttempts     int64
	BackoffRate     float64
	MaxDelaySeconds float64
	JitterStrategy  string
}

// Catcher is one Catch entry.
type Catcher struct {
	ErrorEquals    []string
	ResultPath     *Path
	ResultPathNull bool
	Next           string
	Assign         *Template
	// JSONata states: Output and Assign of the catcher.
	jOutput, jAssign *jsonataTemplate
}

// ChoiceRule is a Choice rule or a nested boolean expression.
type ChoiceRule struct {
	Variable    *Path
	Operator    string // e.g. "StringEquals", "IsNull", "And"
	Operand     any
	OperandPath *Path
	pattern     *regexp.Regexp
	Children    []*ChoiceRule // And / Or / Not
	Next        string
	Assign      *Template // top-level rules only
	// JSONata states: the rule's Condition, Output and Assign.
	jCondition       *jsonataExpr
	jOutput, jAssign *jsonataTemplate
}

// Problem is one validation finding.
type Problem struct {
	State string // state name ("" for the top level)
	Field string // JSON pointer-ish location, e.g. "/States/A/Next"
	Msg   string
}

func (p Problem) String() string {
	if p.State != "" {
		return fmt.Sprintf("state %q: %s (at %s)", p.State, p.Msg, p.Field)
	}
	return fmt.Sprintf("%s (at %s)", p.Msg, p.Field)
}

// ValidationError lists every problem found in a definition.
type ValidationError struct{ Problems []Problem }

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return fmt.Sprintf("invalid state machine definition: %d problem(s): %s", len(e.Problems), strings.Join(parts, "; "))
}

// Parse parses and validates an ASL definition.
func Parse(definition []byte) (*StateMachine, error) {
	raw, err := ParseJSON(definition)
	if err != nil {
		return nil, &ValidationError{Problems: []Problem{{Field: "/", Msg: "definition is not valid JSON: " + err.Error()}}}
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, &ValidationError{Problems: []Problem{{Field: "/", Msg: "definition must be a JSON object"}}}
	}
	p := &parser{}
	sm := p.machine(obj, "", QueryLanguageJSONPath, true)
	if len(p.problems) > 0 {
		return nil, &ValidationError{Problems: p.problems}
	}
	return sm, nil
}

type parser struct{ problems []Problem }

func (p *parser) add(state, field, format string, a ...any) {
	p.problems = append(p.problems, Problem{State: state, Field: field, Msg: fmt.Sprintf(format, a...)})
}

// fields reads an object while remembering which keys were consumed, so
// unknown keys can be reported.
type fields struct {
	p     *parser
	m     map[string]any
	used  map[string]bool
	state string
	at    string
}

func (p *parser) fields(m map[string]any, state, at string) *fields {
	return &fields{p: p, m: m, used: map[string]bool{}, state: state, at: at}
}

func (f *fields) has(k string) bool {
	_, ok := f.m[k]
	return ok
}

func (f *fields) raw(k string) (any, bool) {
	f.used[k] = true
	v, ok := f.m[k]
	return v, ok
}

func (f *fields) str(k string, required bool) string {
	v, ok := f.raw(k)
	if !ok {
		if required {
			f.p.add(f.state, f.at+"/"+k, "missing required field %s", k)
		}
		return ""
	}
	s, isStr := v.(string)
	if !isStr {
		f.p.add(f.state, f.at+"/"+k, "field %s must be a string", k)
	}
	return s
}

func (f *fields) boolean(k string) bool {
	v, ok := f.raw(k)
	if !ok {
		return false
	}
	b, isBool := v.(bool)
	if !isBool {
		f.p.add(f.state, f.at+"/"+k, "field %s must be a boolean", k)
	}
	return b
}

func (f *fields) integer(k string, minimum int64) (int64, bool) {
	v, ok := f.raw(k)
	if !ok {
		return 0, false
	}
	i, isInt := asInteger(v)
	if !isInt || i < minimum {
		f.p.add(f.state, f.at+"/"+k, "field %s must be an integer >= %d", k, minimum)
		return 0, false
	}
	return i, true
}

func (f *fields) number(k string) (float64, bool) {
	v, ok := f.raw(k)
	if !ok {
		return 0, false
	}
	n, isNum := toFloat(v)
	if !isNum {
		f.p.add(f.state, f.at+"/"+k, "field %s must be a number", k)
	}
	return n, isNum
}

// path reads a path field; null is reported through the second result.
func (f *fields) path(k string, reference bool) (*Path, bool) {
	v, ok := f.raw(k)
	if !ok {
		return nil, false
	}
	if v == nil {
		return nil, true
	}
	s, isStr := v.(string)
	if !isStr {
		f.p.add(f.state, f.at+"/"+k, "field %s must be a JSONPath string or null", k)
		return nil, false
	}
	pth, err := CompilePath(s)
	if err != nil {
		f.p.add(f.state, f.at+"/"+k, "field %s: %v", k, err)
		return nil, false
	}
	if reference && !pth.IsReference() {
		f.p.add(f.state, f.at+"/"+k, "field %s must be a reference path (fields and indexes only): %q", k, s)
		return nil, false
	}
	return pth, false
}

func (f *fields) template(k string) *Template {
	v, ok := f.raw(k)
	if !ok {
		return nil
	}
	t, err := compileTemplate(v)
	if err != nil {
		f.p.add(f.state, f.at+"/"+k, "field %s: %v", k, err)
		return nil
	}
	return t
}

// jtemplate reads a JSONata-mode field that may hold "{% %}" strings.
func (f *fields) jtemplate(k string) *jsonataTemplate {
	v, ok := f.raw(k)
	if !ok {
		return nil
	}
	t, err := compileJSONataTemplate(v)
	if err != nil {
		f.p.add(f.state, f.at+"/"+k, "field %s: %v", k, err)
		return nil
	}
	return t
}

// jexpr reads a field that holds a "{% %}" expression; it leaves any other
// value unread (second result false) for the field's ordinary parser.
func (f *fields) jexpr(k string) (*jsonataExpr, bool) {
	v, ok := f.m[k]
	if !ok {
		return nil, false
	}
	s, isStr := v.(string)
	if !isStr || !isJSONataString(s) {
		return nil, false
	}
	f.used[k] = true
	e, err := compileJSONata(s)
	if err != nil {
		f.p.add(f.state, f.at+"/"+k, "field %s: %v", k, err)
		return nil, true
	}
	return e, true
}

func (f *fields) finish() {
	var unknown []string
	for k := range f.m {
		if !f.used[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		f.p.add(f.state, f.at+"/"+k, "unknown field %s", k)
	}
}

func (p *parser) machine(obj map[string]any, at, inheritedQL string, top bool) *StateMachine {
	f := p.fields(obj, "", at)
	sm := &StateMachine{States: map[string]*State{}}
	sm.Comment = f.str("Comment", false)
	sm.StartAt = f.str("StartAt", true)
	sm.QueryLanguage = inheritedQL
	if f.has("QueryLanguage") {
		sm.QueryLanguage = f.str("QueryLanguage", false)
		if sm.QueryLanguage != QueryLanguageJSONPath && sm.QueryLanguage != QueryLanguageJSONata {
			p.add("", at+"/QueryLanguage", "QueryLanguage must be JSONPath or JSONata")
		}
	}
	if top {
		sm.Version = f.str("Version", false)
		if n, ok := f.integer("TimeoutSeconds", 1); ok {
			sm.TimeoutSeconds = n
		}
	} else {
		f.raw("ProcessorConfig")
	}
	statesRaw, ok := f.raw("States")
	states, isObj := statesRaw.(map[string]any)
	if !ok || !isObj || len(states) == 0 {
		p.add("", at+"/States", "States must be a non-empty object")
	}
	f.finish()
	names := make([]string, 0, len(states))
	for n := range states {
		names = append(names, n)
	}
	sort.Strings(names)
	sm.order = names
	for _, n := range names {
		so, isObj := states[n].(map[string]any)
		if !isObj {
			p.add(n, at+"/States/"+n, "state must be an object")
			continue
		}
		if len(n) > 80 {
			p.add(n, at+"/States/"+n, "state name longer than 80 characters")
		}
		sm.States[n] = p.state(n, so, at+"/States/"+n, sm.QueryLanguage)
	}
	if sm.StartAt != "" && len(states) > 0 {
		if _, ok := states[sm.StartAt]; !ok {
			p.add("", at+"/StartAt", "StartAt %q does not name a state", sm.StartAt)
		}
	}
	p.checkTransitions(sm, at)
	return sm
}

// checkTransitions verifies every Next target exists and every state is reachable.
func (p *parser) checkTransitions(sm *StateMachine, at string) {
	targets := func(s *State) []string {
		var t []string
		if s.Next != "" {
			t = append(t, s.Next)
		}
		if s.Default != "" {
			t = append(t, s.Default)
		}
		walk := func(rs []*ChoiceRule) {
			for _, r := range rs {
				if r.Next != "" {
					t = append(t, r.Next)
				}
			}
		}
		walk(s.Choices)
		for _, c := range s.Catch {
			t = append(t, c.Next)
		}
		return t
	}
	for _, n := range sm.order {
		s := sm.States[n]
		if s == nil {
			continue
		}
		for _, t := range targets(s) {
			if _, ok := sm.States[t]; !ok {
				p.add(n, at+"/States/"+n, "transition to unknown state %q", t)
			}
		}
	}
	if _, ok := sm.States[sm.StartAt]; !ok {
		return
	}
	seen := map[string]bool{sm.StartAt: true}
	queue := []string{sm.StartAt}
	for len(queue) > 0 {
		s := sm.States[queue[0]]
		queue = queue[1:]
		if s == nil {
			continue
		}
		for _, t := range targets(s) {
			if !seen[t] {
				seen[t] = true
				queue = append(queue, t)
			}
		}
	}
	for _, n := range sm.order {
		if !seen[n] {
			p.add(n, at+"/States/"+n, "state is not reachable from StartAt")
		}
	}
}

const knownStateTypes = "Task Pass Choice Wait Succeed Fail Parallel Map"

func (p *parser) state(name string, obj map[string]any, at, inheritedQL string) *State {
	f := p.fields(obj, name, at)
	s := &State{Name: name}
	s.Type = f.str("Type", true)
	s.enteredType, s.exitedType = s.Type+"StateEntered", s.Type+"StateExited"
	s.Comment = f.str("Comment", false)
	s.QueryLanguage = inheritedQL
	if f.has("QueryLanguage") {
		s.QueryLanguage = f.str("QueryLanguage", false)
		if s.QueryLanguage != QueryLanguageJSONPath && s.QueryLanguage != QueryLanguageJSONata {
			p.add(name, at+"/QueryLanguage", "QueryLanguage must be JSONPath or JSONata")
		}
		if inheritedQL == QueryLanguageJSONata && s.QueryLanguage == QueryLanguageJSONPath {
			p.add(name, at+"/QueryLanguage", "a state cannot use JSONPath in a JSONata state machine")
		}
	}
	jsonata := s.QueryLanguage == QueryLanguageJSONata
	if !strings.Contains(" "+knownStateTypes+" ", " "+s.Type+" ") {
		if s.Type != "" {
			p.add(name, at+"/Type", "unknown state type %q", s.Type)
		}
		for k := range obj {
			f.used[k] = true
		}
		return s
	}
	terminal := s.Type == "Succeed" || s.Type == "Fail" || s.Type == "Choice"
	if !terminal {
		s.Next = f.str("Next", false)
		s.End = f.boolean("End")
		switch {
		case s.Next != "" && s.End:
			p.add(name, at, "state has both Next and End")
		case s.Next == "" && !s.End:
			p.add(name, at, "state must have Next or End: true")
		}
	}
	if jsonata {
		s.js = &jsonataState{}
		if f.has("Assign") {
			s.js.assign = f.jtemplate("Assign")
		}
		if s.Type != "Fail" {
			s.js.output = f.jtemplate("Output")
		}
		if s.Type == "Task" || s.Type == "Parallel" {
			s.js.arguments = f.jtemplate("Arguments")
		}
	} else {
		if f.has("Assign") {
			s.Assign = f.template("Assign")
		}
		if s.Type != "Fail" {
			s.InputPath, s.InputPathNull = f.path("InputPath", false)
			s.OutputPath, s.OutputPathNull = f.path("OutputPath", false)
		}
	}
	hasResultPath := s.Type == "Task" || s.Type == "Pass" || s.Type == "Parallel" || s.Type == "Map"
	if hasResultPath && !jsonata {
		s.ResultPath, s.ResultPathNull = f.path("ResultPath", true)
	}
	if (s.Type == "Task" || s.Type == "Pass" || s.Type == "Parallel" || s.Type == "Map") && !jsonata {
		s.Parameters = f.template("Parameters")
	}
	if (s.Type == "Task" || s.Type == "Parallel" || s.Type == "Map") && !jsonata {
		s.ResultSelector = f.template("ResultSelector")
	}
	if s.Type == "Task" || s.Type == "Parallel" || s.Type == "Map" {
		s.Retry = p.retriers(f, name, at)
		s.Catch = p.catchers(f, name, at, jsonata)
	}
	switch s.Type {
	case "Pass":
		if v, ok := f.raw("Result"); ok {
			s.Result, s.HasResult = v, true
		}
	case "Task":
		s.Resource = f.str("Resource", true)
		var jt, jh bool
		if jsonata {
			s.js.timeout, jt = f.jexpr("TimeoutSeconds")
			s.js.heartbeat, jh = f.jexpr("HeartbeatSeconds")
		}
		if !jt {
			if n, ok := f.integer("TimeoutSeconds", 1); ok {
				s.TimeoutSeconds = n
			}
		}
		if !jh {
			if n, ok := f.integer("HeartbeatSeconds", 1); ok {
				s.HeartbeatSeconds = n
			}
		}
		if !jsonata {
			s.TimeoutSecondsPath, _ = f.path("TimeoutSecondsPath", false)
			s.HeartbeatSecondsPath, _ = f.path("HeartbeatSecondsPath", false)
		}
		if f.has("TimeoutSeconds") && f.has("TimeoutSecondsPath") {
			p.add(name, at, "TimeoutSeconds and TimeoutSecondsPath are mutually exclusive")
		}
		if f.has("HeartbeatSeconds") && f.has("HeartbeatSecondsPath") {
			p.add(name, at, "HeartbeatSeconds and HeartbeatSecondsPath are mutually exclusive")
		}
		f.raw("Credentials")
		if s.Resource != "" && !strings.HasPrefix(s.Resource, "arn:") {
			p.add(name, at+"/Resource", "Resource must be an ARN: %q", s.Resource)
		}
		timeout := s.TimeoutSeconds
		if timeout == 0 {
			timeout = 99999999
		}
		if s.HeartbeatSeconds > 0 && s.TimeoutSeconds > 0 && s.HeartbeatSeconds >= timeout {
			p.add(name, at+"/HeartbeatSeconds", "HeartbeatSeconds must be smaller than TimeoutSeconds")
		}
	case "Choice":
		s.Default = f.str("Default", false)
		v, ok := f.raw("Choices")
		arr, isArr := v.([]any)
		if !ok || !isArr || len(arr) == 0 {
			p.add(name, at+"/Choices", "Choices must be a non-empty array")
		}
		for i, c := range arr {
			r := p.choiceRule(c, name, fmt.Sprintf("%s/Choices/%d", at, i), true, jsonata)
			if r != nil {
				s.Choices = append(s.Choices, r)
			}
		}
	case "Wait":
		n := 0
		var js bool
		if jsonata {
			s.js.seconds, js = f.jexpr("Seconds")
			if e, ok := f.jexpr("Timestamp"); ok {
				s.js.timestamp = e
			} else if ts := f.str("Timestamp", false); ts != "" {
				s.TimestampRaw = ts
				if t, err := parseTimestamp(ts); err == nil {
					s.Timestamp = &t
				}
			}
		}
		if !js {
			if v, ok := f.integer("Seconds", 0); ok {
				s.Seconds = &v
			}
		}
		if !jsonata {
			s.SecondsPath, _ = f.path("SecondsPath", false)
			s.TimestampPath, _ = f.path("TimestampPath", false)
			if ts := f.str("Timestamp", false); ts != "" {
				s.TimestampRaw = ts
				if t, err := parseTimestamp(ts); err == nil {
					s.Timestamp = &t
				}
			}
		}
		for _, k := range []string{"Seconds", "SecondsPath", "Timestamp", "TimestampPath"} {
			if f.has(k) {
				n++
			}
		}
		if n != 1 {
			p.add(name, at, "Wait needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath")
		}
	case "Fail":
		if jsonata {
			var ok bool
			if s.js.errorExpr, ok = f.jexpr("Error"); !ok {
				s.Error = f.str("Error", false)
			}
			if s.js.causeExpr, ok = f.jexpr("Cause"); !ok {
				s.Cause = f.str("Cause", false)
			}
		} else {
			s.Error = f.str("Error", false)
			s.Cause = f.str("Cause", false)
			s.ErrorPath = p.valueExpr(f, "ErrorPath")
			s.CausePath = p.valueExpr(f, "CausePath")
			if f.has("Error") && f.has("ErrorPath") {
				p.add(name, at, "Error and ErrorPath are mutually exclusive")
			}
			if f.has("Cause") && f.has("CausePath") {
				p.add(name, at, "Cause and CausePath are mutually exclusive")
			}
		}
	case "Parallel":
		v, _ := f.raw("Branches")
		arr, ok := v.([]any)
		if !ok || len(arr) == 0 {
			p.add(name, at+"/Branches", "Branches must be a non-empty array")
		}
		for i, b := range arr {
			bo, ok := b.(map[string]any)
			if !ok {
				p.add(name, fmt.Sprintf("%s/Branches/%d", at, i), "branch must be an object")
				continue
			}
			s.Branches = append(s.Branches, p.machine(bo, fmt.Sprintf("%s/Branches/%d", at, i), s.QueryLanguage, false))
		}
	case "Map":
		p.mapState(f, s, at, jsonata)
	}
	f.finish()
	return s
}

func (p *parser) mapState(f *fields, s *State, at string, jsonata bool) {
	name := s.Name
	if !jsonata {
		s.ItemsPath, _ = f.path("ItemsPath", false)
		s.ItemSelector = f.template("ItemSelector")
		s.MaxConcurrencyPath, _ = f.path("MaxConcurrencyPath", false)
		s.ToleratedFailureCountPath, _ = f.path("ToleratedFailureCountPath", false)
		s.ToleratedFailurePercentagePath, _ = f.path("ToleratedFailurePercentagePath", false)
	}
	if s.ItemSelector != nil && s.Parameters != nil {
		p.add(name, at, "ItemSelector and Parameters are mutually exclusive")
	}
	var jm, jc, jp bool
	if jsonata {
		s.js.items = f.jtemplate("Items")
		s.js.itemSelector = f.jtemplate("ItemSelector")
		s.js.maxConcurrency, jm = f.jexpr("MaxConcurrency")
		s.js.toleratedCount, jc = f.jexpr("ToleratedFailureCount")
		s.js.toleratedPct, jp = f.jexpr("ToleratedFailurePercentage")
	}
	if jm {
		// read above
	} else if v, ok := f.integer("MaxConcurrency", 0); ok {
		s.MaxConcurrency = v
	}
	if jc {
		// read above
	} else if v, ok := f.raw("ToleratedFailureCount"); ok {
		if n, isInt := asInteger(v); isInt {
			s.ToleratedFailureCount = &n
		} else {
			p.add(name, at+"/ToleratedFailureCount", "ToleratedFailureCount must be an integer")
		}
	}
	if jp {
		// read above
	} else if v, ok := f.number("ToleratedFailurePercentage"); ok {
		s.ToleratedFailurePercentage = &v
	}
	s.Label = f.str("Label", false)
	f.raw("ItemReader")
	f.raw("ResultWriter")
	f.raw("ItemBatcher")
	var proc any
	key := "ItemProcessor"
	if v, ok := f.raw("ItemProcessor"); ok {
		proc = v
	}
	if v, ok := f.raw("Iterator"); ok {
		if proc != nil {
			p.add(name, at, "ItemProcessor and Iterator are mutually exclusive")
		}
		proc, key = v, "Iterator"
	}
	po, ok := proc.(map[string]any)
	if !ok {
		p.add(name, at+"/ItemProcessor", "Map needs an ItemProcessor object")
		return
	}
	s.ItemProcessor = p.machine(po, at+"/"+key, s.QueryLanguage, false)
}

func (p *parser) valueExpr(f *fields, k string) expr {
	v, ok := f.raw(k)
	if !ok {
		return nil
	}
	str, isStr := v.(string)
	if !isStr {
		p.add(f.state, f.at+"/"+k, "field %s must be a string", k)
		return nil
	}
	e, err := compileValueExpr(str)
	if err != nil {
		p.add(f.state, f.at+"/"+k, "field %s: %v", k, err)
		return nil
	}
	return e
}

func (p *parser) errorEquals(f *fields, state, at string) []string {
	v, _ := f.raw("ErrorEquals")
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		p.add(state, at+"/ErrorEquals", "ErrorEquals must be a non-empty array of strings")
		return nil
	}
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		s, ok := e.(string)
		if !ok {
			p.add(state, at+"/ErrorEquals", "ErrorEquals must contain strings")
			continue
		}
		out = append(out, s)
	}
	for i, s := range out {
		if s == ErrAll && (len(out) > 1 || i != len(out)-1) {
			p.add(state, at+"/ErrorEquals", "States.ALL must appear alone")
		}
	}
	return out
}

func (p *parser) retriers(sf *fields, state, at string) []*Retrier {
	v, ok := sf.raw("Retry")
	if !ok {
		return nil
	}
	arr, isArr := v.([]any)
	if !isArr {
		p.add(state, at+"/Retry", "Retry must be an array")
		return nil
	}
	var out []*Retrier
	for i, e := range arr {
		rat := fmt.Sprintf("%s/Retry/%d", at, i)
		o, isObj := e.(map[string]any)
		if !isObj {
			p.add(state, rat, "retrier must be an object")
			continue
		}
		f := p.fields(o, state, rat)
		r := &Retrier{IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2}
		r.ErrorEquals = p.errorEquals(f, state, rat)
		if n, ok := f.integer("IntervalSeconds", 1); ok {
			r.IntervalSeconds = float64(n)
		}
		if n, ok := f.integer("MaxAttempts", 0); ok {
			r.MaxAttempts = n
		}
		if n, ok := f.number("BackoffRate"); ok {
			if n < 1 {
				p.add(state, rat+"/BackoffRate", "BackoffRate must be >= 1.0")
			}
			r.BackoffRate = n
		}
		if n, ok := f.integer("MaxDelaySeconds", 1); ok {
			r.MaxDelaySeconds = float64(n)
		}
		if f.has("JitterStrategy") {
			r.JitterStrategy = f.str("JitterStrategy", false)
			if r.JitterStrategy != "FULL" && r.JitterStrategy != "NONE" {
				p.add(state, rat+"/JitterStrategy", "JitterStrategy must be FULL or NONE")
			}
		}
		f.raw("Comment")
		f.finish()
		if len(out) > 0 && containsAll(out[len(out)-1].ErrorEquals) {
			p.add(state, rat, "a retrier with States.ALL must be the last one")
		}
		out = append(out, r)
	}
	return out
}

func containsAll(errs []string) bool {
	for _, e := range errs {
		if e == ErrAll {
			return true
		}
	}
	return false
}

func (p *parser) catchers(sf *fields, state, at string, jsonata bool) []*Catcher {
	v, ok := sf.raw("Catch")
	if !ok {
		return nil
	}
	arr, isArr := v.([]any)
	if !isArr {
		p.add(state, at+"/Catch", "Catch must be an array")
		return nil
	}
	var out []*Catcher
	for i, e := range arr {
		cat := fmt.Sprintf("%s/Catch/%d", at, i)
		o, isObj := e.(map[string]any)
		if !isObj {
			p.add(state, cat, "catcher must be an object")
			continue
		}
		f := p.fields(o, state, cat)
		c := &Catcher{}
		c.ErrorEquals = p.errorEquals(f, state, cat)
		c.Next = f.str("Next", true)
		if jsonata {
			c.jOutput = f.jtemplate("Output")
			c.jAssign = f.jtemplate("Assign")
		} else {
			c.ResultPath, c.ResultPathNull = f.path("ResultPath", true)
			c.Assign = f.template("Assign")
		}
		f.raw("Comment")
		f.finish()
		if len(out) > 0 && containsAll(out[len(out)-1].ErrorEquals) {
			p.add(state, cat, "a catcher with States.ALL must be the last one")
		}
		out = append(out, c)
	}
	return out
}

// comparisonKind returns the operand kind of a comparison operator.
func comparisonKind(op string) (string, bool) {
	switch op {
	case "StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals", "StringGreaterThanEquals", "StringMatches":
		return "string", true
	case "NumericEquals", "NumericLessThan", "NumericGreaterThan", "NumericLessThanEquals", "NumericGreaterThanEquals":
		return "number", true
	case "BooleanEquals", "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp":
		return "boolean", true
	case "TimestampEquals", "TimestampLessThan", "TimestampGreaterThan", "TimestampLessThanEquals", "TimestampGreaterThanEquals":
		return "timestamp", true
	}
	return "", false
}

func (p *parser) choiceRule(v any, state, at string, top, jsonata bool) *ChoiceRule {
	o, ok := v.(map[string]any)
	if !ok {
		p.add(state, at, "choice rule must be an object")
		return nil
	}
	f := p.fields(o, state, at)
	r := &ChoiceRule{}
	if top {
		r.Next = f.str("Next", true)
		if jsonata {
			r.jAssign = f.jtemplate("Assign")
			r.jOutput = f.jtemplate("Output")
		} else {
			r.Assign = f.template("Assign")
		}
	} else if f.has("Next") {
		p.add(state, at+"/Next", "nested choice rules cannot have Next")
		f.raw("Next")
	}
	f.raw("Comment")
	if jsonata {
		if e, ok := f.jexpr("Condition"); ok {
			r.jCondition = e
		} else if f.has("Condition") {
			f.raw("Condition")
			p.add(state, at+"/Condition", "Condition must be a JSONata expression string \"{%% ... %%}\"")
		} else {
			p.add(state, at+"/Condition", "missing required field Condition")
		}
		f.finish()
		return r
	}
	ops := 0
	for _, k := range []string{"And", "Or"} {
		if vv, ok := f.raw(k); ok {
			ops++
			r.Operator = k
			arr, isArr := vv.([]any)
			if !isArr || len(arr) == 0 {
				p.add(state, at+"/"+k, "%s must be a non-empty array", k)
				continue
			}
			for i, c := range arr {
				if cr := p.choiceRule(c, state, fmt.Sprintf("%s/%s/%d", at, k, i), false, false); cr != nil {
					r.Children = append(r.Children, cr)
				}
			}
		}
	}
	if vv, ok := f.raw("Not"); ok {
		ops++
		r.Operator = "Not"
		if cr := p.choiceRule(vv, state, at+"/Not", false, false); cr != nil {
			r.Children = []*ChoiceRule{cr}
		}
	}
	for k := range o {
		base := strings.TrimSuffix(k, "Path")
		kind, isOp := comparisonKind(k)
		isPathForm := false
		if !isOp && base != k {
			if _, isOp = comparisonKind(base); isOp && !strings.HasPrefix(base, "Is") && base != "StringMatches" {
				isPathForm = true
				kind = "path"
			} else {
				isOp = false
			}
		}
		if !isOp {
			continue
		}
		ops++
		val, _ := f.raw(k)
		if isPathForm {
			r.Operator = base
			s, _ := val.(string)
			pth, err := CompilePath(s)
			if err != nil {
				p.add(state, at+"/"+k, "%s must be a valid JSONPath: %v", k, err)
			}
			r.OperandPath = pth
			continue
		}
		r.Operator = k
		r.Operand = val
		valid := false
		switch kind {
		case "string":
			_, valid = val.(string)
		case "number":
			valid = isNumber(val)
		case "boolean":
			_, valid = val.(bool)
		case "timestamp":
			if s, isStr := val.(string); isStr {
				t, err := parseTimestamp(s)
				valid = err == nil
				r.Operand = t
			}
		}
		if !valid {
			p.add(state, at+"/"+k, "%s needs a %s operand", k, kind)
		}
		if k == "StringMatches" && valid {
			r.pattern = compileWildcard(val.(string))
		}
	}
	if ops != 1 {
		p.add(state, at, "choice rule must have exactly one comparison operator or And/Or/Not (found %d)", ops)
	}
	if r.Operator != "And" && r.Operator != "Or" && r.Operator != "Not" {
		v, _ := f.path("Variable", false)
		if v == nil && ops == 1 {
			p.add(state, at+"/Variable", "comparison needs a Variable")
		}
		r.Variable = v
	}
	f.finish()
	return r
}

// compileWildcard turns a StringMatches pattern (only * is special; \* and
// \\ escape) into an anchored regexp.
func compileWildcard(pat string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch {
		case c == '\\' && i+1 < len(pat):
			i++
			b.WriteString(regexp.QuoteMeta(string(pat[i])))
		case c == '*':
			b.WriteString("(?s:.*)")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// parseTimestamp accepts RFC3339 as Step Functions does (upper-case T and Z,
// offset required).
func parseTimestamp(s string) (time.Time, error) {
	if strings.ContainsAny(s, "tz") {
		return time.Time{}, errors.New("lower-case designators are not allowed")
	}
	return time.Parse(time.RFC3339Nano, s)
}
