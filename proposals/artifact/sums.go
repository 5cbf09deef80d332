package artifact

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"
)

// ErrNoEntry reports that a SHA256SUMS file has no line for a name.
var ErrNoEntry = errors.New("no SHA256SUMS entry")

// maxSumsLine bounds one SHA256SUMS line; longer lines are malformed.
const maxSumsLine = 64 << 10

// SumsEntry is one line of a SHA256SUMS file.
type SumsEntry struct {
	// Hex is the lowercase hex SHA-256.
	Hex string `json:"sha256"`
	// Name is the file name as written (escapes decoded).
	Name string `json:"name"`
	// Binary reports whether the line used the "*" binary-mode marker.
	Binary bool `json:"binary,omitempty"`
	// Line is the 1-based line number in the file.
	Line int `json:"line"`
}

// Sums is a parsed SHA256SUMS file.
type Sums struct {
	// Entries are the well-formed lines in file order, one per name.
	Entries []SumsEntry
}

// SumsProblem is one malformed line of a SHA256SUMS file.
type SumsProblem struct {
	// Line is the 1-based line number.
	Line int
	// Msg says what is wrong with the line.
	Msg string
}

// SumsError lists every malformed line of a SHA256SUMS file.
type SumsError struct {
	// Problems are in line order.
	Problems []SumsProblem
}

// Error implements error: "SHA256SUMS line 3: ...; line 5: ...".
func (e *SumsError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = fmt.Sprintf("line %d: %s", p.Line, p.Msg)
	}
	return "SHA256SUMS " + strings.Join(parts, "; ")
}

// ParseSums reads a SHA256SUMS file in the coreutils format
// ("<hex>  <name>", or "<hex> *<name>" in binary mode, with "\"-escaped
// names) or the BSD tagged format ("SHA256 (<name>) = <hex>"). Blank lines
// and lines starting with "#" are skipped. If any line is malformed it
// returns the well-formed entries together with a *SumsError listing every
// bad line; a name listed twice with different digests is malformed too.
func ParseSums(r io.Reader) (Sums, error) {
	var (
		sums     Sums
		problems []SumsProblem
		seen     = map[string]SumsEntry{}
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxSumsLine)
	line := 0
	for sc.Scan() {
		line++
		e, ok, err := parseSumsLine(sc.Text())
		if err != nil {
			problems = append(problems, SumsProblem{Line: line, Msg: err.Error()})
			continue
		}
		if !ok {
			continue
		}
		e.Line = line
		if prev, dup := seen[e.Name]; dup {
			if prev.Hex != e.Hex {
				problems = append(problems, SumsProblem{Line: line,
					Msg: fmt.Sprintf("%q is listed again with a different digest than on line %d", e.Name, prev.Line)})
			}
			continue
		}
		seen[e.Name] = e
		sums.Entries = append(sums.Entries, e)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			problems = append(problems, SumsProblem{Line: line + 1, Msg: fmt.Sprintf("line longer than %d bytes", maxSumsLine)})
		} else {
			return sums, fmt.Errorf("read SHA256SUMS: %w", err)
		}
	}
	if len(problems) > 0 {
		return sums, &SumsError{Problems: problems}
	}
	return sums, nil
}

// parseSumsLine parses one line; ok is false for blank and comment lines.
func parseSumsLine(s string) (e SumsEntry, ok bool, err error) {
	s = strings.TrimRight(s, "\r")
	s = strings.TrimLeft(s, " \t")
	if s == "" || s[0] == '#' {
		return SumsEntry{}, false, nil
	}
	escaped := s[0] == '\\'
	if escaped {
		s = s[1:]
	}
	if algo, _, ok := strings.Cut(s, " ("); ok && isTag(algo) {
		if algo != "SHA256" {
			return SumsEntry{}, false, fmt.Errorf("%s line: only SHA256 sums are supported", algo)
		}
		e, err = parseTaggedLine(s)
	} else {
		e, err = parseCoreutilsLine(s)
	}
	if err == nil && escaped {
		e.Name, err = unescapeName(e.Name)
	}
	return e, err == nil, err
}

// isTag reports whether s looks like a BSD tag such as "SHA256" or "MD5".
func isTag(s string) bool {
	if s == "" || len(s) > 16 {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func parseCoreutilsLine(s string) (SumsEntry, error) {
	hexPart, rest, found := strings.Cut(s, " ")
	if !found {
		return SumsEntry{}, errors.New(`want "<sha256 hex>  <file name>"`)
	}
	h, err := lineHex(hexPart)
	if err != nil {
		return SumsEntry{}, err
	}
	e := SumsEntry{Hex: h}
	switch {
	case strings.HasPrefix(rest, "*"):
		e.Binary, e.Name = true, rest[1:]
	case strings.HasPrefix(rest, " "):
		e.Name = rest[1:]
	default: // "<hex> <name>", as written by BSD "sha256 -r"
		e.Name = rest
	}
	if e.Name == "" {
		return SumsEntry{}, errors.New("file name is missing after the digest")
	}
	return e, nil
}

func parseTaggedLine(s string) (SumsEntry, error) {
	body := strings.TrimPrefix(s, "SHA256 (")
	i := strings.LastIndex(body, ") = ")
	if i < 0 {
		return SumsEntry{}, errors.New(`want "SHA256 (<file name>) = <sha256 hex>"`)
	}
	h, err := lineHex(body[i+len(") = "):])
	if err != nil {
		return SumsEntry{}, err
	}
	if body[:i] == "" {
		return SumsEntry{}, errors.New("file name is missing")
	}
	return SumsEntry{Hex: h, Name: body[:i]}, nil
}

func lineHex(s string) (string, error) {
	h, err := NormalizeHex(s)
	if err != nil {
		if len(s) > 70 {
			s = s[:64] + "..."
		}
		return "", fmt.Errorf("digest %q is not 64 hex digits", s)
	}
	return h, nil
}

// unescapeName decodes the "\\" and "\n" escapes coreutils writes for
// names containing a backslash or newline (the line then starts with "\").
func unescapeName(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 == len(s) {
			return "", errors.New(`file name ends in a lone "\"`)
		}
		i++
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		default:
			return "", fmt.Errorf(`unknown escape "\%c" in file name`, s[i])
		}
	}
	return b.String(), nil
}

// Lookup finds the entry for name, which may be a path or a URL. An exact
// name match wins; otherwise the base names are compared, and more than one
// entry with that base name is an error. The error wraps ErrNoEntry when
// nothing matches.
func (s Sums) Lookup(name string) (SumsEntry, error) {
	for _, e := range s.Entries {
		if e.Name == name || path.Clean(e.Name) == path.Clean(name) {
			return e, nil
		}
	}
	base := baseName(name)
	var matches []SumsEntry
	for _, e := range s.Entries {
		if path.Base(e.Name) == base {
			matches = append(matches, e)
		}
	}
	switch len(matches) {
	case 0:
		return SumsEntry{}, fmt.Errorf("look up %q: %w; check the file name against the SHA256SUMS lines", base, ErrNoEntry)
	case 1:
		return matches[0], nil
	}
	return SumsEntry{}, fmt.Errorf("look up %q: matches lines %d and %d; pass the full name as listed",
		base, matches[0].Line, matches[1].Line)
}

// baseName is the last path element of a file path or of a URL's path.
func baseName(name string) string {
	if IsURL(name) {
		if u, err := url.Parse(name); err == nil {
			return path.Base(u.Path)
		}
	}
	return path.Base(name)
}

// Check looks up name (d.Source when name is empty) and compares d with its
// entry, returning a *MismatchError naming the SHA256SUMS line if they
// differ.
func (s Sums) Check(name string, d Digest) error {
	if name == "" {
		name = d.Source
	}
	e, err := s.Lookup(name)
	if err != nil {
		return err
	}
	return check(e.Hex, fmt.Sprintf("SHA256SUMS line %d", e.Line), d)
}

// FormatSumsLine renders e as one coreutils SHA256SUMS line without the
// trailing newline, escaping names that contain "\", newline or carriage
// return the way sha256sum does. ParseSums reads it back unchanged.
func FormatSumsLine(e SumsEntry) string {
	name, prefix := e.Name, ""
	if strings.ContainsAny(name, "\\\n\r") {
		prefix = "\\"
		name = strings.NewReplacer("\\", "\\\\", "\n", "\\n", "\r", "\\r").Replace(name)
	}
	mode := " "
	if e.Binary {
		mode = "*"
	}
	return prefix + e.Hex + " " + mode + name
}
