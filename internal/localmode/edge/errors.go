package edge

import (
	"encoding/json"
	"encoding/xml"
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

// writeQueryError answers in the awsQuery (SNS) XML error shape.
func writeQueryError(w http.ResponseWriter, status int, xmlns, code, message string) {
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
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(append([]byte(xml.Header), b...))
}
