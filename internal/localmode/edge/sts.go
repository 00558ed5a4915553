package edge

import (
	"encoding/xml"
	"net/http"
	"net/url"
)

// STS answers GetCallerIdentity in the query protocol (the only protocol of
// STS, aws-sdk-go-v2/service/sts included), so `aws sts get-caller-identity`
// and SDK identity checks work against the edge. Every caller is the local
// account's root, whatever its (dummy) credentials.

const stsXMLNS = "https://sts.amazonaws.com/doc/2011-06-15/"

func (e *Edge) serveSTS(w http.ResponseWriter, form url.Values) string {
	action := form.Get("Action")
	switch action {
	case "GetCallerIdentity":
		writeQueryResultNS(w, stsXMLNS, action, struct {
			XMLName xml.Name `xml:"GetCallerIdentityResult"`
			Arn     string   `xml:"Arn"`
			UserId  string   `xml:"UserId"`
			Account string   `xml:"Account"`
		}{Arn: "arn:aws:iam::" + e.accountID + ":root", UserId: e.accountID, Account: e.accountID})
	case "":
		writeQueryError(w, http.StatusBadRequest, stsXMLNS, "MissingAction", "The request must contain the parameter Action.")
	default:
		writeQueryError(w, http.StatusBadRequest, stsXMLNS, "InvalidAction",
			"the local AWS edge answers only GetCallerIdentity on STS, not "+action)
	}
	return action
}
