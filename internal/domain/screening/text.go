package screening

import (
	"strings"
	"unicode"
)

// normText is content prepared for matching. compact keeps only letters and
// digits, so "着 火" and "着，火" still match 着火; words keeps word
// boundaries for Latin terms, so "fire" does not match "fired".
type normText struct {
	compact string
	words   string // " word word " with single spaces at both ends
}

// fold maps full-width ASCII to half-width and lower-cases.
func fold(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	case r == 0x3000:
		r = ' '
	}
	return unicode.ToLower(r)
}

func normalize(s string) normText {
	var c, w strings.Builder
	w.WriteByte(' ')
	space := true
	for _, r := range s {
		r = fold(r)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			c.WriteRune(r)
			w.WriteRune(r)
			space = false
		} else if !space {
			w.WriteByte(' ')
			space = true
		}
	}
	if !space {
		w.WriteByte(' ')
	}
	return normText{compact: c.String(), words: w.String()}
}

// term is a configured word or phrase in matching form.
type term struct {
	text  string
	latin bool
}

func newTerm(s string) term {
	n := normalize(s)
	latin := true
	for _, r := range n.compact {
		if r > unicode.MaxASCII {
			latin = false
			break
		}
	}
	if latin {
		return term{text: n.words, latin: true}
	}
	return term{text: n.compact}
}

func terms(ss []string) []term {
	out := make([]term, 0, len(ss))
	for _, s := range ss {
		if t := newTerm(s); strings.TrimSpace(t.text) != "" {
			out = append(out, t)
		}
	}
	return out
}

func (t term) in(n normText) bool {
	if t.latin {
		return strings.Contains(n.words, t.text)
	}
	return strings.Contains(n.compact, t.text)
}

func containsAny(n normText, ts []term) bool {
	for _, t := range ts {
		if t.in(n) {
			return true
		}
	}
	return false
}

// distinctChars counts the different letters and digits in s.
func distinctChars(s string) int {
	seen := map[rune]bool{}
	for _, r := range normalize(s).compact {
		seen[r] = true
	}
	return len(seen)
}

// Similarity is the Jaccard index of the character-bigram sets of a and b
// after normalisation (letters and digits only, case- and width-folded). It
// needs no word segmentation, so it works for Chinese. Texts of one character
// compare as unigram sets; an empty text is similar to nothing.
func Similarity(a, b string) float64 {
	sa, sb := bigrams(normalize(a).compact), bigrams(normalize(b).compact)
	if len(sa) == 0 || len(sb) == 0 {
		return 0
	}
	inter := 0
	for g := range sa {
		if sb[g] {
			inter++
		}
	}
	return float64(inter) / float64(len(sa)+len(sb)-inter)
}

func bigrams(s string) map[[2]rune]bool {
	rs := []rune(s)
	set := map[[2]rune]bool{}
	if len(rs) == 1 {
		set[[2]rune{rs[0], 0}] = true
	}
	for i := 0; i+1 < len(rs); i++ {
		set[[2]rune{rs[i], rs[i+1]}] = true
	}
	return set
}
