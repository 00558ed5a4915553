package client_test

import (
	"errors"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/hotline12345/hotline/client"
)

// openAPIPath is where the repository keeps the API's OpenAPI document;
// HOTLINE_OPENAPI names another copy.
func openAPIPath() string {
	if p := os.Getenv("HOTLINE_OPENAPI"); p != "" {
		return p
	}
	return "../openapi/openapi.yaml"
}

// schemaTypes pairs each schema of the document with the struct that is it.
var schemaTypes = map[string]reflect.Type{
	"Location":             reflect.TypeFor[client.Location](),
	"Contact":              reflect.TypeFor[client.Contact](),
	"VerificationProof":    reflect.TypeFor[client.VerificationProof](),
	"Submission":           reflect.TypeFor[client.Submission](),
	"Receipt":              reflect.TypeFor[client.Receipt](),
	"VerificationRequest":  reflect.TypeFor[client.VerificationRequest](),
	"VerificationSent":     reflect.TypeFor[client.VerificationSent](),
	"ServiceLevel":         reflect.TypeFor[client.ServiceLevel](),
	"Category":             reflect.TypeFor[client.Category](),
	"DepartmentRef":        reflect.TypeFor[client.DepartmentRef](),
	"CitizenReply":         reflect.TypeFor[client.CitizenReply](),
	"CitizenTimelineEntry": reflect.TypeFor[client.CitizenTimelineEntry](),
	"CitizenView":          reflect.TypeFor[client.CitizenView](),
	"Deadlines":            reflect.TypeFor[client.Deadlines](),
	"Reply":                reflect.TypeFor[client.Reply](),
	"Rating":               reflect.TypeFor[client.Rating](),
	"Extension":            reflect.TypeFor[client.Extension](),
	"Stuck":                reflect.TypeFor[client.Stuck](),
	"CoOpinion":            reflect.TypeFor[client.CoOpinion](),
	"StaffEvent":           reflect.TypeFor[client.StaffEvent](),
	"StaffView":            reflect.TypeFor[client.StaffView](),
	"SummaryFields":        reflect.TypeFor[client.Summary](),
	"TicketSummary":        reflect.TypeFor[client.TicketSummary](),
	"TicketList":           reflect.TypeFor[client.TicketList](),
	"StuckTicket":          reflect.TypeFor[client.StuckTicket](),
	"StuckTicketList":      reflect.TypeFor[client.StuckTicketList](),
	"SupplementAdded":      reflect.TypeFor[client.SupplementAdded](),
	"RatingRequest":        reflect.TypeFor[client.RatingRequest](),
	"RatingRecorded":       reflect.TypeFor[client.RatingRecorded](),
	"TicketStatus":         reflect.TypeFor[client.TicketStatus](),
	"ReviewRequest":        reflect.TypeFor[client.ReviewRequest](),
	"ReviewResult":         reflect.TypeFor[client.ReviewResult](),
	"ReassignRequest":      reflect.TypeFor[client.ReassignRequest](),
	"ReassignResult":       reflect.TypeFor[client.ReassignResult](),
	"NoteAdded":            reflect.TypeFor[client.NoteAdded](),
	"CoOpinionAdded":       reflect.TypeFor[client.CoOpinionAdded](),
	"ReplyRequest":         reflect.TypeFor[client.ReplyRequest](),
	"ExtensionRequested":   reflect.TypeFor[client.ExtensionRequested](),
	"ExtensionDecided":     reflect.TypeFor[client.ExtensionDecided](),
	"DepartmentStats":      reflect.TypeFor[client.DepartmentStats](),
	"TotalStats":           reflect.TypeFor[client.TotalStats](),
	"Stats":                reflect.TypeFor[client.Stats](),
	"Hotspot":              reflect.TypeFor[client.Hotspot](),
	"Hotspots":             reflect.TypeFor[client.Hotspots](),
	"Department":           reflect.TypeFor[client.Department](),
	"DepartmentInput":      reflect.TypeFor[client.DepartmentInput](),
	"RoutingRule":          reflect.TypeFor[client.RoutingRule](),
	"Calendar":             reflect.TypeFor[client.Calendar](),
	"CalendarInput":        reflect.TypeFor[client.Calendar](),
	"CalendarCoverage":     reflect.TypeFor[client.CalendarCoverage](),
	"KnowledgeEntry":       reflect.TypeFor[client.KnowledgeEntry](),
	"EmergencyKeywords":    reflect.TypeFor[client.EmergencyKeywords](),
	"DuplicateRule":        reflect.TypeFor[client.DuplicateRule](),
	"ScreeningRules":       reflect.TypeFor[client.ScreeningRules](),
	"ScreeningRulesInput":  reflect.TypeFor[client.ScreeningRules](),
	"RepairStarted":        reflect.TypeFor[client.RepairStarted](),
	"Problem":              reflect.TypeFor[client.Problem](),
	"CategoryAttribute":    reflect.TypeFor[client.CategoryAttribute](),
	"AttributeValue":       reflect.TypeFor[client.AttributeValue](),
	"APIKey":               reflect.TypeFor[client.APIKey](),
}

// sent are the schemas the client sends: a required property of theirs must
// never be left out for being zero.
var sent = []string{
	"VerificationProof", "Submission", "VerificationRequest", "RatingRequest", "ReviewRequest", "ReassignRequest", "ReplyRequest",
	"DepartmentInput", "RoutingRule", "RoutingRules", "CategoryTree", "Category", "CategoryAttribute", "AttributeValue", "ServiceLevel", "CalendarInput", "KnowledgeEntry",
	"KnowledgeBase", "ScreeningRulesInput", "SupplementRequest", "WithdrawalRequest", "PhoneCallRequest", "NoteRequest",
	"CoOpinionRequest", "ReturnRequest", "ExtensionRequest", "ExtensionDecisionRequest", "RepairRequest",
}

type schema struct {
	Ref        string             `yaml:"$ref"`
	Properties map[string]*schema `yaml:"properties"`
	Required   []string           `yaml:"required"`
	AllOf      []*schema          `yaml:"allOf"`
}

// jsonFields are the JSON names of a struct's fields (embedded structs'
// included; "-" left out) and whether each is left out when zero.
func jsonFields(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && tag == "" {
			for k, v := range jsonFields(f.Type) {
				if _, shadowed := out[k]; !shadowed {
					out[k] = v
				}
			}
			continue
		}
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
	}
	return out
}

// Every struct has exactly the properties of its schema, by the same JSON
// names, and what the client sends keeps every required property.
func TestStructsAreTheDocumentsSchemas(t *testing.T) {
	doc, err := os.ReadFile(openAPIPath())
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no OpenAPI document at %s (set HOTLINE_OPENAPI)", openAPIPath())
	}
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Components struct {
			Schemas map[string]*schema `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	schemas := d.Components.Schemas
	// properties collects a schema's properties and required names, through
	// allOf and $ref.
	var properties func(s *schema) (map[string]bool, []string)
	properties = func(s *schema) (map[string]bool, []string) {
		props, required := map[string]bool{}, slices.Clone(s.Required)
		if s.Ref != "" {
			return properties(schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")])
		}
		for _, sub := range s.AllOf {
			p, r := properties(sub)
			for k := range p {
				props[k] = true
			}
			required = append(required, r...)
		}
		for k := range s.Properties {
			props[k] = true
		}
		return props, required
	}
	all := map[string]reflect.Type{}
	for name, typ := range schemaTypes {
		all[name] = typ
	}
	for name, typ := range client.Bodies {
		all[name] = typ
	}
	for name, typ := range all {
		s, ok := schemas[name]
		if !ok {
			t.Errorf("%s: no such schema in the document", name)
			continue
		}
		props, required := properties(s)
		fields := jsonFields(typ)
		for p := range props {
			if _, ok := fields[p]; !ok {
				t.Errorf("%s: property %q has no field in %s", name, p, typ)
			}
		}
		for f := range fields {
			if !props[f] {
				t.Errorf("%s: %s has a field %q the schema does not", name, typ, f)
			}
		}
		if slices.Contains(sent, name) {
			for _, r := range required {
				if fields[r] {
					t.Errorf("%s: required property %q is left out when zero", name, r)
				}
			}
		}
	}
	for _, name := range sent {
		if _, ok := all[name]; !ok {
			t.Errorf("%s: sent but not paired with a struct", name)
		}
	}
}
