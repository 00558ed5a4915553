// Package screening is the automated review (审核) of a new ticket as pure
// rules: emergencies are redirected to 110/119/120, blocked content and senders
// are rejected, known consultations are answered from the knowledge base,
// possible duplicates and tickets without a usable category go to an operator,
// everything else is accepted for dispatch. It does no I/O: the caller passes
// the contact's blind indexes and the same contact's recent tickets.
package screening

import (
	"sort"
	"strings"
	"time"

	"github.com/hotline12345/hotline/internal/domain/ticket"
)

// Outcome is what review decides.
type Outcome string

// Review outcomes; the workflow's Choice state branches on them.
const (
	OutcomeAccept Outcome = "accept"
	OutcomeReject Outcome = "reject"
	OutcomeManual Outcome = "manual"
	// OutcomeEmergency is a suspected emergency: an emergency keyword matched.
	// A keyword is never a final rejection on its own: the citizen is told at
	// once which number to call, and an operator confirms the emergency or
	// accepts the ticket as an ordinary one.
	OutcomeEmergency Outcome = "emergency"
	OutcomeAnswer    Outcome = "answer"
)

// Reason codes recorded on the ticket (ReviewReason) and shown to operators.
const (
	ReasonOK                = "ok"
	ReasonEmergencyPolice   = "emergency_police"
	ReasonEmergencyFire     = "emergency_fire"
	ReasonEmergencyMedical  = "emergency_medical"
	ReasonPossibleEmergency = "possible_emergency"
	ReasonBlockedSender     = "blocked_sender"
	ReasonBlockedContent    = "blocked_content"
	ReasonIncomplete        = "incomplete"
	ReasonKnowledgeBase     = "knowledge_base"
	ReasonPossibleDuplicate = "possible_duplicate"
	// ReasonSameMatterNearby: other citizens reported a similar matter in the
	// same category and place; an operator decides whether to merge.
	ReasonSameMatterNearby  = "same_matter_nearby"
	ReasonCategoryMissing   = "category_missing"
	ReasonCategoryInvalid   = "category_invalid"
	ReasonCategoryAmbiguous = "category_ambiguous"
)

// Service is an emergency service the citizen is sent to.
type Service string

// Emergency services, in the order their reasons take precedence.
const (
	ServiceFire    Service = "fire"    // 119
	ServiceMedical Service = "medical" // 120
	ServicePolice  Service = "police"  // 110
)

// services is the immutable table of emergency services.
var services = []struct {
	s      Service
	number string
	reason string
	zh, en string
}{
	{ServiceFire, "119", ReasonEmergencyFire, "119（火警）", "119 (fire)"},
	{ServiceMedical, "120", ReasonEmergencyMedical, "120（急救）", "120 (ambulance)"},
	{ServicePolice, "110", ReasonEmergencyPolice, "110（报警）", "110 (police)"},
}

func knownService(s Service) bool {
	for _, x := range services {
		if x.s == s {
			return true
		}
	}
	return false
}

// CategoryChecker says whether a category code is usable for a ticket type;
// *catalog.Catalog implements it.
type CategoryChecker interface {
	CheckCategory(code string, t ticket.Type) error
}

// Screener holds the review rules. Build it with Load (or fill the fields and
// call Validate); it is safe for concurrent use once built.
type Screener struct {
	// BlockedWords reject a ticket whose content or involved unit contains one.
	BlockedWords []string `json:"blockedWords"`
	// BlockedSenders are blind indexes (HMACs) of phone numbers and e-mail
	// addresses whose tickets are rejected.
	BlockedSenders []string `json:"blockedSenders"`
	// EmergencyKeywords per service; a match redirects the citizen.
	EmergencyKeywords map[Service][]string `json:"emergencyKeywords"`
	// EmergencyExclusions turn an emergency match into a manual review: words
	// like 隐患 or 预防 mean the citizen talks about risk, not a fire now.
	EmergencyExclusions []string `json:"emergencyExclusions,omitempty"`
	// AmbiguousCategories are catch-alls (other.general) an operator must refine.
	AmbiguousCategories []string `json:"ambiguousCategories,omitempty"`
	// KnowledgeBase answers consultations directly (直办).
	KnowledgeBase []Entry `json:"knowledgeBase,omitempty"`
	// Duplicate detection settings.
	Duplicate DuplicateRule `json:"duplicate"`
	// MinDistinctChars: content with fewer distinct letters/ideographs is
	// rejected as incomplete ("啊啊啊啊啊啊啊啊啊啊").
	MinDistinctChars int `json:"minDistinctChars"`

	// Categories, when set, checks that the category exists and accepts the type.
	Categories CategoryChecker `json:"-"`

	compiled compiled
}

// Entry is a knowledge-base answer to a frequent consultation.
type Entry struct {
	ID string `json:"id"`
	// Match lists alternative term groups; the entry matches when every term
	// of one group appears in the content: [["社保卡","补办"],["社保卡","丢"]].
	Match  [][]string                 `json:"match"`
	Answer map[ticket.Language]string `json:"answer"`
}

// DuplicateRule: a ticket from the same contact in the same category whose
// content is at least Threshold similar (bigram Jaccard) to one filed within
// WindowDays is sent to an operator as a possible duplicate.
type DuplicateRule struct {
	Threshold  float64 `json:"threshold"`
	WindowDays int     `json:"windowDays"`
}

// Recent is one of the contact's earlier tickets, found by the caller through
// the contact's blind index.
type Recent struct {
	ID        string        `json:"id"`
	Category  string        `json:"category"`
	Content   string        `json:"content"`
	CreatedAt time.Time     `json:"createdAt"`
	Status    ticket.Status `json:"status"`
}

// Input is what review looks at.
type Input struct {
	Type         ticket.Type
	Category     string
	Content      string
	InvolvedUnit string
	Anonymous    bool
	// ContactIndexes are the blind indexes of the contact's phone and e-mail.
	ContactIndexes []string
	// Recent are the same contact's recent tickets (for duplicates).
	Recent []Recent
	// Nearby are other citizens' recent tickets of the same category and
	// place (region), for the same matter reported by several people.
	Nearby []Recent
	// Now is when the ticket was received; zero disables the duplicate window.
	Now time.Time
}

// Decision is the result of review.
type Decision struct {
	Outcome Outcome `json:"outcome"`
	Reason  string  `json:"reason"`
	// Message is what the citizen is told, per language (reject and answer).
	Message map[ticket.Language]string `json:"message,omitempty"`
	// DuplicateOf is the candidate ticket for possible_duplicate.
	DuplicateOf string `json:"duplicateOf,omitempty"`
	// Candidates are other citizens' similar tickets nearby
	// (same_matter_nearby), most similar first; never merged automatically.
	Candidates []string `json:"candidates,omitempty"`
	Similarity float64  `json:"similarity,omitempty"`
	// AnswerID is the knowledge-base entry used for answer.
	AnswerID string `json:"answerId,omitempty"`
	// Services lists the emergency services the citizen was sent to.
	Services []Service `json:"services,omitempty"`
}

// Text returns the message in lang, falling back to Chinese.
func (d Decision) Text(lang ticket.Language) string {
	if m, ok := d.Message[lang]; ok {
		return m
	}
	return d.Message[ticket.LanguageZH]
}

// compiled holds the normalised forms of the configured terms.
type compiled struct {
	ready      bool
	blocked    []term
	emergency  map[Service][]term
	exclusions []term
	senders    map[string]bool
	ambiguous  map[string]bool
	kb         [][][]term
}

// Review applies the rules in order of severity: emergencies first (safety
// beats everything), then blocked senders and content, junk, knowledge-base
// answers, duplicates, and the category.
func (s *Screener) Review(in Input) Decision {
	c := s.rules()
	content := normalize(in.Content + "\n" + in.InvolvedUnit)

	// Praise and suggestions talk about past or general matters (感谢消防员扑灭
	// 火灾); redirecting them to 119 would be wrong.
	if in.Type != ticket.TypePraise && in.Type != ticket.TypeSuggestion {
		if d, hit := c.emergencyIn(content); hit {
			return d
		}
	}

	if !in.Anonymous {
		for _, ix := range in.ContactIndexes {
			if c.senders[ix] {
				return Decision{Outcome: OutcomeReject, Reason: ReasonBlockedSender, Message: msgBlockedSender}
			}
		}
	}
	if containsAny(content, c.blocked) {
		return Decision{Outcome: OutcomeReject, Reason: ReasonBlockedContent, Message: msgBlockedContent}
	}
	if distinctChars(in.Content) < s.MinDistinctChars {
		return Decision{Outcome: OutcomeReject, Reason: ReasonIncomplete, Message: msgIncomplete}
	}

	if in.Type == ticket.TypeConsultation {
		for i, groups := range c.kb {
			if matchesGroups(content, groups) {
				e := s.KnowledgeBase[i]
				msg := make(map[ticket.Language]string, len(e.Answer))
				for k, v := range e.Answer {
					msg[k] = v
				}
				return Decision{Outcome: OutcomeAnswer, Reason: ReasonKnowledgeBase, Message: msg, AnswerID: e.ID}
			}
		}
	}

	if !in.Anonymous {
		if id, sim, ok := s.findDuplicate(in); ok {
			return Decision{Outcome: OutcomeManual, Reason: ReasonPossibleDuplicate, DuplicateOf: id, Similarity: sim}
		}
	}
	if ids := s.sameMatterNearby(in); len(ids) > 0 {
		return Decision{Outcome: OutcomeManual, Reason: ReasonSameMatterNearby, Candidates: ids}
	}

	switch {
	case in.Category == "":
		return Decision{Outcome: OutcomeManual, Reason: ReasonCategoryMissing}
	case c.ambiguous[in.Category]:
		return Decision{Outcome: OutcomeManual, Reason: ReasonCategoryAmbiguous}
	case s.Categories != nil && s.Categories.CheckCategory(in.Category, in.Type) != nil:
		return Decision{Outcome: OutcomeManual, Reason: ReasonCategoryInvalid}
	}
	return Decision{Outcome: OutcomeAccept, Reason: ReasonOK}
}

// similar reports whether r is an open ticket of the same category within the
// duplicate window whose content is at least the threshold similar, and how
// similar.
func (s *Screener) similar(in Input, r Recent) (float64, bool) {
	window := time.Duration(s.Duplicate.WindowDays) * 24 * time.Hour
	if r.Category != in.Category || !r.Status.Open() {
		return 0, false
	}
	if !in.Now.IsZero() && (r.CreatedAt.Before(in.Now.Add(-window)) || r.CreatedAt.After(in.Now)) {
		return 0, false
	}
	sim := Similarity(in.Content, r.Content)
	return sim, sim >= s.Duplicate.Threshold
}

// maxCandidates bounds the nearby candidates shown to an operator.
const maxCandidates = 5

// sameMatterNearby lists other citizens' open tickets that look like the same
// matter (same category and place, similar content, within the window), most
// similar first.
func (s *Screener) sameMatterNearby(in Input) []string {
	if in.Category == "" {
		return nil
	}
	type cand struct {
		id  string
		sim float64
	}
	var found []cand
	for _, r := range in.Nearby {
		if sim, ok := s.similar(in, r); ok {
			found = append(found, cand{r.ID, sim})
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].sim > found[j].sim })
	var ids []string
	for i := 0; i < len(found) && i < maxCandidates; i++ {
		ids = append(ids, found[i].id)
	}
	return ids
}

func (s *Screener) findDuplicate(in Input) (string, float64, bool) {
	best, bestSim := -1, 0.0
	for i, r := range in.Recent {
		sim, ok := s.similar(in, r)
		if !ok {
			continue
		}
		if best < 0 || sim > bestSim || sim == bestSim && r.CreatedAt.After(in.Recent[best].CreatedAt) {
			best, bestSim = i, sim
		}
	}
	if best < 0 {
		return "", 0, false
	}
	return in.Recent[best].ID, bestSim, true
}

func emergency(hit []Service) Decision {
	var zh, en []string
	reason := ""
	for _, sv := range services {
		for _, h := range hit {
			if h == sv.s {
				zh = append(zh, sv.zh)
				en = append(en, sv.en)
				if reason == "" {
					reason = sv.reason
				}
			}
		}
	}
	return Decision{
		Outcome:  OutcomeEmergency,
		Reason:   reason,
		Services: hit,
		Message: map[ticket.Language]string{
			ticket.LanguageZH: "如果情况紧急，请立即拨打" + strings.Join(zh, "、") +
				"。12345热线不处理紧急求助；值班人员会尽快核实您的工单，不属于紧急情况的将照常办理。",
			ticket.LanguageEN: "If this is an emergency, call " + strings.Join(en, " or ") +
				" now. The 12345 hotline cannot handle emergencies; an operator will check your ticket shortly and, if it is not an emergency, it is handled as usual.",
		},
	}
}

// Numbers are the telephone numbers of the services, in the services' order.
func Numbers(hit []Service) []string {
	var out []string
	for _, sv := range services {
		for _, h := range hit {
			if h == sv.s {
				out = append(out, sv.number)
			}
		}
	}
	return out
}

// Immutable citizen messages. The blocked-sender text does not say the
// sender is blocked.
var (
	msgBlockedSender = map[ticket.Language]string{
		ticket.LanguageZH: "您的诉求未予受理。如有疑问，请拨打12345热线咨询。",
		ticket.LanguageEN: "Your request was not accepted. If you have questions, please call 12345.",
	}
	msgBlockedContent = map[ticket.Language]string{
		ticket.LanguageZH: "您提交的内容含有不文明或违法用语，未予受理。请修改后重新提交。",
		ticket.LanguageEN: "Your request contains abusive or unlawful language and was not accepted. Please rephrase it and submit again.",
	}
	msgIncomplete = map[ticket.Language]string{
		ticket.LanguageZH: "未能从您提交的内容中识别出具体诉求，未予受理。请写明事项、时间和地点后重新提交。",
		ticket.LanguageEN: "We could not tell what your request is about, so it was not accepted. Please describe the matter, when and where, and submit again.",
	}
)

func matchesGroups(content normText, groups [][]term) bool {
	for _, g := range groups {
		all := len(g) > 0
		for _, t := range g {
			if !t.in(content) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// Emergency screens further text on an open ticket (a supplement) for
// emergency keywords, as intake's review does: a suspected emergency, or a
// possible one an operator looks at; ok is false when nothing matched.
func (s *Screener) Emergency(text string) (d Decision, ok bool) {
	return s.rules().emergencyIn(normalize(text))
}

func (s *Screener) rules() *compiled {
	if s.compiled.ready {
		return &s.compiled
	}
	return compile(s)
}

// emergencyIn applies the emergency keywords to normalised content.
func (c *compiled) emergencyIn(content normText) (Decision, bool) {
	var hit []Service
	for _, sv := range services {
		if containsAny(content, c.emergency[sv.s]) {
			hit = append(hit, sv.s)
		}
	}
	switch {
	case len(hit) == 0:
		return Decision{}, false
	case containsAny(content, c.exclusions):
		return Decision{Outcome: OutcomeManual, Reason: ReasonPossibleEmergency, Services: hit}, true
	}
	return emergency(hit), true
}

func compile(s *Screener) *compiled {
	c := &compiled{
		ready:     true,
		emergency: map[Service][]term{},
		senders:   map[string]bool{},
		ambiguous: map[string]bool{},
	}
	c.blocked = terms(s.BlockedWords)
	for sv, ws := range s.EmergencyKeywords {
		c.emergency[sv] = terms(ws)
	}
	c.exclusions = terms(s.EmergencyExclusions)
	for _, ix := range s.BlockedSenders {
		c.senders[ix] = true
	}
	for _, code := range s.AmbiguousCategories {
		c.ambiguous[code] = true
	}
	for _, e := range s.KnowledgeBase {
		var groups [][]term
		for _, g := range e.Match {
			groups = append(groups, terms(g))
		}
		c.kb = append(c.kb, groups)
	}
	return c
}

// sortedServices returns map keys in a stable order for error messages.
func sortedServices(m map[Service][]string) []Service {
	out := make([]Service, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
