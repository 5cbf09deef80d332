package common

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/mattn/go-runewidth"
	"github.com/rivo/uniseg"
)

// The TUI's one measure of text on a terminal. Every truncation, padding,
// wrapping and column layout goes through Width, Truncate and Wrap, so a
// row is measured the way it was laid out.
//
// Terminals disagree on emoji built from several code points. Terminals
// that cluster graphemes (kitty, WezTerm, Ghostty, iTerm2, Windows
// Terminal, foot) draw a ZWJ sequence such as 👨‍👩‍👧‍👦 in 2 cells, a flag in
// 2, and a text-default symbol made an emoji by VS16 (❤️, ⚠️, #️⃣) in 2;
// that is uniseg's grapheme width. Terminals that draw code point by code
// point (xterm, VTE, Alacritty) draw the ZWJ sequence as its parts, 8 cells,
// and VS16 symbols in 1; tmux 3.3 joins ZWJ sequences only up to 21 bytes
// (the family above takes 4 cells there) and draws VS16 symbols in 1.
//
// A row measured narrower than a terminal draws it wraps: the screen
// scrolls, the tab bar goes and two cursor rows show. A row measured wider
// only ends early. So the width of a grapheme cluster here is the widest any
// of those terminals draws it: the larger of uniseg's grapheme width and the
// sum of its code points' widths, and at least 2 for a cluster with VS16 or
// a keycap. Plain text, CJK and single-code-point emoji measure exactly as
// everywhere; a row with a multi-code-point emoji ends a few cells early on
// a clustering terminal, and never overflows on any.

// Width is the number of cells s takes on the widest-drawing terminal;
// escape sequences take none.
func Width(s string) int {
	if w, ok := asciiWidth(s); ok {
		return w
	}
	w := 0
	for len(s) > 0 {
		tok, uw, text := nextToken(s)
		if text {
			w += clusterWidth(tok, uw)
		}
		s = s[len(tok):]
	}
	return w
}

// nextToken splits the first escape sequence or control character (text
// false) or grapheme cluster (text true, uniseg width uw) off s.
func nextToken(s string) (tok string, uw int, text bool) {
	if c := s[0]; c < 0x20 || c == 0x7f {
		_, _, n, _ := ansi.DecodeSequence(s, 0, nil)
		return s[:max(n, 1)], 0, false
	}
	tok, _, uw, _ = uniseg.FirstGraphemeClusterInString(s, -1)
	return tok, uw, true
}

// asciiWidth is the width of printable ASCII (the common case, no escape
// sequence); ok is false for anything else.
func asciiWidth(s string) (int, bool) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return 0, false
		}
	}
	return len(s), true
}

// codePoints measures single code points as wcwidth does on a terminal
// that draws code point by code point (East Asian ambiguous characters
// narrow, whatever the locale).
var codePoints = &runewidth.Condition{EastAsianWidth: false}

// clusterWidth is the widest a terminal draws one grapheme cluster whose
// uniseg width is uw.
func clusterWidth(cluster string, uw int) int {
	if len(cluster) == 1 {
		return uw
	}
	sum, emoji := 0, false
	for _, r := range cluster {
		switch r {
		case 0xFE0F, 0x20E3: // VS16, combining enclosing keycap
			emoji = true
		}
		sum += codePoints.RuneWidth(r)
	}
	w := max(uw, sum)
	if emoji {
		w = max(w, 2)
	}
	return w
}

// Truncate cuts s to at most width cells, ending in tail when it cuts.
// Escape sequences (styles) are kept, also those after the cut, so a
// style's reset still applies.
func Truncate(s string, width int, tail string) string {
	if Width(s) <= width {
		return s
	}
	limit := width - Width(tail)
	if limit < 0 {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s))
	w, cut := 0, false
	for len(s) > 0 {
		tok, uw, text := nextToken(s)
		s = s[len(tok):]
		if !text {
			b.WriteString(tok)
			continue
		}
		if cut {
			continue
		}
		cw := clusterWidth(tok, uw)
		if w+cw > limit {
			cut = true
			b.WriteString(tail)
			continue
		}
		w += cw
		b.WriteString(tok)
	}
	return b.String()
}

// Pad pads s with spaces to width cells (s is returned as it is when it is
// as wide or wider).
func Pad(s string, width int) string {
	if w := Width(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

// Wrap wraps plain text s (no escape sequences) at spaces and after
// hyphens so no line is wider than width cells; a word wider than a line (a
// hash, a URL) fills the line and goes on in the next, broken between
// grapheme clusters, never cut. Line breaks in s are kept; spaces at a wrap
// are dropped.
func Wrap(s string, width int) []string {
	width = max(width, 1)
	var out []string
	for _, para := range strings.Split(s, "\n") {
		out = append(out, wrapLine(para, width)...)
	}
	return out
}

// wrapLine wraps one line of text; continuation lines keep its indent.
func wrapLine(s string, width int) []string {
	lead := len(s) - len(strings.TrimLeft(s, " "))
	indent := s[:min(lead, width/2)]
	iw := len(indent)
	var out []string
	var line strings.Builder
	line.WriteString(indent)
	lw := iw
	flush := func() {
		out = append(out, strings.TrimRight(line.String(), " "))
		line.Reset()
		line.WriteString(indent)
		lw = iw
	}
	for _, field := range strings.Fields(s[lead:]) {
		for i, word := range splitAfterHyphens(field) {
			ww := Width(word)
			space := i == 0 && lw > iw // words are spaced, a word's parts are not
			need := ww
			if space {
				need++
			}
			switch {
			case lw+need <= width:
			case ww > width-iw && lw+need-ww < width:
				// Longer than a whole line: it fills this one and goes on.
			case lw > iw:
				flush()
				space = false
			}
			if space {
				line.WriteByte(' ')
				lw++
			}
			for ww > width-lw {
				head := breakWord(word, width-lw)
				line.WriteString(head)
				word = word[len(head):]
				ww = Width(word)
				flush()
			}
			line.WriteString(word)
			lw += ww
		}
	}
	return append(out, strings.TrimRight(line.String(), " "))
}

// splitAfterHyphens splits a word after each hyphen, where a line may
// break (a subnet id breaks between its groups).
func splitAfterHyphens(w string) []string {
	var out []string
	for {
		i := strings.IndexByte(w, '-')
		if i < 0 || i == len(w)-1 {
			return append(out, w)
		}
		out = append(out, w[:i+1])
		w = w[i+1:]
	}
}

// breakWord returns the longest prefix of word, in whole grapheme
// clusters, at most width cells wide (at least one cluster).
func breakWord(word string, width int) string {
	g := uniseg.NewGraphemes(word)
	end, w := 0, 0
	for g.Next() {
		c := g.Str()
		cw := Width(c)
		if w+cw > width && end > 0 {
			break
		}
		_, to := g.Positions()
		end, w = to, w+cw
		if w >= width {
			break
		}
	}
	return word[:end]
}
