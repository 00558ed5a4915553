package screening

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hotline12345/hotline/internal/domain/text"
	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// MaxConfigBytes bounds a screening configuration file.
const MaxConfigBytes = 1 << 20

// ConfigError lists every problem in a screening configuration.
type ConfigError struct {
	Problems []string
}

func (e *ConfigError) Error() string {
	return "invalid screening config: " + strings.Join(e.Problems, "; ")
}

// Load parses config/screening.json strictly, validates it and prepares the
// matchers. Set Categories on the result to check categories against the catalog.
func Load(data []byte) (*Screener, error) {
	var s Screener
	if err := ticket.DecodeStrict(data, MaxConfigBytes, &s); err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// answerText is what a knowledge-base answer may be.
var answerText = text.Field{Min: 1, Max: 2000, Multiline: true}

func printableTerm(w string) bool {
	_, bad := text.Refused(w, false)
	return !bad
}

// Validate checks the configuration, reporting every problem, and prepares
// the matchers; call it after changing fields by hand.
func (s *Screener) Validate() error {
	var p []string
	add := func(format string, args ...any) {
		if len(p) < 100 {
			p = append(p, fmt.Sprintf(format, args...))
		}
	}
	checkTerms := func(where string, ws []string) {
		seen := map[string]bool{}
		for _, w := range ws {
			t := newTerm(w)
			switch {
			case strings.TrimSpace(t.text) == "" || utf8.RuneCountInString(w) > 50:
				add("%s: terms must have 1–50 characters with a letter or digit", where)
			case !printableTerm(w):
				add("%s: %q has a control or format character", where, clip(w))
			case seen[t.text]:
				add("%s: %q listed twice", where, clip(w))
			}
			seen[t.text] = true
		}
	}

	checkTerms("blockedWords", s.BlockedWords)
	checkTerms("emergencyExclusions", s.EmergencyExclusions)
	for _, ix := range s.BlockedSenders {
		if !validIndex(ix) {
			add("blockedSenders: entries must be blind indexes (8–128 characters of hex or base64url)")
			break
		}
	}
	for _, sv := range sortedServices(s.EmergencyKeywords) {
		if !knownService(sv) {
			add("emergencyKeywords: unknown service %q (police, fire, medical)", clip(string(sv)))
			continue
		}
		if len(s.EmergencyKeywords[sv]) == 0 {
			add("emergencyKeywords.%s: empty", sv)
		}
		checkTerms("emergencyKeywords."+string(sv), s.EmergencyKeywords[sv])
	}
	for _, sv := range services {
		if _, ok := s.EmergencyKeywords[sv.s]; !ok {
			add("emergencyKeywords: no keywords for %s (%s)", sv.s, sv.number)
		}
	}
	for _, code := range s.AmbiguousCategories {
		if !ticket.ValidLeafCode(code) {
			add("ambiguousCategories: %q is not a leaf category code", clip(code))
		}
	}
	ids := map[string]bool{}
	for i, e := range s.KnowledgeBase {
		where := fmt.Sprintf("knowledgeBase[%d]", i)
		if e.ID == "" || len(e.ID) > 64 || strings.ContainsAny(e.ID, " \t\n") {
			add("%s: id must be 1–64 characters without spaces", where)
		} else if ids[e.ID] {
			add("%s: duplicate id %q", where, e.ID)
		} else {
			where = "knowledgeBase " + e.ID
		}
		ids[e.ID] = true
		if len(e.Match) == 0 {
			add("%s: no match groups", where)
		}
		for _, g := range e.Match {
			if len(g) == 0 {
				add("%s: empty match group", where)
			}
			checkTerms(where+": match", g)
		}
		for lang, answer := range e.Answer {
			if !lang.Valid() {
				add("%s: unknown answer language %q", where, clip(string(lang)))
			}
			if _, msg := answerText.Check(answer); msg != "" {
				add("%s: answer (%s): %s", where, lang, msg)
			}
		}
		if e.Answer[ticket.LanguageZH] == "" || e.Answer[ticket.LanguageEN] == "" {
			add("%s: answer needs zh and en", where)
		}
	}
	if !(s.Duplicate.Threshold > 0 && s.Duplicate.Threshold <= 1) {
		add("duplicate.threshold must be in (0, 1]")
	}
	if s.Duplicate.WindowDays < 1 || s.Duplicate.WindowDays > 90 {
		add("duplicate.windowDays must be 1–90")
	}
	if s.MinDistinctChars < 0 || s.MinDistinctChars > ticket.MinContentRunes {
		add("minDistinctChars must be 0–%d", ticket.MinContentRunes)
	}
	if len(p) > 0 {
		return &ConfigError{Problems: p}
	}
	s.compiled = *compile(s)
	return nil
}

func validIndex(s string) bool {
	if len(s) < 8 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_' || c == '=') {
			return false
		}
	}
	return true
}

func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	n := 40
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
