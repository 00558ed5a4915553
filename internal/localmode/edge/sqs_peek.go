package edge

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// LocalStack's SQS developer endpoint, /_aws/sqs/messages: a queue's
// messages without receiving them (no receive count, no visibility change,
// no receipt handle handed out). Answers are ReceiveMessage's XML, or, with
// Accept: application/json, that XML turned into JSON as LocalStack does
// (xmltodict: one repeated element becomes an object, several an array).

const peekPath = "/_aws/sqs/messages"

// peek lists the messages of the queue queueURL names: the visible ones,
// and the in-flight and delayed ones when asked, each flagged.
func (s *sqsService) peek(queueURL string, showInvisible, showDelayed bool) ([]receivedMessage, *sqsError) {
	// Not a read only: expiry drops messages, written without waiting.
	out, err := s.locked(false, func() (any, *sqsError) { return s.peekLocked(queueURL, showInvisible, showDelayed) })
	if err != nil {
		return nil, err
	}
	return out.([]receivedMessage), nil
}

// peekLocked is peek; s.mu must be held.
func (s *sqsService) peekLocked(queueURL string, showInvisible, showDelayed bool) ([]receivedMessage, *sqsError) {
	q, err := s.lookup(queueURL)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	s.expire(q, now)
	all := receiveInput{AttributeNames: []string{"All"}, MessageAttributeNames: []string{"All"}}
	out := []receivedMessage{}
	for _, m := range q.msgs {
		visible := !m.visibleAt.After(now)
		delayed := !visible && m.receiveCount == 0
		if !visible && (delayed && !showDelayed || !delayed && !showInvisible) {
			continue
		}
		rm := s.render(m, all)
		rm.ReceiptHandle = ""
		if m.receiveCount == 0 {
			rm.Attributes["ApproximateFirstReceiveTimestamp"] = "0"
		}
		if showInvisible {
			rm.Attributes["IsVisible"] = strconv.FormatBool(visible)
		}
		if showDelayed {
			rm.Attributes["IsDelayed"] = strconv.FormatBool(delayed)
		}
		out = append(out, rm)
	}
	return out, nil
}

// peekCall serves an SDK pointed at the developer endpoint: ReceiveMessage
// lists the queue (its count and wait ignored), nothing else is allowed.
func (s *sqsService) peekCall(op string, in any) (any, *sqsError) {
	rin, ok := in.(*receiveInput)
	if op != "ReceiveMessage" || !ok {
		return nil, &sqsError{400, "InvalidRequest", "InvalidRequest", "This endpoint only accepts ReceiveMessage calls"}
	}
	msgs, err := s.peek(rin.QueueUrl, false, false)
	if err != nil {
		return nil, err
	}
	return receiveOutput{msgs}, nil
}

// servePeek answers GET /_aws/sqs/messages?QueueUrl=... and
// GET /_aws/sqs/messages/<region>/<account>/<queue>.
func (s *sqsService) servePeek(w http.ResponseWriter, r *http.Request) {
	asJSON := strings.Contains(r.Header.Get("Accept"), "application/json")
	queueURL, qerr := s.peekQueueURL(r)
	var msgs []receivedMessage
	if qerr == nil {
		query := r.URL.Query()
		msgs, qerr = s.peek(queueURL, flag(query, "ShowInvisible"), flag(query, "ShowDelayed"))
	}
	var (
		body   []byte
		status = http.StatusOK
	)
	if qerr != nil {
		status = qerr.status
		body = queryErrorXML(qerr.status, sqsXMLNS, qerr.queryCode, qerr.message)
	} else {
		var err error
		body, _, err = queryResponseXML(sqsXMLNS, "ReceiveMessage", queryResult("ReceiveMessage", receiveOutput{msgs}))
		if err != nil {
			status = http.StatusInternalServerError
			body = queryErrorXML(status, sqsXMLNS, "InternalError", "could not encode response")
		}
	}
	contentType := "text/xml"
	if asJSON {
		j, err := xmlToJSON(body)
		if err != nil {
			status = http.StatusInternalServerError
			j = []byte(`{"ErrorResponse":{"Error":{"Type":"Receiver","Code":"InternalError","Message":"could not encode response"}}}`)
		}
		body, contentType = j, "application/json"
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func flag(q url.Values, name string) bool {
	v, err := strconv.ParseBool(q.Get(name))
	return err == nil && v
}

// peekQueueURL reads the queue from the QueueUrl parameter or from the
// path's /<region>/<account>/<queue>; a URL that is not a queue URL is
// InvalidAddress (404), as LocalStack answers.
func (s *sqsService) peekQueueURL(r *http.Request) (string, *sqsError) {
	rest := strings.Trim(strings.TrimPrefix(r.URL.Path, peekPath), "/")
	if rest != "" {
		parts := strings.Split(rest, "/")
		if len(parts) != 3 {
			return "", &sqsError{404, "InvalidAddress", "InvalidAddress", "The address " + r.URL.Path + " is not valid for this endpoint."}
		}
		if parts[0] != s.region || parts[1] != s.accountID {
			return "", errNoQueue()
		}
		return s.queueURL(baseURL(r), parts[2]), nil
	}
	raw := r.URL.Query().Get("QueueUrl")
	if raw == "" {
		return "", errNoQueue()
	}
	u, err := url.Parse(raw)
	parts := []string{}
	if err == nil {
		parts = strings.Split(strings.Trim(u.Path, "/"), "/")
	}
	if err != nil || len(parts) != 2 {
		return "", &sqsError{404, "InvalidAddress", "InvalidAddress", "The address " + raw + " is not valid for this endpoint."}
	}
	if parts[0] != s.accountID {
		return "", errNoQueue()
	}
	return raw, nil
}

// xmlToJSON converts an XML document the way xmltodict (LocalStack's
// converter) does, attributes left out: an element with children is an
// object in document order, a repeated child an array, text a string, an
// empty element null.
func xmlToJSON(doc []byte) ([]byte, error) {
	type node struct {
		name     string
		text     strings.Builder
		children []*node
	}
	root := &node{}
	stack := []*node{root}
	dec := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read XML: %w", err)
		}
		top := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: t.Name.Local}
			top.children = append(top.children, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.text.Write(t)
		}
	}
	var b bytes.Buffer
	var write func(n *node) error
	write = func(n *node) error {
		if len(n.children) == 0 {
			if n.text.Len() == 0 {
				b.WriteString("null")
				return nil
			}
			v, err := json.Marshal(n.text.String())
			b.Write(v)
			return err
		}
		// Group children by name in order of first appearance.
		var order []string
		groups := map[string][]*node{}
		for _, c := range n.children {
			if _, ok := groups[c.name]; !ok {
				order = append(order, c.name)
			}
			groups[c.name] = append(groups[c.name], c)
		}
		b.WriteByte('{')
		for i, name := range order {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(name)
			b.Write(k)
			b.WriteByte(':')
			g := groups[name]
			if len(g) == 1 {
				if err := write(g[0]); err != nil {
					return err
				}
				continue
			}
			b.WriteByte('[')
			for j, c := range g {
				if j > 0 {
					b.WriteByte(',')
				}
				if err := write(c); err != nil {
					return err
				}
			}
			b.WriteByte(']')
		}
		b.WriteByte('}')
		return nil
	}
	if err := write(root); err != nil {
		return nil, fmt.Errorf("write JSON: %w", err)
	}
	return b.Bytes(), nil
}

// servePeekQuery answers a query-protocol SDK whose endpoint is the
// developer endpoint.
func (s *sqsService) servePeekQuery(w http.ResponseWriter, r *http.Request, form url.Values) {
	out, err := s.runQuery(r, form, true)
	if err != nil {
		writeQueryError(w, err.status, sqsXMLNS, err.queryCode, err.message)
		return
	}
	writeQueryResultNS(w, sqsXMLNS, "ReceiveMessage", queryResult("ReceiveMessage", out))
}

// servePeekJSON answers a JSON-protocol SDK whose endpoint is the developer
// endpoint.
func (s *sqsService) servePeekJSON(w http.ResponseWriter, r *http.Request, op string, body []byte) {
	out, err := s.serveJSON(r, op, body, true)
	if err != nil {
		writeSQSJSONError(w, err)
		return
	}
	writeJSON(w, amzJSON10, out)
}
