package edge

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// SQS's query protocol (form-encoded Action=...&Version=2012-11-05, XML
// answers), which older SDKs and Debian's awscli speak. Requests are decoded
// into the same inputs the JSON protocol fills and run through the same
// sqsCall; only the wire shapes live here.

// sqsXMLNS is the namespace of SQS's XML answers, as the service model
// (xmlNamespace) and AWS send it.
const sqsXMLNS = "http://queue.amazonaws.com/doc/2012-11-05/"

// isSQSAction tells whether action is an operation the edge's SQS serves (an
// unsigned form request naming one is SQS's). It asks sqsService.call, which
// only binds the operation, so the list of operations exists once.
func isSQSAction(action string) bool {
	_, ok := (*sqsService)(nil).call(context.Background(), "", action)
	return ok
}

// serveQuery answers one query-protocol request and returns the action for
// the log. form holds the body's and the URL's parameters.
func (s *sqsService) serveQuery(w http.ResponseWriter, r *http.Request, form url.Values) string {
	action := form.Get("Action")
	out, err := s.runQuery(r, form, false)
	if err != nil {
		writeQueryError(w, err.status, sqsXMLNS, err.queryCode, err.message)
		return action
	}
	writeQueryResultNS(w, sqsXMLNS, action, queryResult(action, out))
	return action
}

// runQuery decodes and runs one query request; peek lists the queue instead
// of receiving (the /_aws/sqs/messages endpoint used as an SDK endpoint).
func (s *sqsService) runQuery(r *http.Request, form url.Values, peek bool) (any, *sqsError) {
	action := form.Get("Action")
	if action == "" {
		return nil, &sqsError{400, "MissingAction", "MissingAction", "The request must contain the parameter Action."}
	}
	c, ok := s.call(r.Context(), baseURL(r), action)
	if !ok {
		return nil, &sqsError{400, "InvalidAction", "InvalidAction", "The action " + action + " is not valid for this endpoint."}
	}
	// Queue-URL style requests (POST or GET to /<account>/<name>) may leave
	// QueueUrl out: the path names the queue.
	if form.Get("QueueUrl") == "" && strings.Count(strings.Trim(r.URL.Path, "/"), "/") == 1 {
		form = cloneValues(form)
		form.Set("QueueUrl", baseURL(r)+r.URL.Path)
	}
	if err := decodeQuery(form, c.in); err != nil {
		return nil, err
	}
	if peek {
		return s.peekCall(action, c.in)
	}
	return c.run()
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v)+1)
	for k, vs := range v {
		out[k] = vs
	}
	return out
}

// requestForm reads a query request's parameters: the form body, then those
// of the URL (AWS takes both).
func requestForm(r *http.Request, body []byte) (url.Values, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("parse form body: %w", err)
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("parse query string: %w", err)
	}
	for k, vs := range q {
		if _, ok := form[k]; !ok {
			form[k] = vs
		}
	}
	return form, nil
}

// decodeQuery fills an operation's input from query parameters, with the
// member names of SQS's service model (Attribute.N.Name,
// MessageAttribute.N.Value.StringValue, SendMessageBatchRequestEntry.N.Id...).
func decodeQuery(form url.Values, in any) *sqsError {
	var err *sqsError
	switch in := in.(type) {
	case *createQueueInput:
		in.QueueName = form.Get("QueueName")
		if in.Attributes, err = queryNameValues(form, "Attribute", "Name", "Value"); err != nil {
			return err
		}
		in.Tags, err = queryNameValues(form, "Tag", "Key", "Value")
	case *getQueueURLInput:
		in.QueueName = form.Get("QueueName")
		in.QueueOwnerAWSAccountId = form.Get("QueueOwnerAWSAccountId")
	case *listQueuesInput:
		in.QueueNamePrefix = form.Get("QueueNamePrefix")
		in.NextToken = form.Get("NextToken")
		in.MaxResults, err = queryInt(form, "MaxResults")
	case *queueURLInput:
		in.QueueUrl = form.Get("QueueUrl")
	case *getAttributesInput:
		in.QueueUrl = form.Get("QueueUrl")
		in.AttributeNames = queryList(form, "AttributeName")
	case *setAttributesInput:
		in.QueueUrl = form.Get("QueueUrl")
		in.Attributes, err = queryNameValues(form, "Attribute", "Name", "Value")
	case *sendInput:
		in.QueueUrl = form.Get("QueueUrl")
		in.MessageBody = queryString(form, "MessageBody")
		in.MessageGroupId = form.Get("MessageGroupId")
		if in.DelaySeconds, err = queryInt(form, "DelaySeconds"); err != nil {
			return err
		}
		in.MessageAttributes, err = queryMessageAttrs(form)
	case *sendBatchInput:
		in.QueueUrl = form.Get("QueueUrl")
		for _, e := range queryMembers(form, "SendMessageBatchRequestEntry") {
			entry := sendBatchEntry{Id: e.Get("Id"), MessageBody: queryString(e, "MessageBody"), MessageGroupId: e.Get("MessageGroupId")}
			if entry.DelaySeconds, err = queryInt(e, "DelaySeconds"); err != nil {
				return err
			}
			if entry.MessageAttributes, err = queryMessageAttrs(e); err != nil {
				return err
			}
			in.Entries = append(in.Entries, entry)
		}
	case *receiveInput:
		in.QueueUrl = form.Get("QueueUrl")
		in.AttributeNames = queryList(form, "AttributeName")
		in.MessageSystemAttributeNames = queryList(form, "MessageSystemAttributeName")
		in.MessageAttributeNames = queryList(form, "MessageAttributeName")
		for name, dst := range map[string]**int{"MaxNumberOfMessages": &in.MaxNumberOfMessages,
			"VisibilityTimeout": &in.VisibilityTimeout, "WaitTimeSeconds": &in.WaitTimeSeconds} {
			if *dst, err = queryInt(form, name); err != nil {
				return err
			}
		}
	case *receiptInput:
		in.QueueUrl = form.Get("QueueUrl")
		in.ReceiptHandle = form.Get("ReceiptHandle")
		in.VisibilityTimeout, err = queryInt(form, "VisibilityTimeout")
	case *receiptBatchInput:
		in.QueueUrl = form.Get("QueueUrl")
		prefix := "DeleteMessageBatchRequestEntry"
		if form.Get("Action") == "ChangeMessageVisibilityBatch" {
			prefix = "ChangeMessageVisibilityBatchRequestEntry"
		}
		for _, e := range queryMembers(form, prefix) {
			entry := receiptBatchEntry{Id: e.Get("Id"), ReceiptHandle: e.Get("ReceiptHandle")}
			if entry.VisibilityTimeout, err = queryInt(e, "VisibilityTimeout"); err != nil {
				return err
			}
			in.Entries = append(in.Entries, entry)
		}
	default:
		return &sqsError{500, "InternalError", "InternalError", fmt.Sprintf("no query decoder for %T", in)}
	}
	return err
}

// queryString distinguishes an absent parameter (nil) from an empty one.
func queryString(form url.Values, name string) *string {
	if vs, ok := form[name]; ok && len(vs) > 0 {
		return &vs[0]
	}
	return nil
}

func queryInt(form url.Values, name string) (*int, *sqsError) {
	v := queryString(form, name)
	if v == nil {
		return nil, nil
	}
	n, err := strconv.Atoi(*v)
	if err != nil {
		return nil, errInvalidParam("Value %s for parameter %s is invalid. Reason: must be an integer.", *v, name)
	}
	return &n, nil
}

// queryMembers splits the members of a list of structures, prefix.N.field,
// into one form per member (fields without the prefix), ordered by N.
func queryMembers(form url.Values, prefix string) []url.Values {
	byIndex := map[int]url.Values{}
	for k, vs := range form {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok {
			continue
		}
		idx, field, ok := strings.Cut(rest, ".")
		n, err := strconv.Atoi(idx)
		if !ok || err != nil || n < 1 || field == "" {
			continue
		}
		if byIndex[n] == nil {
			byIndex[n] = url.Values{}
		}
		byIndex[n][field] = vs
	}
	return ordered(byIndex)
}

// queryList reads a flattened list of strings, prefix.N, ordered by N.
func queryList(form url.Values, prefix string) []string {
	byIndex := map[int]url.Values{}
	for k, vs := range form {
		idx, ok := strings.CutPrefix(k, prefix+".")
		n, err := strconv.Atoi(idx)
		if ok && err == nil && n >= 1 && len(vs) > 0 {
			byIndex[n] = url.Values{"": vs}
		}
	}
	var out []string
	for _, v := range ordered(byIndex) {
		out = append(out, v.Get(""))
	}
	return out
}

func ordered(byIndex map[int]url.Values) []url.Values {
	idx := make([]int, 0, len(byIndex))
	for n := range byIndex {
		idx = append(idx, n)
	}
	sort.Ints(idx)
	out := make([]url.Values, len(idx))
	for i, n := range idx {
		out[i] = byIndex[n]
	}
	return out
}

// queryNameValues reads a flattened map, prefix.N.<key>/prefix.N.<value>.
func queryNameValues(form url.Values, prefix, key, value string) (map[string]string, *sqsError) {
	members := queryMembers(form, prefix)
	if len(members) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(members))
	for _, m := range members {
		name := m.Get(key)
		if name == "" {
			return nil, errInvalidParam("%s.N.%s is required for every %s.N.", prefix, key, prefix)
		}
		out[name] = m.Get(value)
	}
	return out, nil
}

// queryMessageAttrs reads MessageAttribute.N.Name and
// MessageAttribute.N.Value.{DataType,StringValue,BinaryValue} (base64).
func queryMessageAttrs(form url.Values) (map[string]sqsAttr, *sqsError) {
	members := queryMembers(form, "MessageAttribute")
	if len(members) == 0 {
		return nil, nil
	}
	out := make(map[string]sqsAttr, len(members))
	for _, m := range members {
		name := m.Get("Name")
		if name == "" {
			return nil, errInvalidParam("MessageAttribute.N.Name is required for every message attribute.")
		}
		if _, dup := out[name]; dup {
			return nil, errInvalidParam("Message attribute name '%s' is repeated.", name)
		}
		a := sqsAttr{DataType: m.Get("Value.DataType"), StringValue: queryString(m, "Value.StringValue")}
		if b := queryString(m, "Value.BinaryValue"); b != nil {
			raw, err := base64.StdEncoding.DecodeString(*b)
			if err != nil {
				return nil, errInvalidParam("Message attribute '%s' has a BinaryValue that is not base64.", name)
			}
			a.BinaryValue = raw
		}
		out[name] = a
	}
	return out, nil
}

// The XML shapes of the results, as the service model names their members
// (lists and maps flattened). XMLName is set to <Action>Result.

type xmlNameValue struct {
	Name  string `xml:"Name"`
	Value string `xml:"Value"`
}

type xmlAttrValue struct {
	StringValue *string `xml:"StringValue,omitempty"`
	BinaryValue *string `xml:"BinaryValue,omitempty"`
	DataType    string  `xml:"DataType"`
}

type xmlMessageAttr struct {
	Name  string       `xml:"Name"`
	Value xmlAttrValue `xml:"Value"`
}

type xmlMessage struct {
	MessageId              string           `xml:"MessageId"`
	ReceiptHandle          string           `xml:"ReceiptHandle,omitempty"`
	MD5OfBody              string           `xml:"MD5OfBody"`
	Body                   string           `xml:"Body"`
	Attribute              []xmlNameValue   `xml:"Attribute"`
	MD5OfMessageAttributes string           `xml:"MD5OfMessageAttributes,omitempty"`
	MessageAttribute       []xmlMessageAttr `xml:"MessageAttribute"`
}

type xmlSendResult struct {
	Id                     string `xml:"Id,omitempty"`
	MessageId              string `xml:"MessageId"`
	MD5OfMessageBody       string `xml:"MD5OfMessageBody"`
	MD5OfMessageAttributes string `xml:"MD5OfMessageAttributes,omitempty"`
}

type xmlBatchError struct {
	Id          string `xml:"Id"`
	SenderFault bool   `xml:"SenderFault"`
	Code        string `xml:"Code"`
	Message     string `xml:"Message"`
}

// xmlIDEntry's element name is its XMLName, set per action
// (DeleteMessageBatchResultEntry, ChangeMessageVisibilityBatchResultEntry).
type xmlIDEntry struct {
	XMLName xml.Name
	Id      string `xml:"Id"`
}

// queryResult turns an operation's output into its XML result element, or
// nil for operations whose answer has no result.
func queryResult(action string, out any) any {
	name := xml.Name{Local: action + "Result"}
	switch out := out.(type) {
	case queueURLOutput:
		return struct {
			XMLName  xml.Name
			QueueUrl string `xml:"QueueUrl"`
		}{name, out.QueueUrl}
	case listQueuesOutput:
		return struct {
			XMLName   xml.Name
			QueueUrl  []string `xml:"QueueUrl"`
			NextToken string   `xml:"NextToken,omitempty"`
		}{name, out.QueueUrls, out.NextToken}
	case attributesOutput:
		return struct {
			XMLName   xml.Name
			Attribute []xmlNameValue `xml:"Attribute"`
		}{name, nameValues(out.Attributes)}
	case sendOutput:
		return struct {
			XMLName xml.Name
			xmlSendResult
		}{name, xmlSendResult{MessageId: out.MessageId, MD5OfMessageBody: out.MD5OfMessageBody, MD5OfMessageAttributes: out.MD5OfMessageAttributes}}
	case receiveOutput:
		msgs := make([]xmlMessage, len(out.Messages))
		for i, m := range out.Messages {
			msgs[i] = xmlMessageOf(m)
		}
		return struct {
			XMLName xml.Name
			Message []xmlMessage `xml:"Message"`
		}{name, msgs}
	case sendBatchOutput:
		ok := make([]xmlSendResult, len(out.Successful))
		for i, e := range out.Successful {
			ok[i] = xmlSendResult{e.Id, e.MessageId, e.MD5OfMessageBody, e.MD5OfMessageAttributes}
		}
		return struct {
			XMLName                     xml.Name
			SendMessageBatchResultEntry []xmlSendResult `xml:"SendMessageBatchResultEntry"`
			BatchResultErrorEntry       []xmlBatchError `xml:"BatchResultErrorEntry"`
		}{name, ok, xmlBatchErrors(out.Failed)}
	case idBatchOutput:
		ok := make([]xmlIDEntry, len(out.Successful))
		for i, e := range out.Successful {
			ok[i] = xmlIDEntry{xml.Name{Local: action + "ResultEntry"}, e.Id}
		}
		return struct {
			XMLName xml.Name
			Entries []xmlIDEntry
			Failed  []xmlBatchError `xml:"BatchResultErrorEntry"`
		}{name, ok, xmlBatchErrors(out.Failed)}
	}
	return nil
}

func xmlBatchErrors(failed []batchResultError) []xmlBatchError {
	out := make([]xmlBatchError, len(failed))
	for i, f := range failed {
		out[i] = xmlBatchError(f)
	}
	return out
}

func nameValues(m map[string]string) []xmlNameValue {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]xmlNameValue, len(names))
	for i, n := range names {
		out[i] = xmlNameValue{n, m[n]}
	}
	return out
}

func xmlMessageOf(m receivedMessage) xmlMessage {
	x := xmlMessage{
		MessageId: m.MessageId, ReceiptHandle: m.ReceiptHandle, MD5OfBody: m.MD5OfBody, Body: m.Body,
		Attribute: nameValues(m.Attributes), MD5OfMessageAttributes: m.MD5OfMessageAttributes,
	}
	names := make([]string, 0, len(m.MessageAttributes))
	for n := range m.MessageAttributes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := m.MessageAttributes[n]
		v := xmlAttrValue{DataType: a.DataType, StringValue: a.StringValue}
		if a.BinaryValue != nil {
			b := base64.StdEncoding.EncodeToString(a.BinaryValue)
			v.BinaryValue = &b
		}
		x.MessageAttribute = append(x.MessageAttribute, xmlMessageAttr{n, v})
	}
	return x
}
