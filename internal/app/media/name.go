package media

import (
	"strings"
	"unicode/utf8"
)

// MaxFileNameBytes is the longest display name: what most file systems take,
// so a downloaded attachment keeps its name.
const MaxFileNameBytes = 255

// CheckFileName checks the display name an uploader gave a file. The name is
// only shown and offered as the download name (storage keys never derive from
// it), so the rules guard the people who see it: no path (a download must
// not land outside the chosen folder), no control characters (which break
// headers and logs), no bidirectional overrides (which make "gpj.exe" look
// like "exe.jpg"), and something visible to show.
func CheckFileName(name string) error {
	bad := func(detail string) error { return &RejectedError{Reason: BadFileName, Detail: detail} }
	switch {
	case !utf8.ValidString(name):
		return bad("it is not valid UTF-8")
	case len(name) > MaxFileNameBytes:
		return bad("it is longer than 255 bytes")
	case strings.TrimSpace(name) == "":
		return bad("it is empty")
	case strings.ContainsAny(name, `/\`):
		return bad("it contains a slash or backslash")
	case strings.Contains(name, ".."):
		// Also refuses "a..b.pdf": simpler to explain than a rule about
		// path elements, and such names are rare.
		return bad(`it contains ".."`)
	}
	for _, r := range name {
		switch {
		case r < 0x20 || r == 0x7F || (r >= 0x80 && r <= 0x9F):
			return bad("it contains a control character")
		case (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069):
			return bad("it contains a text-direction override")
		}
	}
	return nil
}
