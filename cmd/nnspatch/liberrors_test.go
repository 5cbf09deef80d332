package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// libraryDirs are the library trees whose errors must carry facts only:
// the CLI edge (exitRules) turns them into hints naming commands and flags.
var libraryDirs = []string{"governance", "proposals", "rollback", "internal"}

// cliVocabulary is what a library error must not name: nnspatch's top-level
// commands and every flag of the command tree.
type cliVocabulary struct {
	commands, flags map[string]bool
}

func newCLIVocabulary() cliVocabulary {
	v := cliVocabulary{commands: map[string]bool{}, flags: map[string]bool{}}
	root := NewCmdRoot(NewFactory(nil))
	for _, c := range root.Commands() {
		v.commands[c.Name()] = true
		for _, a := range c.Aliases {
			v.commands[a] = true
		}
	}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		add := func(f *pflag.Flag) { v.flags[f.Name] = true }
		c.LocalFlags().VisitAll(add)
		c.PersistentFlags().VisitAll(add)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return v
}

var (
	commandRef = regexp.MustCompile(`nnspatch ([a-z][a-z-]*)`)
	flagRef    = regexp.MustCompile(`(?:^|[^a-zA-Z0-9-])--([a-z][a-z0-9-]*)`)
)

// problems lists the commands and flags of nnspatch that s names.
func (v cliVocabulary) problems(s string) []string {
	var out []string
	for _, m := range commandRef.FindAllStringSubmatch(s, -1) {
		if v.commands[m[1]] {
			out = append(out, "command "+m[0])
		}
	}
	for _, m := range flagRef.FindAllStringSubmatch(s, -1) {
		if v.flags[m[1]] {
			out = append(out, "flag --"+m[1])
		}
	}
	return out
}

// errorLiterals returns the string literals that make up error messages in
// one file: the arguments of errors.New and fmt.Errorf, and the literals in
// the body of every Error() string method.
func errorLiterals(fset *token.FileSet, f *ast.File) map[token.Pos]string {
	out := map[token.Pos]string{}
	collect := func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					out[lit.Pos()] = s
				}
			}
			return true
		})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if n.Recv != nil && n.Name.Name == "Error" && n.Type.Params.NumFields() == 0 && n.Body != nil {
				collect(n.Body)
			}
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
				if pkg, ok := sel.X.(*ast.Ident); ok && (pkg.Name == "errors" && sel.Sel.Name == "New" || pkg.Name == "fmt" && sel.Sel.Name == "Errorf") {
					for _, a := range n.Args {
						collect(a)
					}
				}
			}
		}
		return true
	})
	return out
}

// TestLibraryErrorsNameNoCommandOrFlag proves that library errors carry
// facts only: no error string in governance/, proposals/, rollback/ or
// internal/ names an nnspatch command or flag. Advice like that belongs in
// exitRules, so the CLI prints it once as a hint and the TUI never shows
// command-line advice.
func TestLibraryErrorsNameNoCommandOrFlag(t *testing.T) {
	v := newCLIVocabulary()
	if len(v.commands) < 10 || !v.flags["root-key"] || !v.flags["reason"] {
		t.Fatalf("the command tree gave too little vocabulary: %d commands, %d flags", len(v.commands), len(v.flags))
	}
	fset := token.NewFileSet()
	scanned := 0
	var found []string
	for _, dir := range libraryDirs {
		err := filepath.WalkDir(filepath.Join("..", "..", dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			for pos, s := range errorLiterals(fset, f) {
				scanned++
				for _, p := range v.problems(s) {
					found = append(found, fset.Position(pos).String()+": "+p)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if scanned < 200 {
		t.Fatalf("scanned only %d error literals; is the walk finding the libraries?", scanned)
	}
	sort.Strings(found)
	for _, f := range found {
		t.Errorf("%s in a library error: return a typed error and give the advice as a hint in exitRules", f)
	}
}

// TestLibraryErrorScanCatchesAdvice proves the scan above can fail: it
// finds a command and a flag in errors.New, fmt.Errorf and Error() bodies,
// and leaves other tools' flags and plain prose alone.
func TestLibraryErrorScanCatchesAdvice(t *testing.T) {
	const src = `package p

import ("errors"; "fmt")

var a = errors.New("no release; create it with ` + "`nnspatch release new`" + `")
var b = fmt.Errorf("%w; pass --root-key HEX", a)
var ok = fmt.Errorf("list keys with ` + "`pkcs11-tool --list-objects`" + `; this nnspatch reads schema 1")

type E struct{}

func (E) Error() string { return "halted; resume with --reason TEXT" }
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	v := newCLIVocabulary()
	var got []string
	for _, s := range errorLiterals(fset, f) {
		got = append(got, v.problems(s)...)
	}
	sort.Strings(got)
	want := []string{"command nnspatch release", "flag --reason", "flag --root-key"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("scan found %q, want %q", got, want)
	}
}

// TestHintPrintedOnce runs commands that fail in a library and checks the
// CLI prints the advice once, as the hint, and that the error line names
// no command or flag (before, `release log /missing` gave the advice in
// the error and again in the hint).
func TestHintPrintedOnce(t *testing.T) {
	isolateConfig(t)
	missing := filepath.Join(t.TempDir(), "missing")
	cases := []struct {
		args []string
		code ExitCode
		hint string
	}{
		{[]string{"release", "log", missing}, ExitError, "`nnspatch release new`"},
		{[]string{"subnets", "--network", "https://x.example.org"}, ExitError, "pass --root-key HEX"},
		{[]string{"subnets", "--network", "https://x.example.org", "--root-key", "zz"}, ExitError, "as `nnspatch localnet start` prints it"},
		{[]string{"subnets", "--network", "ic", "--root-key", "fetch"}, ExitError, "drop --root-key"},
		{[]string{"localnet", "advance", "1h", "--url", "http://127.0.0.1:1"}, ExitNetwork, "`nnspatch localnet start`"},
	}
	v := newCLIVocabulary()
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			r := runCLI(t, c.args...)
			if r.Code != c.code {
				t.Fatalf("exit %d, want %d\n%s", r.Code, c.code, r.Stderr)
			}
			if h := hintLine(t, r.Stderr); !strings.Contains(h, c.hint) {
				t.Errorf("hint %q, want it to say %q", h, c.hint)
			}
			for _, l := range strings.Split(r.Stderr, "\n") {
				if msg, ok := strings.CutPrefix(l, "nnspatch: "); ok {
					if p := v.problems(msg); len(p) > 0 {
						t.Errorf("error line %q names %v; that advice belongs in the hint", l, p)
					}
				}
			}
		})
	}
}
