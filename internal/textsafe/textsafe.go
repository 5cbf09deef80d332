// Package textsafe is nnspatch's one sanitizer for text that reaches a
// terminal or a Markdown document: titles, summaries, URLs and messages
// from the chain, and user-supplied text. governance, proposals, the CLI
// and the TUI all call it.
package textsafe

import (
	"strings"
	"unicode"
)

// Sanitize makes untrusted text safe to print on a terminal: it removes
// ANSI/VT escape sequences (CSI, OSC, DCS and friends, terminated or not)
// and every other control character except newline and tab, turns the
// Unicode line and paragraph separators into newlines, replaces invalid
// UTF-8, and drops invisible characters that can make text read differently
// from what it is: bidirectional controls, zero-width spaces and joiners
// (a joiner inside an emoji sequence stays), and tag characters (except in
// a flag's tag sequence).
func Sanitize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	rs := []rune(strings.ToValidUTF8(s, "\uFFFD"))
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == 0x1b:
			i = skipEscape(rs, i)
		case r == 0x9b: // 8-bit CSI
			i = skipCSI(rs, i+1)
		case r >= 0x90 && r <= 0x9f: // other 8-bit C1 introducers (DCS, OSC, ...)
			i = skipString(rs, i+1)
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == 0x2028 || r == 0x2029:
			b.WriteRune('\n')
		case unicode.IsControl(r) || isBidiControl(r) || isInvisible(rs, i):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isInvisible reports a zero-width or tag character at rs[i] that is not
// part of an emoji sequence.
func isInvisible(rs []rune, i int) bool {
	switch r := rs[i]; {
	case r == 0x200b || r == 0x200c || r == 0x2060 || r == 0xfeff || (r >= 0x2061 && r <= 0x2064):
		return true
	case r == 0x200d: // zero-width joiner: kept only between two pictographs
		return i == 0 || i+1 >= len(rs) || !isPictograph(rs[i-1]) && rs[i-1] != 0xfe0f || !isPictograph(rs[i+1])
	case r >= 0xe0000 && r <= 0xe007f: // tags: kept only after a black flag
		j := i
		for j > 0 && rs[j-1] >= 0xe0000 && rs[j-1] <= 0xe007f {
			j--
		}
		return j == 0 || rs[j-1] != 0x1f3f4
	}
	return false
}

// isPictograph is a rough test for the emoji a joiner may link.
func isPictograph(r rune) bool {
	return r >= 0x1f000 && r <= 0x1faff || r >= 0x2600 && r <= 0x27bf || r >= 0x1f3fb && r <= 0x1f3ff
}

// SanitizeLine is Sanitize for single-line fields: newlines and tabs
// become spaces.
func SanitizeLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || r == '\r' {
			return ' '
		}
		return r
	}, Sanitize(s))
}

// skipEscape returns the index of the last rune of the escape sequence
// starting at rs[i] == ESC.
func skipEscape(rs []rune, i int) int {
	if i+1 >= len(rs) {
		return i
	}
	switch rs[i+1] {
	case '[':
		return skipCSI(rs, i+2)
	case ']', 'P', 'X', '^', '_':
		return skipString(rs, i+2)
	default:
		// Two-character sequences (ESC c, ESC 7, charset selection ESC ( B).
		if rs[i+1] >= 0x20 && rs[i+1] <= 0x2f && i+2 < len(rs) {
			return i + 2
		}
		return i + 1
	}
}

// skipCSI skips parameter and intermediate bytes up to the final byte.
func skipCSI(rs []rune, i int) int {
	for ; i < len(rs); i++ {
		if rs[i] >= 0x40 && rs[i] <= 0x7e {
			return i
		}
	}
	return len(rs) - 1
}

// skipString skips an OSC/DCS/SOS/PM/APC string up to BEL or ST.
func skipString(rs []rune, i int) int {
	for ; i < len(rs); i++ {
		switch {
		case rs[i] == 0x07 || rs[i] == 0x9c:
			return i
		case rs[i] == 0x1b && i+1 < len(rs) && rs[i+1] == '\\':
			return i + 1
		}
	}
	return len(rs) - 1
}

func isBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}
