package fsutil

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// CleanTemp removes the temporary files a WriteFile of path left behind
// when its process was killed before the rename (".<name><digits>" on
// Unix, ".<name>.tmp-<random>" on Windows), and returns their names. Call
// it only while holding the lock that serializes writers of path: a
// running writer's temporary file looks the same.
func CleanTemp(path string) ([]string, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		if !e.Type().IsRegular() || !isTempOf(e.Name(), base) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, err
		}
		removed = append(removed, e.Name())
	}
	return removed, nil
}

// isTempOf reports whether name is a temporary file of WriteFile(base).
func isTempOf(name, base string) bool {
	rest, ok := strings.CutPrefix(name, "."+base)
	if !ok || rest == "" {
		return false
	}
	if r, ok := strings.CutPrefix(rest, ".tmp-"); ok {
		return r != ""
	}
	rest = strings.TrimPrefix(rest, "-") // renameio formats negative numbers too
	return rest != "" && strings.Trim(rest, "0123456789") == ""
}
