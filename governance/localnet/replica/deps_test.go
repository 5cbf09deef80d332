package replica

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps fails if the package depends on a CLI or TUI library, or on the
// project's own proposals package (localnet must stay an independent oracle).
func TestDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	forbidden := []string{
		"github.com/spf13/cobra", "github.com/spf13/viper",
		"github.com/charmbracelet/bubbletea", "github.com/charmbracelet/lipgloss",
		"github.com/nnspatch/nnspatch/proposals",
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				t.Errorf("replica depends on %s", dep)
			}
		}
	}
}
