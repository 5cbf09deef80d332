package common

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeOpener installs an opener script that records its argument in a file
// and puts it alone on PATH.
func fakeOpener(t *testing.T) (record string) {
	t.Helper()
	dir := t.TempDir()
	record = filepath.Join(dir, "opened")
	name := "xdg-open"
	if runtime.GOOS == "darwin" {
		name = "open"
	}
	script := "#!/bin/sh\nprintf '%s' \"$1\" > " + record + "\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	return record
}

// TestOpenURLRunsTheOpener runs a real opener process with the URL.
func TestOpenURLRunsTheOpener(t *testing.T) {
	record := fakeOpener(t)
	t.Setenv("DISPLAY", ":0")
	const url = "https://dashboard.internetcomputer.org/proposal/1041"
	if err := OpenURL(url); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(record); err != nil || string(b) != url {
		t.Errorf("the opener got %q (%v), want %q", b, err, url)
	}
}

func TestOpenURLWithoutBrowser(t *testing.T) {
	t.Run("no opener", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		t.Setenv("DISPLAY", ":0")
		if err := OpenURL("https://x"); !errors.Is(err, ErrNoBrowser) {
			t.Errorf("got %v, want ErrNoBrowser", err)
		}
	})
	if runtime.GOOS == "darwin" {
		return
	}
	t.Run("no graphical session", func(t *testing.T) {
		record := fakeOpener(t)
		t.Setenv("DISPLAY", "")
		t.Setenv("WAYLAND_DISPLAY", "")
		err := OpenURL("https://x")
		if !errors.Is(err, ErrNoBrowser) || !strings.Contains(err.Error(), "graphical") {
			t.Errorf("got %v, want ErrNoBrowser for no graphical session", err)
		}
		if _, err := os.Stat(record); err == nil {
			t.Error("the opener ran without a graphical session")
		}
	})
}
