package common

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"time"
)

// ErrNoBrowser reports that no browser can be opened from here: no opener
// program (xdg-open, open) or, on Linux, no graphical session (an SSH
// login), where an opener could only start a browser in this terminal.
var ErrNoBrowser = errors.New("no browser to open")

// OpenURL opens url with the platform's opener (open on macOS, xdg-open
// elsewhere), detached from the terminal: no input, output discarded.
func OpenURL(url string) error {
	name := "xdg-open"
	if runtime.GOOS == "darwin" {
		name = "open"
	} else if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return fmt.Errorf("%w: no graphical session (DISPLAY, WAYLAND_DISPLAY)", ErrNoBrowser)
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return fmt.Errorf("%w: %s not found", ErrNoBrowser, name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, path, url).CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w: %s", name, err, Line(string(out)))
	}
	return nil
}
