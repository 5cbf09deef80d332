//go:build windows

package fsutil

import (
	"os"
	"path/filepath"
)

// WriteFile replaces path with data: renameio does not support Windows, so
// this writes and syncs a temporary file in the same directory and renames
// it over path (MoveFileEx with MOVEFILE_REPLACE_EXISTING, atomic on NTFS).
func WriteFile(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), perm); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
