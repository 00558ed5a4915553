package statemachine

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/hotline12345/hotline/internal/localmode/asl"
)

func TestPlaceholders(t *testing.T) {
	got := Placeholders(Complaint)
	want := []string{"DispatchFunctionArn", "FeedbackFunctionArn", "ReviewFunctionArn"}
	if !slices.Equal(got, want) {
		t.Fatalf("placeholders = %v, want %v", got, want)
	}
}

func TestSubstitute(t *testing.T) {
	values := map[string]string{}
	for _, n := range Placeholders(Complaint) {
		values[n] = "arn:aws:lambda:us-east-1:000000000000:function:" + n
	}
	out, err := Substitute(Complaint, values)
	if err != nil {
		t.Fatal(err)
	}
	if len(Placeholders(out)) != 0 {
		t.Fatal("placeholders left after substitution")
	}
	if !json.Valid(out) {
		t.Fatal("substituted definition is not JSON")
	}
	delete(values, "ReviewFunctionArn")
	_, err = Substitute(Complaint, values)
	var missing *MissingSubstitutionError
	if !errors.As(err, &missing) || !slices.Equal(missing.Names, []string{"ReviewFunctionArn"}) {
		t.Fatalf("err = %v", err)
	}
}

func TestComplaintIsValidASL(t *testing.T) {
	values := map[string]string{}
	for _, n := range Placeholders(Complaint) {
		values[n] = "arn:aws:lambda:us-east-1:000000000000:function:" + n
	}
	def, err := Substitute(Complaint, values)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := asl.Parse(def); err != nil {
		t.Fatalf("workflow definition: %v", err)
	}
}
