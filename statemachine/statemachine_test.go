package statemachine

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hotline12345/hotline/internal/localmode/asl"
)

func TestPlaceholders(t *testing.T) {
	got := Placeholders(Complaint)
	want := []string{"DispatchFunctionArn", "FeedbackFunctionArn", "Partition", "ReviewFunctionArn"}
	if !slices.Equal(got, want) {
		t.Fatalf("placeholders = %v, want %v", got, want)
	}
}

// substitutions are the values the SAM template gives, in partition.
func substitutions(partition string) map[string]string {
	values := map[string]string{}
	for _, n := range Placeholders(Complaint) {
		values[n] = "arn:" + partition + ":lambda:cn-north-1:000000000000:function:" + n // region irrelevant here
	}
	values["Partition"] = partition
	return values
}

func TestSubstitute(t *testing.T) {
	values := substitutions("aws")
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

// The workflow is valid in both partitions, and in the China regions' every
// task names its integration in aws-cn: no aws ARN is left in it.
func TestComplaintIsValidASLInEveryPartition(t *testing.T) {
	for _, partition := range []string{"aws", "aws-cn"} {
		def, err := Substitute(Complaint, substitutions(partition))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := asl.Parse(def); err != nil {
			t.Fatalf("workflow definition in %s: %v", partition, err)
		}
		if partition == "aws-cn" && strings.Contains(string(def), "arn:aws:") {
			t.Fatalf("an aws ARN in the China regions' definition")
		}
	}
}
