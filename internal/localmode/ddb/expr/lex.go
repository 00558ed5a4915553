package expr

import "strconv"

type tokKind uint8

const (
	tEOF    tokKind = iota
	tIdent          // a bare name, keyword or function name
	tName           // #name
	tValue          // :value
	tInt            // digits, as in a list index
	tLParen         // (
	tRParen         // )
	tLBrack         // [
	tRBrack         // ]
	tComma          // ,
	tDot            // .
	tEq             // =
	tNe             // <>
	tLt             // <
	tLe             // <=
	tGt             // >
	tGe             // >=
	tPlus           // +
	tMinus          // -
	tBad            // a character no expression has
)

type token struct {
	kind       tokKind
	start, end int
}

// A bare name starts with a letter (DynamoDB reads "_a" as a stray "_");
// after its first letter, and after # and :, letters, digits and _.
func isIdentStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c == '_' || '0' <= c && c <= '9' }

// lex splits an expression into tokens, ending with tEOF. A character that
// starts no token becomes tBad, which the parser reports as a syntax error.
func lex(s string, toks []token) []token {
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
		if i == len(s) {
			return append(toks, token{tEOF, i, i})
		}
		start := i
		c := s[i]
		i++
		var k tokKind
		switch {
		case isIdentStart(c):
			for i < len(s) && isIdentChar(s[i]) {
				i++
			}
			k = tIdent
		case '0' <= c && c <= '9':
			for i < len(s) && '0' <= s[i] && s[i] <= '9' {
				i++
			}
			k = tInt
		case c == '#' || c == ':':
			for i < len(s) && isIdentChar(s[i]) {
				i++
			}
			if i == start+1 {
				k = tBad
			} else if c == '#' {
				k = tName
			} else {
				k = tValue
			}
		case c == '(':
			k = tLParen
		case c == ')':
			k = tRParen
		case c == '[':
			k = tLBrack
		case c == ']':
			k = tRBrack
		case c == ',':
			k = tComma
		case c == '.':
			k = tDot
		case c == '=':
			k = tEq
		case c == '+':
			k = tPlus
		case c == '-':
			k = tMinus
		case c == '<':
			k = tLt
			if i < len(s) && s[i] == '=' {
				k, i = tLe, i+1
			} else if i < len(s) && s[i] == '>' {
				k, i = tNe, i+1
			}
		case c == '>':
			k = tGt
			if i < len(s) && s[i] == '=' {
				k, i = tGe, i+1
			}
		default:
			k = tBad
			// One whole UTF-8 character, so the message shows it intact.
			for i < len(s) && s[i]&0xC0 == 0x80 {
				i++
			}
		}
		toks = append(toks, token{k, start, i})
	}
}

// atoi is a list index's value, or -1 when it is too large to be one.
func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n > 1<<31-1 {
		return -1
	}
	return n
}
