// Package textsafe is nnspatch's one sanitizer for untrusted text (titles,
// summaries, URLs and reject messages from the chain, and user input echoed
// back): what reaches a terminal or a Markdown document is what it says.
//
// Text keeps newlines and tabs; Line makes one line of it; MarkdownLine
// makes one escaped line of Markdown. All three remove terminal escape
// sequences (CSI, OSC, DCS, SOS, PM, APC, in 7-bit and 8-bit form, and an
// unterminated one up to the end of the text, as a terminal would swallow
// it), every other control character, Unicode format characters (zero-width
// spaces and joiners, bidirectional controls, the tag characters
// U+E0000-U+E007F) and replace invalid UTF-8 with U+FFFD. The line and
// paragraph separators U+2028 and U+2029 are line breaks.
//
// Escape writes free text stored in line-oriented records (the release
// audit log) as one line of Go escapes instead of removing characters.
//
// Unsafe reports the first character the sanitizers would change, for
// validating input that must be printable as it is (e.g. a kernel command
// line in a proposal payload).
package textsafe

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text makes multi-line untrusted text safe to print: see the package
// documentation. Newlines and tabs stay; U+2028 and U+2029 become newlines;
// carriage returns go.
func Text(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	rs := []rune(s) // invalid UTF-8 bytes become U+FFFD
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r >= 0x20 && r < 0x7f: // printable ASCII, the common case
			b.WriteByte(byte(r))
		case r == 0x1b:
			i = skipEscape(rs, i)
		case r == 0x9b: // 8-bit CSI
			i = skipCSI(rs, i+1)
		case r == 0x90 || r == 0x98 || r == 0x9d || r == 0x9e || r == 0x9f: // 8-bit DCS, SOS, OSC, PM, APC
			i = skipString(rs, i+1)
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == '\u2028' || r == '\u2029':
			b.WriteByte('\n')
		case dropped(r) && !keptInEmoji(rs, i):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Line is Text for single-line fields: every line break and tab becomes a
// space, so the text cannot start a new line of output.
func Line(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		return r
	}, Text(s))
}

// markdownEscaper backslash-escapes the characters that make inline
// Markdown markup: emphasis, code, links, images, raw HTML, tables,
// strikethrough, and the backslash itself.
var markdownEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "|", `\|`, "~", `\~`, "!", `\!`, "#", `\#`)

// MarkdownLine is Line with Markdown markup escaped: user or chain text
// placed inside a Markdown document stays one line of literal text and can
// neither start a heading or list nor add links, HTML or table cells.
func MarkdownLine(s string) string {
	return markdownEscaper.Replace(strings.TrimSpace(Line(s)))
}

// Unsafe returns the first character of s that Line would remove or
// change (a control or format character, a line break or tab, invalid
// UTF-8 as utf8.RuneError) and its byte offset; ok is false when s is
// printable as it is.
func Unsafe(s string) (r rune, offset int, ok bool) {
	for i, c := range s {
		if c == utf8.RuneError || c == '\n' || c == '\t' || c == '\u2028' || c == '\u2029' || dropped(c) {
			return c, i, true
		}
	}
	return 0, 0, false
}

// keptInEmoji reports a format character that is part of an emoji: a
// zero-width joiner between two pictographs (a ZWJ sequence such as a
// family or a profession) and the tag characters of a subdivision flag
// (after U+1F3F4 WAVING BLACK FLAG). Terminals draw these as one glyph;
// removing them would split the emoji and change its width.
func keptInEmoji(rs []rune, i int) bool {
	switch r := rs[i]; {
	case r == 0x200d:
		return i > 0 && i+1 < len(rs) && (isPictograph(rs[i-1]) || rs[i-1] == 0xfe0f) && isPictograph(rs[i+1])
	case r >= 0xe0000 && r <= 0xe007f:
		j := i
		for j > 0 && rs[j-1] >= 0xe0000 && rs[j-1] <= 0xe007f {
			j--
		}
		return j > 0 && rs[j-1] == 0x1f3f4
	}
	return false
}

// isPictograph is a rough test for the emoji a joiner may link, including
// skin-tone modifiers.
func isPictograph(r rune) bool {
	return r >= 0x1f000 && r <= 0x1faff || r >= 0x2600 && r <= 0x27bf
}

// dropped reports whether r is removed outright: C0 and C1 controls, DEL,
// and format characters (category Cf: zero-width spaces and joiners, bidi
// controls, invisible operators, the tag block, the BOM), plus the few
// invisible characters outside Cf that render as nothing.
func dropped(r rune) bool {
	switch {
	case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
		return true
	case r >= 0xe0000 && r <= 0xe007f: // tag characters
		return true
	case r == 0x180e, r == 0x115f, r == 0x1160, r == 0x3164, r == 0xffa0: // Mongolian vowel separator, Hangul fillers
		return true
	}
	return false
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
		// Two- and three-character sequences (ESC c, ESC 7, charset
		// selection ESC ( B).
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

// skipString skips an OSC/DCS/SOS/PM/APC string up to BEL or ST (ESC \ or
// 0x9c); an unterminated one runs to the end of the text, as a terminal
// would read it.
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

// Escape makes free text one line that says what it holds, for records
// that are read back line by line (an audit log): line breaks, tabs and
// every other character the sanitizers would remove are written as Go
// escapes (\n, \r, \t, \u2028, \x1b, \ufeff...), invalid UTF-8 bytes as
// \xNN. A newline in a reason therefore cannot start a forged line, and
// nothing typed is silently lost.
func Escape(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80 && dropped(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case r == '\u2028' || r == '\u2029' || dropped(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// needsEscape reports whether Escape changes s.
func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' || dropped(r) {
			return true
		}
		i += size
	}
	return false
}
