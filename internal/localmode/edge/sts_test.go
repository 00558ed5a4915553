package edge_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/hotline12345/hotline/internal/localmode/edge"
)

const stsNS = "https://sts.amazonaws.com/doc/2011-06-15/"

// TestSTSGetCallerIdentity: the SDK (STS speaks only the query protocol)
// learns the edge's account; other STS actions are refused in STS's shape.
func TestSTSGetCallerIdentity(t *testing.T) {
	h := start(t, edge.Options{AccountID: "123456789012"})
	out, err := sts.NewFromConfig(h.cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if aws.ToString(out.Account) != "123456789012" || aws.ToString(out.Arn) != "arn:aws:iam::123456789012:root" || aws.ToString(out.UserId) != "123456789012" {
		t.Errorf("GetCallerIdentity = %s %s %s", aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId))
	}

	// Unsigned, told apart from SQS and SNS by version or action.
	for _, form := range []url.Values{
		{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}},
		{"Action": {"GetCallerIdentity"}},
	} {
		status, body := postForm(t, h.url+"/", form, "")
		if status != 200 || !strings.Contains(string(body), `<GetCallerIdentityResponse xmlns="`+stsNS+`">`) ||
			!strings.Contains(string(body), "<Account>123456789012</Account>") {
			t.Errorf("%v: %d %s", form, status, body)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, h.url+"/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	if status, body := do(t, req); status != 200 || !strings.Contains(string(body), "<Account>123456789012</Account>") {
		t.Errorf("GET: %d %s", status, body)
	}

	status, body := postForm(t, h.url+"/", url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"}}, "")
	checkQueryError(t, "AssumeRole", status, body, 400, "InvalidAction", stsNS)
}
