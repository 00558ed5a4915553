package httpapi

import (
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// The optional-staff Lambda authorizer passes sub, role and dept as its context;
// Staff must read them like JWT authorizer claims, and no context is a citizen.
func TestStaffReadsLambdaAuthorizerContext(t *testing.T) {
	req := func(a *events.APIGatewayV2HTTPRequestContextAuthorizerDescription) events.APIGatewayV2HTTPRequest {
		var r events.APIGatewayV2HTTPRequest
		r.RequestContext.Authorizer = a
		return r
	}
	c, ok, err := Staff(req(&events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: map[string]any{"sub": "d1", "role": "department", "dept": "market"}}))
	if err != nil || !ok || c.Subject != "d1" || c.Dept != "market" {
		t.Fatalf("lambda context: %+v %v %v", c, ok, err)
	}
	if _, ok, err := Staff(req(&events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: map[string]any{}})); ok || err != nil {
		t.Fatalf("anonymous (empty lambda context): ok=%v err=%v, want a citizen", ok, err)
	}
	if _, _, err := Staff(req(&events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: map[string]any{"sub": "x", "role": "department"}})); err == nil {
		t.Fatal("department without dept accepted")
	}
	c, ok, err = Staff(req(&events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "o", "role": "operator"}}}))
	if err != nil || !ok || c.Subject != "o" {
		t.Fatalf("jwt claims: %+v %v %v", c, ok, err)
	}
}
