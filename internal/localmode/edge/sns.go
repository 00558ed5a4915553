package edge

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

const snsXMLNS = "http://sns.amazonaws.com/doc/2010-03-31/"

// SMSMessage is one SMS captured by the SNS emulation, in LocalStack's
// /_aws/sns/sms-messages shape.
type SMSMessage struct {
	PhoneNumber       string                  `json:"PhoneNumber"`
	TopicArn          *string                 `json:"TopicArn"`
	SubscriptionArn   *string                 `json:"SubscriptionArn"`
	MessageID         string                  `json:"MessageId"`
	Message           string                  `json:"Message"`
	MessageAttributes map[string]SNSAttribute `json:"MessageAttributes"`
	MessageStructure  *string                 `json:"MessageStructure"`
	Subject           *string                 `json:"Subject"`
}

// SNSAttribute is a message attribute as published.
type SNSAttribute struct {
	DataType    string `json:"DataType"`
	StringValue string `json:"StringValue,omitempty"`
	BinaryValue []byte `json:"BinaryValue,omitempty"`
}

type snsTopic struct {
	arn      string
	messages int
}

// snsService emulates the SNS awsQuery protocol (form-encoded Action=...,
// XML answers) that aws-sdk-go-v2 service/sns speaks.
type snsService struct {
	region    string
	accountID string
	clock     Clock

	keep *keep // nil: nothing kept (keep.go)

	mu     sync.Mutex
	sms    []SMSMessage
	seqs   []uint64             // sms[i]'s key in the store
	seq    uint64               // the last one given out
	topics map[string]*snsTopic // by ARN
}

func newSNSService(region, accountID string, clock Clock) *snsService {
	return &snsService{region: region, accountID: accountID, clock: clock, topics: map[string]*snsTopic{}}
}

type snsError struct {
	status  int
	code    string
	message string
}

func invalidParam(msg string) *snsError {
	return &snsError{400, "InvalidParameter", "Invalid parameter: " + msg}
}

// serve handles one awsQuery request and returns the action for the log.
func (s *snsService) serve(w http.ResponseWriter, r *http.Request, body []byte) string {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeQueryError(w, http.StatusBadRequest, snsXMLNS, "MalformedQueryString", "could not parse the form body")
		return "malformed"
	}
	action := form.Get("Action")
	var (
		result any
		serr   *snsError
	)
	switch action {
	case "Publish":
		result, serr = s.publish(form)
	case "CreateTopic":
		result, serr = s.createTopic(form)
	case "DeleteTopic":
		result, serr = s.deleteTopic(form)
	case "ListTopics":
		result, serr = s.listTopics()
	case "":
		serr = &snsError{400, "MissingAction", "the request must contain the parameter Action"}
	default:
		serr = &snsError{400, "InvalidAction", "the local AWS edge does not support SNS action " + action}
	}
	if serr != nil {
		writeQueryError(w, serr.status, snsXMLNS, serr.code, serr.message)
		return action
	}
	writeQueryResult(w, action, result)
	return action
}

func writeQueryResult(w http.ResponseWriter, action string, result any) {
	writeQueryResultNS(w, snsXMLNS, action, result)
}

// messageAttributes reads MessageAttributes.entry.N.{Name,Value.DataType,
// Value.StringValue,Value.BinaryValue}.
func messageAttributes(form url.Values) (map[string]SNSAttribute, *snsError) {
	attrs := map[string]SNSAttribute{}
	for n := 1; ; n++ {
		prefix := "MessageAttributes.entry." + strconv.Itoa(n) + "."
		name := form.Get(prefix + "Name")
		if name == "" {
			if form.Has(prefix + "Value.DataType") {
				return nil, invalidParam("MessageAttributes entry " + strconv.Itoa(n) + " has no Name")
			}
			break
		}
		if n > 10 {
			return nil, invalidParam("too many message attributes")
		}
		a := SNSAttribute{DataType: form.Get(prefix + "Value.DataType"), StringValue: form.Get(prefix + "Value.StringValue")}
		base, _, _ := strings.Cut(a.DataType, ".")
		switch base {
		case "String", "Number", "String.Array":
			if !form.Has(prefix + "Value.StringValue") {
				return nil, invalidParam("The message attribute '" + name + "' must contain non-empty message attribute value for message attribute type '" + a.DataType + "'.")
			}
		case "Binary":
			b, err := base64.StdEncoding.DecodeString(form.Get(prefix + "Value.BinaryValue"))
			if err != nil || len(b) == 0 {
				return nil, invalidParam("The message attribute '" + name + "' must contain a binary value.")
			}
			a.BinaryValue = b
		default:
			return nil, invalidParam("The message attribute '" + name + "' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.")
		}
		attrs[name] = a
	}
	if t, ok := attrs["AWS.SNS.SMS.SMSType"]; ok && t.StringValue != "Transactional" && t.StringValue != "Promotional" {
		return nil, invalidParam("The value of AWS.SNS.SMS.SMSType must be Transactional or Promotional")
	}
	if id, ok := attrs["AWS.SNS.SMS.SenderID"]; ok && !validSenderID(id.StringValue) {
		return nil, invalidParam("AWS.SNS.SMS.SenderID must be 1-11 alphanumeric characters with at least one letter")
	}
	return attrs, nil
}

func validSenderID(v string) bool {
	if v == "" || len(v) > 11 {
		return false
	}
	letter := false
	for _, c := range v {
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9' || c == '-':
		default:
			return false
		}
	}
	return letter
}

// validE164 checks +<country><number>, 8 to 15 digits in all.
func validE164(p string) bool {
	if len(p) < 8 || len(p) > 16 || p[0] != '+' || p[1] < '1' || p[1] > '9' {
		return false
	}
	for _, c := range p[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

type publishResult struct {
	XMLName   xml.Name `xml:"PublishResult"`
	MessageID string   `xml:"MessageId"`
}

func (s *snsService) publish(form url.Values) (any, *snsError) {
	msg := form.Get("Message")
	if msg == "" {
		return nil, invalidParam("Empty message")
	}
	if len(msg) > 262144 {
		return nil, invalidParam("Message too long")
	}
	phone, topic, target := form.Get("PhoneNumber"), form.Get("TopicArn"), form.Get("TargetArn")
	set := 0
	for _, v := range []string{phone, topic, target} {
		if v != "" {
			set++
		}
	}
	if set != 1 {
		return nil, invalidParam("exactly one of TopicArn, TargetArn or PhoneNumber must be given")
	}
	attrs, err := messageAttributes(form)
	if err != nil {
		return nil, err
	}
	id := newID()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case phone != "":
		if !validE164(phone) {
			return nil, invalidParam("PhoneNumber Reason: not a valid E.164 number")
		}
		sms := SMSMessage{
			PhoneNumber:       phone,
			MessageID:         id,
			Message:           msg,
			MessageAttributes: attrs,
			MessageStructure:  optional(form.Get("MessageStructure")),
			Subject:           optional(form.Get("Subject")),
		}
		// Kept first, so a failure changes nothing; without waiting for the
		// disk: a captured SMS lost in a crash is no client's data.
		seq := s.seq + 1
		if s.keep != nil {
			if err := s.keep.write([]keptOp{{key: smsKeyOf(seq), value: sms}}); err != nil {
				return nil, errSNSKeep(err)
			}
		}
		s.seq = seq
		s.sms = append(s.sms, sms)
		s.seqs = append(s.seqs, seq)
	default:
		arn := topic + target
		t, ok := s.topics[arn]
		if !ok {
			return nil, &snsError{404, "NotFound", "Topic does not exist"}
		}
		// No subscriptions are emulated; the publish is counted only.
		if s.keep != nil {
			counted := *t
			counted.messages++
			if err := s.keep.write([]keptOp{keptTopicOf(counted)}); err != nil {
				return nil, errSNSKeep(err)
			}
		}
		t.messages++
	}
	return publishResult{MessageID: id}, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type createTopicResult struct {
	XMLName  xml.Name `xml:"CreateTopicResult"`
	TopicArn string   `xml:"TopicArn"`
}

func (s *snsService) createTopic(form url.Values) (any, *snsError) {
	name := form.Get("Name")
	if name == "" || len(name) > 256 {
		return nil, invalidParam("Topic Name")
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return nil, invalidParam("Topic Name")
		}
	}
	arn := fmt.Sprintf("arn:aws:sns:%s:%s:%s", s.region, s.accountID, name)
	s.mu.Lock()
	if _, ok := s.topics[arn]; !ok {
		t := &snsTopic{arn: arn}
		if err := s.keep.writeNow(keptTopicOf(*t)); err != nil {
			s.mu.Unlock()
			return nil, errSNSKeep(err)
		}
		s.topics[arn] = t
	}
	s.mu.Unlock()
	// The answer says the topic exists: on disk first, waited for outside
	// the lock (keep.go).
	if err := s.keep.syncNow(); err != nil {
		return nil, errSNSKeep(err)
	}
	return createTopicResult{TopicArn: arn}, nil
}

type emptyResult struct {
	XMLName xml.Name
}

func (s *snsService) deleteTopic(form url.Values) (any, *snsError) {
	arn := form.Get("TopicArn")
	if arn == "" {
		return nil, invalidParam("TopicArn")
	}
	s.mu.Lock()
	if _, ok := s.topics[arn]; ok {
		if err := s.keep.writeNow(keptOp{key: topicKey(arn)}); err != nil {
			s.mu.Unlock()
			return nil, errSNSKeep(err)
		}
		delete(s.topics, arn)
	}
	s.mu.Unlock()
	if err := s.keep.syncNow(); err != nil {
		return nil, errSNSKeep(err)
	}
	return emptyResult{XMLName: xml.Name{Local: "DeleteTopicResult"}}, nil
}

type listTopicsResult struct {
	XMLName xml.Name `xml:"ListTopicsResult"`
	Topics  []struct {
		TopicArn string `xml:"TopicArn"`
	} `xml:"Topics>member"`
}

func (s *snsService) listTopics() (any, *snsError) {
	s.mu.Lock()
	arns := make([]string, 0, len(s.topics))
	for a := range s.topics {
		arns = append(arns, a)
	}
	s.mu.Unlock()
	sort.Strings(arns)
	var out listTopicsResult
	for _, a := range arns {
		out.Topics = append(out.Topics, struct {
			TopicArn string `xml:"TopicArn"`
		}{a})
	}
	return out, nil
}

// serveSMSRetrospection answers GET (optional ?phoneNumber= and ?region=)
// grouped by phone number like LocalStack, and DELETE (optional ?phoneNumber=).
func (s *snsService) serveSMSRetrospection(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	phone := q.Get("phoneNumber")
	region := q.Get("region")
	if region == "" {
		region = s.region
	}
	switch r.Method {
	case http.MethodGet:
		grouped := map[string][]SMSMessage{}
		if phone != "" {
			grouped[phone] = []SMSMessage{}
		}
		if region == s.region {
			for _, m := range s.SentSMS() {
				if phone == "" || m.PhoneNumber == phone {
					grouped[m.PhoneNumber] = append(grouped[m.PhoneNumber], m)
				}
			}
		}
		writeJSON(w, "application/json", map[string]any{"sms_messages": grouped, "region": region})
	case http.MethodDelete:
		if err := s.forgetSMS(phone); err != nil {
			writeJSONError(w, http.StatusInternalServerError, "InternalError", err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSONError(w, http.StatusMethodNotAllowed, "UnsupportedOperation", "use GET or DELETE on /_aws/sns/sms-messages")
	}
}

// forgetSMS drops the captured SMS to phone, or all of them when phone is "".
func (s *snsService) forgetSMS(phone string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	s.sms, s.seqs, err = forgetCaptured(s.keep, s.sms, s.seqs, phone == "", func(m SMSMessage) bool { return m.PhoneNumber == phone }, smsKey, smsKeyOf)
	return err
}

func errSNSKeep(err error) *snsError {
	return &snsError{http.StatusInternalServerError, "InternalError", err.Error()}
}

// SentSMS returns a copy of the captured SMS, oldest first.
func (s *snsService) SentSMS() []SMSMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sms)
}

// SentSMS returns the SMS captured so far, oldest first.
func (e *Edge) SentSMS() []SMSMessage { return e.sns.SentSMS() }
