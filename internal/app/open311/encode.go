package open311

import (
	"encoding/json"
	"encoding/xml"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// Content types of the spec's answers.
const (
	ContentTypeJSON = "application/json; charset=utf-8"
	ContentTypeXML  = "text/xml; charset=utf-8"
)

// text is a string the JSON answer writes as null when empty, as the spec's
// examples do for fields with nothing to say; XML writes an empty element.
type text string

// MarshalJSON writes null for an empty text.
func (t text) MarshalJSON() ([]byte, error) {
	if t == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(t))
}

// internalError is what an answer that cannot be encoded says instead; it
// cannot happen with the types of this package, so nothing is lost.
var internalError = []Problem{{Code: http.StatusInternalServerError, Description: "internal error"}}

// answer writes jsonValue as JSON or xmlValue as XML (with the declaration
// the spec requires): the two formats nest differently (a JSON array of
// objects is <services><service>… in XML), so each gets its own value.
func answer(f Format, status int, jsonValue, xmlValue any) events.APIGatewayV2HTTPResponse {
	var (
		body []byte
		err  error
	)
	ct := ContentTypeJSON
	if f == XML {
		ct = ContentTypeXML
		body, err = xml.Marshal(xmlValue)
		if err != nil {
			status = http.StatusInternalServerError
			body, _ = xml.Marshal(errorList{Problems: internalError})
		}
		body = append([]byte(xml.Header), body...)
	} else {
		body, err = json.Marshal(jsonValue)
		if err != nil {
			status = http.StatusInternalServerError
			body, _ = json.Marshal(internalError)
		}
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": ct, "Cache-Control": "no-store"},
		Body:       string(body),
	}
}
