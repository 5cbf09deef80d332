package governance

import "github.com/nnspatch/nnspatch/internal/textsafe"

// Sanitize makes untrusted text safe for a terminal; see textsafe.Sanitize,
// the one sanitizer every part of nnspatch uses.
func Sanitize(s string) string { return textsafe.Sanitize(s) }

// SanitizeLine is Sanitize for single-line fields: newlines and tabs
// become spaces.
func SanitizeLine(s string) string { return textsafe.SanitizeLine(s) }
