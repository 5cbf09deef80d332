package governance

import "github.com/nnspatch/nnspatch/internal/textsafe"

// Sanitize makes untrusted text from the chain (titles, summaries, URLs,
// reject messages) safe to print on a terminal, keeping newlines and tabs.
// It is textsafe.Text, the one sanitizer every output path shares: escape
// sequences (terminated or not), control and format characters (zero-width,
// bidi, tag characters) go; U+2028/U+2029 become newlines.
func Sanitize(s string) string { return textsafe.Text(s) }

// SanitizeLine is Sanitize for single-line fields (textsafe.Line): line
// breaks and tabs become spaces.
func SanitizeLine(s string) string { return textsafe.Line(s) }
