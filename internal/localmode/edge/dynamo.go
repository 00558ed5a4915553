package edge

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
)

// dynamoService fronts the embedded minidyn server and fills the gaps the
// platform meets: TTL configuration calls, ListTables, and an empty
// TableStatus (reported as ACTIVE so SDK waiters terminate).
type dynamoService struct {
	inner http.Handler

	mu     sync.Mutex
	tables map[string]bool
	ttl    map[string]string // table -> TTL attribute name (enabled)
}

func newDynamoService(inner http.Handler) *dynamoService {
	return &dynamoService{inner: inner, tables: map[string]bool{}, ttl: map[string]string{}}
}

// minidynSupports lists the operations minidyn implements; anything else
// would get a plain-text error from it, which the SDK cannot parse.
func minidynSupports(op string) bool {
	switch op {
	case "CreateTable", "UpdateTable", "DeleteTable", "DescribeTable",
		"PutItem", "DeleteItem", "UpdateItem", "GetItem", "Query", "Scan",
		"BatchWriteItem", "BatchGetItem", "TransactWriteItems", "TransactGetItems":
		return true
	}
	return false
}

const amzJSON10 = "application/x-amz-json-1.0"

func (d *dynamoService) serve(w http.ResponseWriter, r *http.Request, op string, body []byte) {
	switch op {
	case "ListTables":
		d.listTables(w, body)
		return
	case "UpdateTimeToLive":
		d.updateTTL(w, r, body)
		return
	case "DescribeTimeToLive":
		d.describeTTL(w, r, body)
		return
	}
	if !minidynSupports(op) {
		writeJSONError(w, http.StatusBadRequest, "com.amazon.coral.service#UnknownOperationException",
			"the local AWS edge does not support DynamoDB operation "+op)
		return
	}
	rec := d.call(r, op, body)
	out := rec.Body.Bytes()
	if rec.Code == http.StatusOK {
		switch op {
		case "CreateTable":
			if name := tableName(body); name != "" {
				d.mu.Lock()
				d.tables[name] = true
				d.mu.Unlock()
			}
			out = patchTableStatus(out, "TableDescription")
		case "DeleteTable":
			if name := tableName(body); name != "" {
				d.mu.Lock()
				delete(d.tables, name)
				delete(d.ttl, name)
				d.mu.Unlock()
			}
		case "DescribeTable":
			out = patchTableStatus(out, "Table")
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(out)
}

// call runs one request through minidyn and captures the answer.
func (d *dynamoService) call(r *http.Request, op string, body []byte) *httptest.ResponseRecorder {
	req := r.Clone(r.Context())
	req.Body = http.NoBody
	if len(body) > 0 {
		req.Body = readCloser{bytes.NewReader(body)}
	}
	req.ContentLength = int64(len(body))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	rec := httptest.NewRecorder()
	d.inner.ServeHTTP(rec, req)
	return rec
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

func tableName(body []byte) string {
	var in struct{ TableName string }
	_ = json.Unmarshal(body, &in)
	return in.TableName
}

// patchTableStatus sets TableStatus to ACTIVE where minidyn leaves it empty;
// minidyn creates tables synchronously, so ACTIVE is the truth.
func patchTableStatus(out []byte, field string) []byte {
	var top map[string]json.RawMessage
	if json.Unmarshal(out, &top) != nil {
		return out
	}
	var desc map[string]json.RawMessage
	if json.Unmarshal(top[field], &desc) != nil || desc == nil {
		return out
	}
	var status string
	_ = json.Unmarshal(desc["TableStatus"], &status)
	if status != "" {
		return out
	}
	desc["TableStatus"] = json.RawMessage(`"ACTIVE"`)
	b, err := json.Marshal(desc)
	if err != nil {
		return out
	}
	top[field] = b
	patched, err := json.Marshal(top)
	if err != nil {
		return out
	}
	return patched
}

// exists asks minidyn whether a table exists, so TTL calls fail like AWS for
// unknown tables even when the table was created before we tracked it.
func (d *dynamoService) exists(r *http.Request, name string) bool {
	b, _ := json.Marshal(map[string]string{"TableName": name})
	return d.call(r, "DescribeTable", b).Code == http.StatusOK
}

func (d *dynamoService) listTables(w http.ResponseWriter, body []byte) {
	var in struct {
		ExclusiveStartTableName string
		Limit                   int
	}
	if len(body) > 0 && json.Unmarshal(body, &in) != nil {
		writeJSONError(w, http.StatusBadRequest, "SerializationException", "malformed ListTables request")
		return
	}
	d.mu.Lock()
	names := make([]string, 0, len(d.tables))
	for n := range d.tables {
		if n > in.ExclusiveStartTableName {
			names = append(names, n)
		}
	}
	d.mu.Unlock()
	sort.Strings(names)
	out := struct {
		TableNames             []string `json:"TableNames"`
		LastEvaluatedTableName string   `json:"LastEvaluatedTableName,omitempty"`
	}{TableNames: names}
	limit := in.Limit
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	if len(names) > limit {
		out.TableNames = names[:limit]
		out.LastEvaluatedTableName = names[limit-1]
	}
	writeJSON(w, amzJSON10, out)
}

type ttlSpec struct {
	AttributeName string `json:"AttributeName"`
	Enabled       bool   `json:"Enabled"`
}

func (d *dynamoService) updateTTL(w http.ResponseWriter, r *http.Request, body []byte) {
	var in struct {
		TableName               string
		TimeToLiveSpecification *ttlSpec
	}
	if json.Unmarshal(body, &in) != nil || in.TableName == "" || in.TimeToLiveSpecification == nil ||
		in.TimeToLiveSpecification.AttributeName == "" {
		writeJSONError(w, http.StatusBadRequest, "ValidationException",
			"UpdateTimeToLive needs TableName and TimeToLiveSpecification.AttributeName")
		return
	}
	if !d.exists(r, in.TableName) {
		writeJSONError(w, http.StatusBadRequest, "ResourceNotFoundException", "Requested resource not found")
		return
	}
	d.mu.Lock()
	if in.TimeToLiveSpecification.Enabled {
		d.ttl[in.TableName] = in.TimeToLiveSpecification.AttributeName
	} else {
		delete(d.ttl, in.TableName)
	}
	d.mu.Unlock()
	// Items are not expired locally: TTL deletion is best-effort in AWS too,
	// so code must already filter on the ttl attribute.
	writeJSON(w, amzJSON10, map[string]any{"TimeToLiveSpecification": in.TimeToLiveSpecification})
}

func (d *dynamoService) describeTTL(w http.ResponseWriter, r *http.Request, body []byte) {
	var in struct{ TableName string }
	if json.Unmarshal(body, &in) != nil || in.TableName == "" {
		writeJSONError(w, http.StatusBadRequest, "ValidationException", "DescribeTimeToLive needs TableName")
		return
	}
	if !d.exists(r, in.TableName) {
		writeJSONError(w, http.StatusBadRequest, "ResourceNotFoundException", "Requested resource not found")
		return
	}
	d.mu.Lock()
	attr, ok := d.ttl[in.TableName]
	d.mu.Unlock()
	desc := map[string]string{"TimeToLiveStatus": "DISABLED"}
	if ok {
		desc = map[string]string{"TimeToLiveStatus": "ENABLED", "AttributeName": attr}
	}
	writeJSON(w, amzJSON10, map[string]any{"TimeToLiveDescription": desc})
}
