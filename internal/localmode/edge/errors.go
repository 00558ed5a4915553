package edge

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
)

// writeJSON answers an awsJson/restJson success.
func writeJSON(w http.ResponseWriter, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeJSONError(w, http.StatusInternalServerError, "InternalFailure", "could not encode response")
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-RequestId", newID())
	_, _ = w.Write(b)
}

// writeJSONError answers in the awsJson 1.0 error shape: the SDK reads the
// type from X-Amzn-ErrorType or "__type" (namespace prefix stripped).
func writeJSONError(w http.ResponseWriter, status int, errType, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-RequestId", newID())
	b, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{errType, message})
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeRESTError answers in the restJson1 error shape (SES v2).
func writeRESTError(w http.ResponseWriter, status int, errType, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", errType)
	w.Header().Set("X-Amzn-RequestId", newID())
	b, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{message})
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeQueryError answers in the awsQuery XML error shape.
func writeQueryError(w http.ResponseWriter, status int, xmlns, code, message string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(queryErrorXML(status, xmlns, code, message))
}

// queryErrorXML is an awsQuery <ErrorResponse>; Type is Sender for 4xx,
// Receiver for 5xx.
func queryErrorXML(status int, xmlns, code, message string) []byte {
	type errBody struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	type errResp struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Xmlns     string   `xml:"xmlns,attr"`
		Error     errBody  `xml:"Error"`
		RequestID string   `xml:"RequestId"`
	}
	fault := "Sender"
	if status >= 500 {
		fault = "Receiver"
	}
	b, _ := xml.Marshal(errResp{Xmlns: xmlns, Error: errBody{fault, code, message}, RequestID: newID()})
	return append([]byte(xml.Header), b...)
}

// writeQueryResultNS answers an awsQuery success: <ActionResponse> holding
// result (the <ActionResult> element, or nil for none) and the request id.
func writeQueryResultNS(w http.ResponseWriter, xmlns, action string, result any) {
	b, reqID, err := queryResponseXML(xmlns, action, result)
	if err != nil {
		writeQueryError(w, http.StatusInternalServerError, xmlns, "InternalError", "could not encode response")
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-RequestId", reqID)
	_, _ = w.Write(b)
}

func queryResponseXML(xmlns, action string, result any) (body []byte, reqID string, err error) {
	var inner []byte
	if result != nil {
		if inner, err = xml.Marshal(result); err != nil {
			return nil, "", fmt.Errorf("encode %s result: %w", action, err)
		}
	}
	reqID = newID()
	var b bytes.Buffer
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, `<%sResponse xmlns="%s">`, action, xmlns)
	b.Write(inner)
	fmt.Fprintf(&b, `<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`, reqID, action)
	return b.Bytes(), reqID, nil
}
