// Package inbox reads what local mode's edge (or LocalStack) captured instead
// of sending: the verification codes a citizen would read on their phone or
// in their mail. Tests and the load harness use it to act as citizens do.
package inbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/hotline12345/hotline/internal/domain/contact"
	"github.com/hotline12345/hotline/internal/localmode/edge"
)

// codePattern finds the six-digit code in a verification message (zh or en).
var codePattern = regexp.MustCompile(`(?:验证码|verification code)\s*(?:为\s*)?(\d{6})`)

// CodeSentTo returns the newest verification code the edge (local mode's or
// LocalStack's) captured for the recipient: an e-mail address, or a mobile
// number as typed.
func CodeSentTo(edgeURL, recipient string) (string, error) {
	return codeSentTo(http.DefaultClient, edgeURL, recipient)
}

func codeSentTo(client *http.Client, edgeURL, recipient string) (string, error) {
	var texts []string
	if phone := contact.MobileE164(recipient); phone != "" {
		var s struct {
			SMS map[string][]edge.SMSMessage `json:"sms_messages"`
		}
		if err := fetchJSON(client, edgeURL+"/_aws/sns/sms-messages?phoneNumber="+url.QueryEscape(phone), &s); err != nil {
			return "", err
		}
		for _, x := range s.SMS[phone] {
			texts = append(texts, x.Message)
		}
		// Local mode with --sms tencent captures there instead (LocalStack
		// has no such path: an answer that is not the list is skipped).
		var tc struct {
			Messages []edge.TencentSMS `json:"messages"`
		}
		if fetchJSON(client, edgeURL+"/_aws/tencent-sms?phoneNumber="+url.QueryEscape(phone), &tc) == nil {
			for _, x := range tc.Messages {
				if x.PhoneNumber == phone {
					texts = append(texts, x.Text)
				}
			}
		}
	} else {
		var m struct {
			Messages []edge.SentEmail `json:"messages"`
		}
		if err := fetchJSON(client, edgeURL+"/_aws/ses?to="+url.QueryEscape(recipient), &m); err != nil {
			return "", err
		}
		for _, x := range m.Messages {
			if slices.Contains(x.Destination.ToAddresses, recipient) && x.Body.TextPart != nil {
				texts = append(texts, *x.Body.TextPart)
			}
		}
	}
	for _, text := range slices.Backward(texts) {
		if m := codePattern.FindStringSubmatch(text); m != nil {
			return m[1], nil
		}
	}
	return "", errors.New("no verification code was sent to the recipient")
}

// ClearMail deletes every e-mail the edge captured (local mode's edge and
// LocalStack's both take DELETE /_aws/ses).
func ClearMail(edgeURL string) error {
	req, err := http.NewRequest(http.MethodDelete, edgeURL+"/_aws/ses", nil)
	if err != nil {
		return fmt.Errorf("clear the captured mail: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("clear the captured mail: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("clear the captured mail: status %d", resp.StatusCode)
	}
	return nil
}

func fetchJSON(client *http.Client, url string, v any) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("%s: %w", url, err)
	}
	return nil
}

// Poster sends a POST /v1/verifications body and returns the status and the
// answer's body.
type Poster func(body []byte) (status int, answer []byte, err error)

// Verify adds to a submission the verification of its contact, as a web page
// does: it asks for a code for the contact's e-mail address (else its mobile
// number), reads it from the edge and puts it in "verification". Anonymous
// submissions, operator-entered phone calls, submissions without a contact
// and those already verified come back unchanged.
func Verify(edgeURL string, post Poster, sub map[string]any) (map[string]any, error) {
	return VerifyWith(http.DefaultClient, edgeURL, post, sub)
}

// VerifyWith is Verify reading the code with client (the load harness keeps
// a connection per citizen).
func VerifyWith(client *http.Client, edgeURL string, post Poster, sub map[string]any) (map[string]any, error) {
	c, _ := sub["contact"].(map[string]any)
	if anon, _ := sub["anonymous"].(bool); anon || c == nil || sub["channel"] == "phone" || sub["verification"] != nil {
		return sub, nil
	}
	field, recipient := "email", str(c["email"])
	if recipient == "" {
		field, recipient = "phone", str(c["phone"])
	}
	if recipient == "" {
		return sub, nil
	}
	req, err := json.Marshal(map[string]string{field: recipient})
	if err != nil {
		return nil, err
	}
	status, answer, err := post(req)
	if err != nil {
		return nil, err
	}
	if status != 202 {
		return nil, fmt.Errorf("verification: %d %s", status, answer)
	}
	var sent struct{ VerificationID string }
	if err := json.Unmarshal(answer, &sent); err != nil {
		return nil, err
	}
	code, err := codeSentTo(client, edgeURL, strings.TrimSpace(recipient))
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(sub)+1)
	for k, v := range sub {
		out[k] = v
	}
	out["verification"] = map[string]string{"id": sent.VerificationID, "code": code}
	return out, nil
}

// HTTPPoster posts verification requests to an API's base URL.
func HTTPPoster(apiURL string) Poster { return ClientPoster(http.DefaultClient, apiURL) }

// ClientPoster posts verification requests to an API's base URL with client
// (tests pass one that checks each exchange against the API's contract).
func ClientPoster(client *http.Client, apiURL string) Poster {
	return func(body []byte) (int, []byte, error) {
		resp, err := client.Post(apiURL+"/v1/verifications", "application/json", bytes.NewReader(body))
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, b, err
	}
}

func str(v any) string { s, _ := v.(string); return s }
