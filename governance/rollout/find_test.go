package rollout

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFindReleases(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"bbbb", "aaaa", "empty"} {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"bbbb", "aaaa"} {
		if err := os.WriteFile(filepath.Join(dir, name, LedgerFile), []byte("version: x\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := FindReleases(dir)
	if err != nil || len(got) != 2 || filepath.Base(got[0].Dir) != "aaaa" || filepath.Base(got[1].Dir) != "bbbb" {
		t.Errorf("FindReleases = %v, %v; want aaaa, bbbb", got, err)
	}
	if got, err := FindReleases(filepath.Join(dir, "missing")); err != nil || len(got) != 0 {
		t.Errorf("missing dir: %v, %v", got, err)
	}
}
