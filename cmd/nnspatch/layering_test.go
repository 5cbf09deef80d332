package main

import (
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// forbiddenInLibraries are the modules only cmd/ and tui/ may import.
var forbiddenInLibraries = []string{
	"github.com/spf13/cobra", "github.com/spf13/viper",
	"github.com/charmbracelet/bubbletea", "github.com/charmbracelet/lipgloss",
}

// TestLibrariesDoNotImportCLI enforces the ground rule for every package
// of the module, including ones added later: outside cmd/ and tui/, no
// package depends (even indirectly) on cobra, viper, bubbletea or lipgloss.
func TestLibrariesDoNotImportCLI(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Deps \" \"}}", "github.com/nnspatch/nnspatch/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/nnspatch/nnspatch/"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, " ")
		if strings.HasPrefix(pkg, mod+"cmd/") || strings.HasPrefix(pkg, mod+"tui") {
			continue
		}
		for _, dep := range strings.Fields(deps) {
			for _, f := range forbiddenInLibraries {
				if dep == f || strings.HasPrefix(dep, f+"/") {
					t.Errorf("library %s depends on %s; only cmd/ and tui/ may", pkg, dep)
				}
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
