// Package statemachine embeds the ticket workflow and fills in the
// DefinitionSubstitutions the SAM template provides in production.
package statemachine

import (
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"sort"
)

// Complaint is the ticket lifecycle workflow (Amazon States Language, JSONPath).
//
//go:embed complaint.asl.json
var Complaint []byte

var placeholder = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)

// Placeholders lists the ${Name} substitutions a definition needs, sorted.
func Placeholders(def []byte) []string {
	var names []string
	for _, m := range placeholder.FindAllSubmatch(def, -1) {
		if n := string(m[1]); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// MissingSubstitutionError names the placeholders with no value.
type MissingSubstitutionError struct{ Names []string }

func (e *MissingSubstitutionError) Error() string {
	return fmt.Sprintf("definition substitutions missing for %v", e.Names)
}

// Substitute replaces every ${Name} the way CloudFormation's
// DefinitionSubstitutions does and refuses to leave any unreplaced.
func Substitute(def []byte, values map[string]string) ([]byte, error) {
	var missing []string
	for _, n := range Placeholders(def) {
		if _, ok := values[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, &MissingSubstitutionError{Names: missing}
	}
	return placeholder.ReplaceAllFunc(def, func(m []byte) []byte {
		return []byte(values[string(placeholder.FindSubmatch(m)[1])])
	}), nil
}
