package ddb

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"

	"github.com/hotline12345/hotline/internal/localmode/ddb/av"
)

// targetPrefix starts the X-Amz-Target of every DynamoDB operation.
const targetPrefix = "DynamoDB_20120810."

// maxRequestBytes bounds a request body: 25 items of 400 KB and change.
const maxRequestBytes = 16 << 20

// Handler serves the engine over DynamoDB's JSON protocol (the SDKs' and the
// AWS CLI's): POST, X-Amz-Target DynamoDB_20120810.<Operation>, JSON body.
// Answers carry X-Amz-Crc32, which the SDKs check.
func (e *Engine) Handler(log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var seq atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amzn-RequestId", fmt.Sprintf("LOCAL%015d", seq.Add(1)))
		op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
		if r.Method != http.MethodPost || !ok {
			writeError(w, &Error{Type: excUnknownOperation, Status: http.StatusBadRequest, Message: "the request is not a DynamoDB operation (POST with X-Amz-Target DynamoDB_20120810.<Operation>)"})
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
		if err != nil {
			writeError(w, &Error{Type: excSerialization, Status: http.StatusRequestEntityTooLarge, Message: "the request body is too large or could not be read"})
			return
		}
		e.ServeOperation(w, r, op, body, log)
	})
}

// ServeOperation answers one operation whose body is already read (the
// local AWS edge reads it to route the request).
func (e *Engine) ServeOperation(w http.ResponseWriter, r *http.Request, op string, body []byte, log *slog.Logger) {
	out, err := e.Do(op, body)
	if err != nil {
		de := asError(err)
		if de.Status >= 500 && log != nil {
			log.ErrorContext(r.Context(), "dynamodb operation failed", "op", op, "err", err)
		}
		writeError(w, de)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// Do runs one operation on its JSON request and gives its answer.
func (e *Engine) Do(op string, body []byte) (_ any, err error) {
	if err := e.enter(); err != nil {
		return nil, err
	}
	defer e.life.RUnlock()
	if e.opts.Sync && writeOps[op] {
		defer e.syncLog(&err)
	}
	switch op {
	case "CreateTable":
		return decodeAnd(body, func(in CreateTableInput) (any, error) {
			d, err := e.CreateTable(in)
			return map[string]any{"TableDescription": d}, err
		})
	case "DescribeTable":
		return decodeAnd(body, func(in struct{ TableName string }) (any, error) {
			d, err := e.DescribeTable(in.TableName)
			return map[string]any{"Table": d}, err
		})
	case "DeleteTable":
		return decodeAnd(body, func(in struct{ TableName string }) (any, error) {
			d, err := e.DeleteTable(in.TableName)
			return map[string]any{"TableDescription": d}, err
		})
	case "ListTables":
		return decodeAnd(body, func(in ListTablesInput) (any, error) { return e.ListTables(in) })
	case "UpdateTimeToLive":
		return decodeAnd(body, func(in struct {
			TableName               string
			TimeToLiveSpecification TTLSpec
		}) (any, error) {
			s, err := e.UpdateTimeToLive(in.TableName, in.TimeToLiveSpecification)
			return map[string]any{"TimeToLiveSpecification": s}, err
		})
	case "DescribeTimeToLive":
		return decodeAnd(body, func(in struct{ TableName string }) (any, error) {
			d, err := e.DescribeTimeToLive(in.TableName)
			return map[string]any{"TimeToLiveDescription": d}, err
		})
	case "PutItem":
		return decodeAnd(body, func(in PutItemInput) (any, error) { return e.PutItem(in) })
	case "GetItem":
		return decodeAnd(body, func(in GetItemInput) (any, error) { return e.GetItem(in) })
	case "DeleteItem":
		return decodeAnd(body, func(in DeleteItemInput) (any, error) { return e.DeleteItem(in) })
	case "UpdateItem":
		return decodeAnd(body, func(in UpdateItemInput) (any, error) { return e.UpdateItem(in) })
	case "Query":
		return decodeAnd(body, func(in QueryInput) (any, error) { return e.Query(in) })
	case "Scan":
		return decodeAnd(body, func(in ScanInput) (any, error) { return e.Scan(in) })
	case "TransactWriteItems":
		return decodeAnd(body, func(in TransactWriteItemsInput) (any, error) { return e.TransactWriteItems(in) })
	case "TransactGetItems":
		return decodeAnd(body, func(in TransactGetItemsInput) (any, error) { return e.TransactGetItems(in) })
	case "BatchWriteItem":
		return decodeAnd(body, func(in BatchWriteItemInput) (any, error) { return e.BatchWriteItem(in) })
	case "BatchGetItem":
		return decodeAnd(body, func(in BatchGetItemInput) (any, error) { return e.BatchGetItem(in) })
	}
	return nil, &Error{Type: excUnknownOperation, Status: http.StatusBadRequest, Message: "the local DynamoDB engine does not support the operation " + op}
}

// writeOps are the operations that can change the store.
var writeOps = map[string]bool{
	"CreateTable": true, "DeleteTable": true, "UpdateTimeToLive": true, "PutItem": true, "DeleteItem": true,
	"UpdateItem": true, "TransactWriteItems": true, "BatchWriteItem": true,
}

// syncLog waits until the store's log is on disk through the last commit
// (outside the write lock, so concurrent writers share one flush), and
// turns a failed flush into the operation's error: the write may be lost.
func (e *Engine) syncLog(err *error) {
	if *err != nil {
		return
	}
	if serr := e.db.LogData(nil, pebble.Sync); serr != nil {
		*err = &Error{Type: excInternal, Status: http.StatusInternalServerError, Message: "the write may not be on disk: " + serr.Error()}
	}
}

// decodeAnd decodes a request and runs fn on it. A body that is not the
// operation's shape is a SerializationException, a value DynamoDB refuses a
// ValidationException, as DynamoDB answers them.
func decodeAnd[In any](body []byte, fn func(In) (any, error)) (any, error) {
	var in In
	if len(body) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, &in); err != nil {
		var inv *av.InvalidError
		if errors.As(err, &inv) {
			return nil, validation("%s", inv.Msg)
		}
		return nil, &Error{Type: excSerialization, Status: http.StatusBadRequest, Message: serializationMessage(err)}
	}
	return fn(in)
}

func serializationMessage(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "Unexpected value type in payload at " + te.Field
	}
	return "the request body is not valid JSON"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"encode the answer"}`)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(b)), 10))
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, e *Error) {
	body := map[string]any{"__type": "com.amazonaws.dynamodb.v20120810#" + e.Type, "message": e.Message}
	if e.Item != nil {
		body["Item"] = e.Item
	}
	if e.Reasons != nil {
		body["CancellationReasons"] = e.Reasons
	}
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	writeJSON(w, status, body)
}
