package rollout

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// FindReleases lists the release directories under dir: each subdirectory
// holding a ledger (release.yaml), created by `release new` or `release
// attach`, sorted by name. A missing dir holds none.
func FindReleases(dir string) ([]Store, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Store
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		s := Store{Dir: filepath.Join(dir, e.Name())}
		if _, err := os.Stat(s.Path()); err == nil {
			out = append(out, s)
		}
	}
	return out, nil
}
