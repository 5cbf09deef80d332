package main

import (
	"bufio"
	"encoding/json"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/nnspatch/nnspatch/"

// forbiddenInLibraries are the modules only cmd/ and tui/ may import.
var forbiddenInLibraries = []string{
	"github.com/spf13/cobra", "github.com/spf13/viper",
	"github.com/charmbracelet/bubbletea", "github.com/charmbracelet/lipgloss",
}

// listedPackage is what `go list -json` says of one package.
type listedPackage struct {
	ImportPath                         string
	Imports, TestImports, XTestImports []string
	Deps                               []string
}

func listPackages(t *testing.T) []listedPackage {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// importTable reads the markdown table between <!-- name:begin --> and
// <!-- name:end --> of docs/ARCHITECTURE.md: package pattern -> patterns.
func importTable(t *testing.T, name string) map[string][]string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "docs", "ARCHITECTURE.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, in := map[string][]string{}, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "<!-- "+name+":begin -->":
			in = true
		case line == "<!-- "+name+":end -->":
			in = false
		case in && strings.HasPrefix(line, "| `"):
			cells := strings.Split(strings.Trim(line, "|"), "|")
			var pats []string
			for _, p := range strings.Split(cells[1], ",") {
				if p = strings.Trim(strings.TrimSpace(p), "`"); p != "" {
					pats = append(pats, p)
				}
			}
			rows[strings.Trim(strings.TrimSpace(cells[0]), "`")] = pats
		}
	}
	if len(rows) == 0 {
		t.Fatalf("docs/ARCHITECTURE.md has no %s table", name)
	}
	return rows
}

// matches reports whether pkg (module-relative) matches pattern; "x/..."
// matches x and everything below it.
func matches(pattern, pkg string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == base || strings.HasPrefix(pkg, base+"/")
	}
	return pkg == pattern
}

// ruleFor returns the row for pkg: an exact row, else the longest "x/..." row.
func ruleFor(rows map[string][]string, pkg string) (string, bool) {
	best := ""
	for pat := range rows {
		if pat == pkg {
			return pat, true
		}
		if matches(pat, pkg) && len(pat) > len(best) {
			best = pat
		}
	}
	return best, best != ""
}

func ownImports(imports []string) []string {
	var out []string
	for _, imp := range imports {
		if rel, ok := strings.CutPrefix(imp, module); ok {
			out = append(out, rel)
		}
	}
	return out
}

// TestImportsFollowArchitecture checks every package's direct imports of
// module packages against docs/ARCHITECTURE.md's "Allowed imports" table.
func TestImportsFollowArchitecture(t *testing.T) {
	rows := importTable(t, "imports")
	for _, p := range listPackages(t) {
		pkg := strings.TrimPrefix(p.ImportPath, module)
		row, ok := ruleFor(rows, pkg)
		if !ok {
			t.Errorf("package %s has no row in docs/ARCHITECTURE.md's allowed-imports table", pkg)
			continue
		}
		for _, imp := range ownImports(p.Imports) {
			if !anyMatch(rows[row], imp) {
				t.Errorf("%s imports %s; docs/ARCHITECTURE.md allows it %v", pkg, imp, rows[row])
			}
		}
	}
}

// TestForbiddenImports checks the "never imported, tests included" table
// against every package's dependencies (transitive) and its tests' imports.
func TestForbiddenImports(t *testing.T) {
	rows := importTable(t, "forbidden")
	for _, p := range listPackages(t) {
		pkg := strings.TrimPrefix(p.ImportPath, module)
		all := append(append(append([]string{}, p.Deps...), p.TestImports...), p.XTestImports...)
		for pat, never := range rows {
			if !matches(pat, pkg) {
				continue
			}
			for _, imp := range ownImports(all) {
				if anyMatch(never, imp) && !matches(pat, imp) {
					t.Errorf("%s (or its tests) depends on %s, which docs/ARCHITECTURE.md forbids for %s", pkg, imp, pat)
				}
			}
		}
	}
}

func anyMatch(patterns []string, pkg string) bool {
	for _, pat := range patterns {
		if matches(pat, pkg) {
			return true
		}
	}
	return false
}

// The rules can fail: a forbidden import is caught, an allowed one is not.
func TestImportRulesCanFail(t *testing.T) {
	never := importTable(t, "forbidden")["governance/localnet/..."]
	if !anyMatch(never, "proposals") || anyMatch(never, "governance/govdid") {
		t.Errorf("localnet rule %v: want proposals forbidden and govdid allowed", never)
	}
	rows := importTable(t, "imports")
	row, _ := ruleFor(rows, "tui/pages/rollback")
	if anyMatch(rows[row], "cmd/nnspatch") || !anyMatch(rows[row], "rollback") {
		t.Errorf("tui/pages/rollback row %s %v: want cmd forbidden and rollback allowed", row, rows[row])
	}
}

// TestLibrariesDoNotImportCLI enforces the ground rule for every package
// of the module, including ones added later: outside cmd/ and tui/, no
// package depends (even indirectly) on cobra, viper, bubbletea or lipgloss.
func TestLibrariesDoNotImportCLI(t *testing.T) {
	for _, p := range listPackages(t) {
		pkg := strings.TrimPrefix(p.ImportPath, module)
		if strings.HasPrefix(pkg, "cmd/") || pkg == "tui" || strings.HasPrefix(pkg, "tui/") {
			continue
		}
		for _, dep := range p.Deps {
			for _, f := range forbiddenInLibraries {
				if dep == f || strings.HasPrefix(dep, f+"/") {
					t.Errorf("library %s depends on %s; only cmd/ and tui/ may", pkg, dep)
				}
			}
			if rel, ok := strings.CutPrefix(dep, module); ok && (strings.HasPrefix(rel, "cmd/") || rel == "tui" || strings.HasPrefix(rel, "tui/")) {
				t.Errorf("library %s depends on %s", pkg, rel)
			}
		}
	}
}

// TestPackageDocs checks that every package of the CLI edge has a package
// doc comment in a doc.go.
func TestPackageDocs(t *testing.T) {
	for _, dir := range []string{".", "internal/config", "jsonout"} {
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, "doc.go"), nil, parser.ParseComments|parser.PackageClauseOnly)
		if err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		if f.Doc == nil || !strings.HasPrefix(f.Doc.Text(), "Package "+f.Name.Name+" ") && f.Name.Name != "main" {
			t.Errorf("%s/doc.go: no package comment starting \"Package %s\"", dir, f.Name.Name)
		}
	}
}
