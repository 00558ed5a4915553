package auth

import (
	"strings"
	"testing"
	"time"
)

func TestSignVerifyRoundTrip(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	iss := NewIssuer("", func() time.Time { return now })
	tok, err := iss.Sign(Claims{Subject: "u1", Role: RoleDepartment, Dept: "market"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := iss.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	c, err := FromAuthorizer(got)
	if err != nil {
		t.Fatal(err)
	}
	if c != (Claims{Subject: "u1", Role: RoleDepartment, Dept: "market"}) {
		t.Fatalf("claims = %+v", c)
	}
}

func TestVerifyRejects(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	iss := NewIssuer("secret-a", func() time.Time { return now })
	tok, err := iss.Sign(Claims{Subject: "u1", Role: RoleOperator}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	other := NewIssuer("secret-b", func() time.Time { return now })
	if _, err := other.Verify(tok); err == nil {
		t.Error("token signed with another secret accepted")
	}
	later := NewIssuer("secret-a", func() time.Time { return now.Add(2 * time.Hour) })
	if _, err := later.Verify(tok); err == nil {
		t.Error("expired token accepted")
	}
	wrongAud := NewIssuer("secret-a", func() time.Time { return now })
	wrongAud.Audience = "someone-else"
	if _, err := wrongAud.Verify(tok); err == nil {
		t.Error("token for another audience accepted")
	}
	if _, err := iss.Verify(strings.TrimSuffix(tok, tok[len(tok)-2:])); err == nil {
		t.Error("truncated token accepted")
	}
}

func TestClaimsValidate(t *testing.T) {
	bad := []Claims{
		{Role: RoleOperator},
		{Subject: "x", Role: "mayor"},
		{Subject: "x", Role: RoleDepartment},
	}
	for _, c := range bad {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	if _, err := FromAuthorizer(nil); err == nil {
		t.Error("empty authorizer claims accepted")
	}
}

func FuzzVerify(f *testing.F) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	iss := NewIssuer("", func() time.Time { return now })
	tok, _ := iss.Sign(Claims{Subject: "u1", Role: RoleAdmin}, time.Hour)
	f.Add(tok)
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, s string) {
		claims, err := iss.Verify(s)
		if err == nil && claims["sub"] == "" {
			t.Fatal("verified token without subject")
		}
	})
}
