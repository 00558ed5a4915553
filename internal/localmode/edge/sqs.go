package edge

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// sqsService emulates a standard (non-FIFO) SQS over the awsJson 1.0 protocol
// that aws-sdk-go-v2 speaks and the query protocol of older clients
// (sqs_query.go); both decode into the same inputs and run the same calls.
type sqsService struct {
	region    string
	accountID string
	clock     Clock

	mu     sync.Mutex
	queues map[string]*sqsQueue

	// keep, when set, is written every change (keep.go); the rest is its
	// bookkeeping, guarded by mu.
	keep    *keep
	seq     uint64   // the last message sequence number given out
	pending []keptOp // changes made under mu, written before it is released
	undo    []func() // how to take pending sends back if their write fails
}

type sqsQueue struct {
	name     string
	arn      string
	attrs    map[string]string // settable attributes, normalised
	created  time.Time
	modified time.Time
	msgs     []*sqsMessage
	deleted  bool
	// changed is closed (and replaced) whenever a message may have become
	// receivable, waking long polls without busy-waiting.
	changed chan struct{}
}

type sqsMessage struct {
	seq          uint64 // its place in the store's key order (keep.go)
	id           string
	body         string
	md5Body      string
	attrs        map[string]sqsAttr
	sent         time.Time
	visibleAt    time.Time
	receiveCount int
	firstReceive time.Time
	receipt      string // the latest receipt handle; older ones are stale
}

type sqsAttr struct {
	DataType    string  `json:"DataType"`
	StringValue *string `json:"StringValue,omitempty"`
	BinaryValue []byte  `json:"BinaryValue,omitempty"`
}

// sqsError is an SQS error in the shape aws-sdk-go-v2 turns into the typed
// errors of service/sqs/types (shape name in __type, awsQuery code in the
// x-amzn-query-error header because SQS is @awsQueryCompatible).
type sqsError struct {
	status    int
	shape     string
	queryCode string
	message   string
}

func (e *sqsError) Error() string { return e.shape + ": " + e.message }

func errNoQueue() *sqsError {
	return &sqsError{400, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist."}
}

func errInvalidParam(format string, args ...any) *sqsError {
	return &sqsError{400, "InvalidParameterValue", "InvalidParameterValue", fmt.Sprintf(format, args...)}
}

func errMissingParam(name string) *sqsError {
	return &sqsError{400, "MissingParameter", "MissingParameter", "The request must contain the parameter " + name + "."}
}

func errInvalidReceipt() *sqsError {
	return &sqsError{400, "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", "The input receipt handle is not a valid receipt handle."}
}

const (
	defaultVisibility = 30
	maxLongPoll       = 20
)

func newSQSService(region, accountID string, clock Clock) *sqsService {
	return &sqsService{region: region, accountID: accountID, clock: clock, queues: map[string]*sqsQueue{}}
}

// sqsCall is one SQS operation ready to run: in points at the operation's
// input, which a protocol decoder fills before run. Both protocols (JSON and
// query) go through the same calls, so the queue semantics exist once.
type sqsCall struct {
	in  any
	run func() (any, *sqsError)
}

// call prepares operation op; base is the scheme and host queue URLs are
// built on. ok is false for operations the edge does not serve.
func (s *sqsService) call(ctx context.Context, base, op string) (c sqsCall, ok bool) {
	bind := func(in any, run func() (any, *sqsError)) (sqsCall, bool) { return sqsCall{in, run}, true }
	switch op {
	case "CreateQueue":
		in := &createQueueInput{}
		return bind(in, func() (any, *sqsError) { return s.createQueue(base, in) })
	case "GetQueueUrl":
		in := &getQueueURLInput{}
		return bind(in, func() (any, *sqsError) { return s.getQueueURL(base, in) })
	case "ListQueues":
		in := &listQueuesInput{}
		return bind(in, func() (any, *sqsError) { return s.listQueues(base, in) })
	case "DeleteQueue":
		in := &queueURLInput{}
		return bind(in, func() (any, *sqsError) { return s.deleteQueue(in) })
	case "PurgeQueue":
		in := &queueURLInput{}
		return bind(in, func() (any, *sqsError) { return s.purgeQueue(in) })
	case "GetQueueAttributes":
		in := &getAttributesInput{}
		return bind(in, func() (any, *sqsError) { return s.getQueueAttributes(in) })
	case "SetQueueAttributes":
		in := &setAttributesInput{}
		return bind(in, func() (any, *sqsError) { return s.setQueueAttributes(in) })
	case "SendMessage":
		in := &sendInput{}
		return bind(in, func() (any, *sqsError) { return s.sendMessage(in) })
	case "SendMessageBatch":
		in := &sendBatchInput{}
		return bind(in, func() (any, *sqsError) { return s.sendMessageBatch(in) })
	case "ReceiveMessage":
		in := &receiveInput{}
		return bind(in, func() (any, *sqsError) { return s.receiveMessage(ctx, in) })
	case "DeleteMessage":
		in := &receiptInput{}
		return bind(in, func() (any, *sqsError) { return s.deleteMessage(in) })
	case "DeleteMessageBatch":
		in := &receiptBatchInput{}
		return bind(in, func() (any, *sqsError) { return s.deleteMessageBatch(in) })
	case "ChangeMessageVisibility":
		in := &receiptInput{}
		return bind(in, func() (any, *sqsError) { return s.changeVisibility(in) })
	case "ChangeMessageVisibilityBatch":
		in := &receiptBatchInput{}
		return bind(in, func() (any, *sqsError) { return s.changeVisibilityBatch(in) })
	}
	return sqsCall{}, false
}

func errUnsupported(op string) *sqsError {
	return &sqsError{400, "UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation",
		"the local AWS edge does not support SQS operation " + op}
}

// serve answers one request in SQS's JSON protocol.
func (s *sqsService) serve(w http.ResponseWriter, r *http.Request, op string, body []byte) {
	out, err := s.serveJSON(r, op, body, false)
	if err != nil {
		writeSQSJSONError(w, err)
		return
	}
	writeJSON(w, amzJSON10, out)
}

func (s *sqsService) serveJSON(r *http.Request, op string, body []byte, peek bool) (any, *sqsError) {
	c, ok := s.call(r.Context(), baseURL(r), op)
	if !ok {
		return nil, errUnsupported(op)
	}
	if err := decode(body, c.in); err != nil {
		return nil, err
	}
	if peek {
		return s.peekCall(op, c.in)
	}
	return c.run()
}

func writeSQSJSONError(w http.ResponseWriter, err *sqsError) {
	fault := ";Sender"
	if err.status >= 500 {
		fault = ";Receiver"
	}
	w.Header().Set("X-Amzn-Query-Error", err.queryCode+fault)
	writeJSONError(w, err.status, "com.amazonaws.sqs#"+err.shape, err.message)
}

// decode parses an SQS JSON request body.
func decode(body []byte, v any) *sqsError {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &sqsError{400, "InvalidParameterValue", "InvalidParameterValue", "malformed request: " + err.Error()}
	}
	return nil
}

// baseURL is the scheme and host the request came to; queue URLs are built
// on it, path-style like LocalStack's: <base>/<account>/<name>.
func baseURL(r *http.Request) string {
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + host
}

func (s *sqsService) queueURL(base, name string) string {
	return base + "/" + s.accountID + "/" + name
}

// lookup resolves a queue URL to a queue; s.mu must be held. Only the last
// path segment matters, so URLs built for another host name still work.
func (s *sqsService) lookup(queueURL string) (*sqsQueue, *sqsError) {
	if queueURL == "" {
		return nil, errMissingParam("QueueUrl")
	}
	u, err := url.Parse(queueURL)
	if err != nil {
		return nil, errNoQueue()
	}
	path := strings.TrimRight(u.Path, "/")
	name := path[strings.LastIndex(path, "/")+1:]
	q, ok := s.queues[name]
	if !ok {
		return nil, errNoQueue()
	}
	return q, nil
}

func validQueueName(name string) bool {
	if name == "" || len(name) > 80 {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// normaliseAttr validates a settable queue attribute and returns its stored form.
// normaliseAttrs checks and normalises the queue attributes of a request.
func normaliseAttrs(attrs map[string]string) (map[string]string, *sqsError) {
	norm := map[string]string{}
	for k, v := range attrs {
		nv, err := normaliseAttr(k, v)
		if err != nil {
			return nil, err
		}
		norm[k] = nv
	}
	return norm, nil
}

func normaliseAttr(name, value string) (string, *sqsError) {
	intIn := func(lo, hi int) (string, *sqsError) {
		n, err := strconv.Atoi(strings.TrimSpace(value))
		if err != nil || n < lo || n > hi {
			return "", &sqsError{400, "InvalidAttributeValue", "InvalidAttributeValue",
				fmt.Sprintf("Invalid value for the parameter %s: must be an integer from %d to %d.", name, lo, hi)}
		}
		return strconv.Itoa(n), nil
	}
	switch name {
	case "DelaySeconds":
		return intIn(0, 900)
	case "MaximumMessageSize":
		return intIn(1024, 1048576)
	case "MessageRetentionPeriod":
		return intIn(60, 1209600)
	case "ReceiveMessageWaitTimeSeconds":
		return intIn(0, maxLongPoll)
	case "VisibilityTimeout":
		return intIn(0, 43200)
	case "RedrivePolicy":
		if value == "" {
			return "", nil
		}
		if _, _, err := parseRedrive(value); err != nil {
			return "", &sqsError{400, "InvalidAttributeValue", "InvalidAttributeValue", "Invalid value for the parameter RedrivePolicy: " + err.Error()}
		}
		return value, nil
	case "Policy", "RedriveAllowPolicy", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled":
		return value, nil // accepted and reported back; no effect locally
	case "FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit":
		return "", &sqsError{400, "InvalidAttributeName", "InvalidAttributeName", "FIFO queues are not supported by the local AWS edge"}
	}
	return "", &sqsError{400, "InvalidAttributeName", "InvalidAttributeName", "Unknown Attribute " + name + "."}
}

// parseRedrive reads {"deadLetterTargetArn": "...", "maxReceiveCount": N};
// AWS accepts the count as a number or a string.
func parseRedrive(v string) (arn string, maxReceive int, err error) {
	var p struct {
		DeadLetterTargetArn string          `json:"deadLetterTargetArn"`
		MaxReceiveCount     json.RawMessage `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return "", 0, fmt.Errorf("not valid JSON")
	}
	raw := strings.Trim(string(p.MaxReceiveCount), `"`)
	n, convErr := strconv.Atoi(raw)
	if p.DeadLetterTargetArn == "" || convErr != nil || n < 1 || n > 1000 {
		return "", 0, fmt.Errorf("deadLetterTargetArn and maxReceiveCount (1-1000) are required")
	}
	return p.DeadLetterTargetArn, n, nil
}

func queueDefaults() map[string]string {
	return map[string]string{
		"DelaySeconds":                  "0",
		"MaximumMessageSize":            "1048576",
		"MessageRetentionPeriod":        "345600",
		"ReceiveMessageWaitTimeSeconds": "0",
		"VisibilityTimeout":             strconv.Itoa(defaultVisibility),
		"SqsManagedSseEnabled":          "true",
	}
}

func (q *sqsQueue) seconds(attr string) time.Duration {
	n, _ := strconv.Atoi(q.attrs[attr])
	return time.Duration(n) * time.Second
}

// notify wakes every long poll on the queue.
func (q *sqsQueue) notify() {
	close(q.changed)
	q.changed = make(chan struct{})
}

type createQueueInput struct {
	QueueName  string
	Attributes map[string]string
	Tags       map[string]string // accepted; the edge keeps no tags
}

type queueURLOutput struct{ QueueUrl string }

func (s *sqsService) createQueue(base string, in *createQueueInput) (any, *sqsError) {
	if strings.HasSuffix(in.QueueName, ".fifo") {
		return nil, errInvalidParam("FIFO queues are not supported by the local AWS edge")
	}
	if !validQueueName(in.QueueName) {
		return nil, errInvalidParam("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	norm, aerr := normaliseAttrs(in.Attributes)
	if aerr != nil {
		return nil, aerr
	}
	return s.locked(true, func() (any, *sqsError) {
		if q, ok := s.queues[in.QueueName]; ok {
			for k, v := range norm {
				if q.attrs[k] != v {
					return nil, &sqsError{400, "QueueNameExists", "QueueAlreadyExists",
						"A queue already exists with the same name and a different value for attribute " + k}
				}
			}
			return queueURLOutput{s.queueURL(base, q.name)}, nil
		}
		now := s.clock.Now()
		attrs := queueDefaults()
		for k, v := range norm {
			attrs[k] = v
		}
		q := &sqsQueue{
			name:     in.QueueName,
			arn:      fmt.Sprintf("arn:aws:sqs:%s:%s:%s", s.region, s.accountID, in.QueueName),
			attrs:    attrs,
			created:  now,
			modified: now,
			changed:  make(chan struct{}),
		}
		s.queues[in.QueueName] = q
		s.keepQueue(q)
		if s.keep != nil {
			s.onFailedWrite(func() { delete(s.queues, q.name) })
		}
		return queueURLOutput{s.queueURL(base, in.QueueName)}, nil
	})
}

type getQueueURLInput struct {
	QueueName              string
	QueueOwnerAWSAccountId string
}

func (s *sqsService) getQueueURL(base string, in *getQueueURLInput) (any, *sqsError) {
	if in.QueueOwnerAWSAccountId != "" && in.QueueOwnerAWSAccountId != s.accountID {
		return nil, errNoQueue()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.queues[in.QueueName]; !ok {
		return nil, errNoQueue()
	}
	return queueURLOutput{s.queueURL(base, in.QueueName)}, nil
}

type listQueuesInput struct {
	QueueNamePrefix string
	MaxResults      *int
	NextToken       string
}

type listQueuesOutput struct {
	QueueUrls []string `json:"QueueUrls,omitempty"`
	NextToken string   `json:"NextToken,omitempty"`
}

func (s *sqsService) listQueues(base string, in *listQueuesInput) (any, *sqsError) {
	if in.MaxResults != nil && (*in.MaxResults < 1 || *in.MaxResults > 1000) {
		return nil, errInvalidParam("MaxResults must be from 1 to 1000")
	}
	s.mu.Lock()
	names := make([]string, 0, len(s.queues))
	for n := range s.queues {
		if strings.HasPrefix(n, in.QueueNamePrefix) && n > in.NextToken {
			names = append(names, n)
		}
	}
	s.mu.Unlock()
	sort.Strings(names)
	limit := 1000
	if in.MaxResults != nil {
		limit = *in.MaxResults
	}
	out := listQueuesOutput{}
	if len(names) > limit {
		names = names[:limit]
		if in.MaxResults != nil {
			out.NextToken = names[limit-1]
		}
	}
	for _, n := range names {
		out.QueueUrls = append(out.QueueUrls, s.queueURL(base, n))
	}
	return out, nil
}

type queueURLInput struct{ QueueUrl string }

// emptyOutput is the answer of operations that return nothing.
type emptyOutput struct{}

// withQueue runs fn under the lock on the queue queueURL names; what fn
// changes is on disk before the answer (wait for it).
func (s *sqsService) withQueue(queueURL string, fn func(q *sqsQueue) (any, *sqsError)) (any, *sqsError) {
	return s.locked(true, func() (any, *sqsError) {
		q, err := s.lookup(queueURL)
		if err != nil {
			return nil, err
		}
		return fn(q)
	})
}

func (s *sqsService) deleteQueue(in *queueURLInput) (any, *sqsError) {
	return s.withQueue(in.QueueUrl, func(q *sqsQueue) (any, *sqsError) {
		delete(s.queues, q.name)
		q.deleted = true
		q.notify()
		s.dropQueue(q)
		if s.keep != nil {
			s.onFailedWrite(func() { s.queues[q.name], q.deleted = q, false })
		}
		return emptyOutput{}, nil
	})
}

func (s *sqsService) purgeQueue(in *queueURLInput) (any, *sqsError) {
	return s.withQueue(in.QueueUrl, func(q *sqsQueue) (any, *sqsError) {
		if s.keep != nil {
			old := q.msgs
			s.onFailedWrite(func() { q.msgs = old })
		}
		q.msgs = nil
		s.dropMessages(q)
		return emptyOutput{}, nil
	})
}

type getAttributesInput struct {
	QueueUrl       string
	AttributeNames []string
}

type attributesOutput struct {
	Attributes map[string]string
}

func (s *sqsService) getQueueAttributes(in *getAttributesInput) (any, *sqsError) {
	// Not a read only: expiry drops messages, written without waiting.
	return s.locked(false, func() (any, *sqsError) { return s.queueAttributes(in) })
}

// queueAttributes answers GetQueueAttributes; s.mu must be held.
func (s *sqsService) queueAttributes(in *getAttributesInput) (any, *sqsError) {
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	s.expire(q, now)
	all := map[string]string{}
	for k, v := range q.attrs {
		if v != "" {
			all[k] = v
		}
	}
	var visible, inflight, delayed int
	for _, m := range q.msgs {
		switch {
		case !m.visibleAt.After(now):
			visible++
		case m.receiveCount == 0:
			delayed++
		default:
			inflight++
		}
	}
	all["ApproximateNumberOfMessages"] = strconv.Itoa(visible)
	all["ApproximateNumberOfMessagesNotVisible"] = strconv.Itoa(inflight)
	all["ApproximateNumberOfMessagesDelayed"] = strconv.Itoa(delayed)
	all["QueueArn"] = q.arn
	all["CreatedTimestamp"] = strconv.FormatInt(q.created.Unix(), 10)
	all["LastModifiedTimestamp"] = strconv.FormatInt(q.modified.Unix(), 10)

	out := map[string]string{}
	for _, name := range in.AttributeNames {
		if name == "All" {
			out = all
			break
		}
		v, ok := all[name]
		if !ok {
			if _, known := queueDefaults()[name]; !known && name != "RedrivePolicy" && name != "Policy" &&
				name != "RedriveAllowPolicy" && name != "KmsMasterKeyId" && name != "KmsDataKeyReusePeriodSeconds" {
				return nil, &sqsError{400, "InvalidAttributeName", "InvalidAttributeName", "Unknown Attribute " + name + "."}
			}
			continue
		}
		out[name] = v
	}
	return attributesOutput{out}, nil
}

type setAttributesInput struct {
	QueueUrl   string
	Attributes map[string]string
}

func (s *sqsService) setQueueAttributes(in *setAttributesInput) (any, *sqsError) {
	norm, aerr := normaliseAttrs(in.Attributes)
	if aerr != nil {
		return nil, aerr
	}
	return s.withQueue(in.QueueUrl, func(q *sqsQueue) (any, *sqsError) {
		if s.keep != nil {
			attrs, modified := maps.Clone(q.attrs), q.modified
			s.onFailedWrite(func() { q.attrs, q.modified = attrs, modified })
		}
		for k, v := range norm {
			q.attrs[k] = v
		}
		q.modified = s.clock.Now()
		q.notify()
		s.keepQueue(q)
		return emptyOutput{}, nil
	})
}

// validBody applies SQS's allowed character set:
// #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
func validBody(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		switch {
		case c == 0x9 || c == 0xA || c == 0xD:
		case c >= 0x20 && c <= 0xD7FF:
		case c >= 0xE000 && c <= 0xFFFD:
		case c >= 0x10000 && c <= 0x10FFFF:
		default:
			return false
		}
	}
	return true
}

func validateMessageAttrs(attrs map[string]sqsAttr) (size int, err *sqsError) {
	if len(attrs) > 10 {
		return 0, errInvalidParam("Number of message attributes [%d] exceeds the allowed maximum [10].", len(attrs))
	}
	for name, a := range attrs {
		if name == "" || len(name) > 256 || strings.HasPrefix(strings.ToLower(name), "aws.") ||
			strings.HasPrefix(strings.ToLower(name), "amazon.") || strings.Contains(name, "..") {
			return 0, errInvalidParam("Message attribute name '%s' is invalid.", name)
		}
		base, _, _ := strings.Cut(a.DataType, ".")
		switch base {
		case "String", "Number":
			if a.StringValue == nil {
				return 0, errInvalidParam("Message attribute '%s' must contain a non-empty value of type '%s'.", name, base)
			}
			if !validBody(*a.StringValue) {
				return 0, errInvalidParam("Message attribute '%s' contains invalid characters.", name)
			}
			size += len(*a.StringValue)
		case "Binary":
			if a.BinaryValue == nil {
				return 0, errInvalidParam("Message attribute '%s' must contain a non-empty value of type 'Binary'.", name)
			}
			size += len(a.BinaryValue)
		default:
			return 0, errInvalidParam("The type of message attribute '%s' is invalid.", name)
		}
		size += len(name) + len(a.DataType)
	}
	return size, nil
}

// md5OfAttrs implements SQS's MD5OfMessageAttributes: attributes sorted by
// name, each as length-prefixed name, type, transport byte and value.
func md5OfAttrs(attrs map[string]sqsAttr) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	h := md5.New()
	writeLen := func(b []byte) {
		var l [4]byte
		binary.BigEndian.PutUint32(l[:], uint32(len(b)))
		h.Write(l[:])
		h.Write(b)
	}
	for _, n := range names {
		a := attrs[n]
		writeLen([]byte(n))
		writeLen([]byte(a.DataType))
		if a.BinaryValue != nil && strings.HasPrefix(a.DataType, "Binary") {
			h.Write([]byte{2})
			writeLen(a.BinaryValue)
		} else {
			h.Write([]byte{1})
			v := ""
			if a.StringValue != nil {
				v = *a.StringValue
			}
			writeLen([]byte(v))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

type sendInput struct {
	QueueUrl          string
	MessageBody       *string
	DelaySeconds      *int
	MessageAttributes map[string]sqsAttr
	MessageGroupId    string
}

type sendOutput struct {
	MessageId              string `json:"MessageId"`
	MD5OfMessageBody       string `json:"MD5OfMessageBody"`
	MD5OfMessageAttributes string `json:"MD5OfMessageAttributes,omitempty"`
}

func (s *sqsService) sendMessage(in *sendInput) (any, *sqsError) {
	attrSize, err := validateSend(in.MessageBody, in.DelaySeconds, in.MessageAttributes)
	if err != nil {
		return nil, err
	}
	// The client is told its message is kept: wait for the disk.
	return s.locked(true, func() (any, *sqsError) {
		q, err := s.lookup(in.QueueUrl)
		if err != nil {
			return nil, err
		}
		return s.enqueue(q, *in.MessageBody, in.DelaySeconds, in.MessageAttributes, attrSize)
	})
}

// validateSend checks what a message brings, before its queue is known, and
// returns the size its attributes count for.
func validateSend(body *string, delay *int, attrs map[string]sqsAttr) (int, *sqsError) {
	if body == nil || *body == "" {
		return 0, errMissingParam("MessageBody")
	}
	if !validBody(*body) {
		return 0, &sqsError{400, "InvalidMessageContents", "InvalidMessageContents", "Invalid characters found in the message body."}
	}
	if delay != nil && (*delay < 0 || *delay > 900) {
		return 0, errInvalidParam("Value %d for parameter DelaySeconds is invalid. Reason: must be between 0 and 900.", *delay)
	}
	return validateMessageAttrs(attrs)
}

// enqueue appends a validated message to q; s.mu must be held.
func (s *sqsService) enqueue(q *sqsQueue, body string, delaySeconds *int, attrs map[string]sqsAttr, attrSize int) (sendOutput, *sqsError) {
	maxSize, _ := strconv.Atoi(q.attrs["MaximumMessageSize"])
	if len(body)+attrSize > maxSize {
		return sendOutput{}, errInvalidParam("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", maxSize)
	}
	now := s.clock.Now()
	delay := q.seconds("DelaySeconds")
	if delaySeconds != nil {
		delay = time.Duration(*delaySeconds) * time.Second
	}
	s.seq++
	m := &sqsMessage{
		seq:       s.seq,
		id:        newID(),
		body:      body,
		md5Body:   md5Hex(body),
		attrs:     attrs,
		sent:      now,
		visibleAt: now.Add(delay),
	}
	q.msgs = append(q.msgs, m)
	q.notify()
	s.keepMessage(q, m)
	if s.keep != nil {
		s.onFailedWrite(func() { q.msgs = slices.DeleteFunc(q.msgs, func(x *sqsMessage) bool { return x == m }) })
	}
	return sendOutput{MessageId: m.id, MD5OfMessageBody: m.md5Body, MD5OfMessageAttributes: md5OfAttrs(m.attrs)}, nil
}

// expire drops messages past the retention period; s.mu must be held.
func (s *sqsService) expire(q *sqsQueue, now time.Time) {
	retention := q.seconds("MessageRetentionPeriod")
	kept := q.msgs[:0]
	for _, m := range q.msgs {
		if now.Sub(m.sent) < retention {
			kept = append(kept, m)
		} else {
			s.dropMessage(q, m)
		}
	}
	clear(q.msgs[len(kept):])
	q.msgs = kept
}

type receivedMessage struct {
	MessageId              string             `json:"MessageId"`
	ReceiptHandle          string             `json:"ReceiptHandle"`
	MD5OfBody              string             `json:"MD5OfBody"`
	Body                   string             `json:"Body"`
	Attributes             map[string]string  `json:"Attributes,omitempty"`
	MD5OfMessageAttributes string             `json:"MD5OfMessageAttributes,omitempty"`
	MessageAttributes      map[string]sqsAttr `json:"MessageAttributes,omitempty"`
}

type receiveInput struct {
	QueueUrl                    string
	MaxNumberOfMessages         *int
	VisibilityTimeout           *int
	WaitTimeSeconds             *int
	AttributeNames              []string
	MessageSystemAttributeNames []string
	MessageAttributeNames       []string
}

type receiveOutput struct {
	Messages []receivedMessage `json:"Messages"`
}

func (s *sqsService) receiveMessage(ctx context.Context, in *receiveInput) (any, *sqsError) {
	max := 1
	if in.MaxNumberOfMessages != nil {
		max = *in.MaxNumberOfMessages
		if max < 1 || max > 10 {
			return nil, errInvalidParam("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", max)
		}
	}
	if in.VisibilityTimeout != nil && (*in.VisibilityTimeout < 0 || *in.VisibilityTimeout > 43200) {
		return nil, errInvalidParam("Value %d for parameter VisibilityTimeout is invalid. Reason: must be between 0 and 43200.", *in.VisibilityTimeout)
	}
	if in.WaitTimeSeconds != nil && (*in.WaitTimeSeconds < 0 || *in.WaitTimeSeconds > maxLongPoll) {
		return nil, errInvalidParam("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", *in.WaitTimeSeconds)
	}

	s.mu.Lock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	wait := q.seconds("ReceiveMessageWaitTimeSeconds")
	if in.WaitTimeSeconds != nil {
		wait = time.Duration(*in.WaitTimeSeconds) * time.Second
	}
	deadline := s.clock.Now().Add(wait)
	for {
		now := s.clock.Now()
		msgs, next := s.take(q, now, max, *in)
		if len(msgs) > 0 || !now.Before(deadline) || q.deleted {
			if kerr := s.unlock(false); kerr != nil {
				return nil, kerr
			}
			return receiveOutput{msgs}, nil
		}
		wake := deadline
		if !next.IsZero() && next.Before(wake) {
			wake = next
		}
		changed := q.changed
		if kerr := s.unlock(false); kerr != nil { // take may have expired or redriven some
			return nil, kerr
		}
		fired := waitUntil(ctx, s.clock, wake.Sub(now), changed)
		if ctx.Err() != nil {
			return receiveOutput{[]receivedMessage{}}, nil
		}
		s.mu.Lock()
		if fired && wake.Equal(deadline) {
			// One last look, then end the poll even if the clock has not
			// moved (a stopped fake clock must not make us spin).
			msgs, _ := s.take(q, s.clock.Now(), max, *in)
			if kerr := s.unlock(false); kerr != nil {
				return nil, kerr
			}
			return receiveOutput{msgs}, nil
		}
	}
}

// take receives up to max visible messages and reports when the next
// invisible one becomes visible (zero if none); s.mu must be held.
func (s *sqsService) take(q *sqsQueue, now time.Time, max int, in receiveInput) ([]receivedMessage, time.Time) {
	s.expire(q, now)
	visibility := q.seconds("VisibilityTimeout")
	if in.VisibilityTimeout != nil {
		visibility = time.Duration(*in.VisibilityTimeout) * time.Second
	}
	dlqArn, maxReceive, redriveErr := parseRedrive(q.attrs["RedrivePolicy"])
	var dlq *sqsQueue
	if redriveErr == nil {
		for _, cand := range s.queues {
			if cand.arn == dlqArn && cand != q {
				dlq = cand
			}
		}
	}

	out := []receivedMessage{}
	var next time.Time
	kept := q.msgs[:0]
	for _, m := range q.msgs {
		if m.visibleAt.After(now) || len(out) == max {
			if m.visibleAt.After(now) && (next.IsZero() || m.visibleAt.Before(next)) {
				next = m.visibleAt
			}
			kept = append(kept, m)
			continue
		}
		if dlq != nil && m.receiveCount >= maxReceive {
			// Redrive: the message used up its receives; move it, as AWS
			// does on the next receive attempt.
			s.dropMessage(q, m)
			m.receipt = ""
			s.seq++
			m.seq = s.seq
			dlq.msgs = append(dlq.msgs, m)
			dlq.notify()
			s.keepMessage(dlq, m)
			continue
		}
		m.receiveCount++
		if m.receiveCount == 1 {
			m.firstReceive = now
		}
		m.receipt = newReceipt(q.name, m.id)
		m.visibleAt = now.Add(visibility)
		s.keepMessage(q, m)
		out = append(out, s.render(m, in))
		kept = append(kept, m)
	}
	clear(q.msgs[len(kept):])
	q.msgs = kept
	return out, next
}

func (s *sqsService) render(m *sqsMessage, in receiveInput) receivedMessage {
	rm := receivedMessage{MessageId: m.id, ReceiptHandle: m.receipt, MD5OfBody: m.md5Body, Body: m.body}
	sys := map[string]string{
		"SenderId":                         s.accountID,
		"SentTimestamp":                    strconv.FormatInt(m.sent.UnixMilli(), 10),
		"ApproximateReceiveCount":          strconv.Itoa(m.receiveCount),
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.firstReceive.UnixMilli(), 10),
	}
	for _, name := range append(append([]string{}, in.AttributeNames...), in.MessageSystemAttributeNames...) {
		if name == "All" {
			rm.Attributes = sys
			break
		}
		if v, ok := sys[name]; ok {
			if rm.Attributes == nil {
				rm.Attributes = map[string]string{}
			}
			rm.Attributes[name] = v
		}
	}
	for name, a := range m.attrs {
		if attrWanted(name, in.MessageAttributeNames) {
			if rm.MessageAttributes == nil {
				rm.MessageAttributes = map[string]sqsAttr{}
			}
			rm.MessageAttributes[name] = a
		}
	}
	rm.MD5OfMessageAttributes = md5OfAttrs(rm.MessageAttributes)
	return rm
}

func attrWanted(name string, wanted []string) bool {
	for _, w := range wanted {
		switch {
		case w == "All" || w == ".*":
			return true
		case strings.HasSuffix(w, ".*") && strings.HasPrefix(name, strings.TrimSuffix(w, "*")):
			return true
		case w == name:
			return true
		}
	}
	return false
}

// newReceipt encodes queue and message id with a nonce, so a handle can be
// checked without keeping every handle ever issued.
func newReceipt(queue, msgID string) string {
	var nonce [16]byte
	_, _ = rand.Read(nonce[:])
	return base64.RawURLEncoding.EncodeToString([]byte(queue + "\n" + msgID + "\n" + hex.EncodeToString(nonce[:])))
}

func parseReceipt(h string) (queue, msgID string, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return "", "", false
	}
	parts := strings.Split(string(raw), "\n")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || len(parts[2]) != 32 {
		return "", "", false
	}
	if _, err := hex.DecodeString(parts[2]); err != nil {
		return "", "", false
	}
	return parts[0], parts[1], true
}

type receiptInput struct {
	QueueUrl          string
	ReceiptHandle     string
	VisibilityTimeout *int
}

// findByReceipt resolves a receipt handle on q; s.mu must be held. -1 with
// no error means the handle is well formed but its message is gone.
func findByReceipt(q *sqsQueue, handle string) (int, *sqsError) {
	if handle == "" {
		return -1, errMissingParam("ReceiptHandle")
	}
	qname, id, ok := parseReceipt(handle)
	if !ok || qname != q.name {
		return -1, errInvalidReceipt()
	}
	for i, m := range q.msgs {
		if m.id == id {
			return i, nil
		}
	}
	return -1, nil
}

// deleteMessage does not wait for the disk: see unlock.
func (s *sqsService) deleteMessage(in *receiptInput) (any, *sqsError) {
	return s.locked(false, func() (any, *sqsError) {
		q, err := s.lookup(in.QueueUrl)
		if err != nil {
			return nil, err
		}
		if err := s.deleteOne(q, in.ReceiptHandle); err != nil {
			return nil, err
		}
		return emptyOutput{}, nil
	})
}

// deleteOne deletes the message a receipt handle names; s.mu must be held.
func (s *sqsService) deleteOne(q *sqsQueue, handle string) *sqsError {
	i, err := findByReceipt(q, handle)
	if err != nil {
		return err
	}
	// AWS: deleting an already deleted message succeeds, and a handle that is
	// not the most recent one succeeds without deleting the message.
	if i >= 0 && q.msgs[i].receipt == handle {
		s.dropMessage(q, q.msgs[i])
		q.msgs = append(q.msgs[:i], q.msgs[i+1:]...)
	}
	return nil
}

func (s *sqsService) changeVisibility(in *receiptInput) (any, *sqsError) {
	if err := validVisibility(in.VisibilityTimeout); err != nil {
		return nil, err
	}
	return s.locked(false, func() (any, *sqsError) {
		q, err := s.lookup(in.QueueUrl)
		if err != nil {
			return nil, err
		}
		if err := s.changeOne(q, in.ReceiptHandle, *in.VisibilityTimeout); err != nil {
			return nil, err
		}
		return emptyOutput{}, nil
	})
}

func validVisibility(v *int) *sqsError {
	if v == nil {
		return errMissingParam("VisibilityTimeout")
	}
	if *v < 0 || *v > 43200 {
		return errInvalidParam("Value %d for parameter VisibilityTimeout is invalid. Reason: must be between 0 and 43200.", *v)
	}
	return nil
}

// changeOne sets the visibility of the in-flight message a receipt handle
// names; s.mu must be held.
func (s *sqsService) changeOne(q *sqsQueue, handle string, seconds int) *sqsError {
	i, err := findByReceipt(q, handle)
	if err != nil {
		return err
	}
	if i < 0 {
		return errInvalidParam("Value %s for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.", handle)
	}
	m := q.msgs[i]
	now := s.clock.Now()
	if m.receipt != handle || !m.visibleAt.After(now) {
		return &sqsError{400, "MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", "The message referred to is not in flight."}
	}
	m.visibleAt = now.Add(time.Duration(seconds) * time.Second)
	q.notify()
	s.keepMessage(q, m)
	return nil
}
