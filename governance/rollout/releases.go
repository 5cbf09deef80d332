package rollout

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// Releases lists the release directories under releasesDir
// (releases_dir): every subdirectory holding a release.yaml, attached
// ones included, sorted by name. A missing releasesDir holds none.
func Releases(releasesDir string) ([]Store, error) {
	entries, err := os.ReadDir(releasesDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list releases: %w", err)
	}
	var out []Store
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		s := Store{Dir: filepath.Join(releasesDir, e.Name())}
		if _, err := os.Stat(s.Path()); err == nil {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dir < out[j].Dir })
	return out, nil
}

// BadVersions are the versions a rollback must never restore because a
// release of them went wrong, with why: its rollout was halted (now or
// before) or the release was abandoned. It reads every ledger under
// releasesDir; unreadable ones are skipped, since they say nothing.
func BadVersions(releasesDir string) (map[string]string, error) {
	stores, err := Releases(releasesDir)
	if err != nil {
		return nil, err
	}
	bad := map[string]string{}
	for _, s := range stores {
		l, err := s.Read()
		if err != nil || l.Version == "" || l.ReleaseKind() != ReleaseGuestOS {
			continue // HostOS and NNS canister releases name no GuestOS version
		}
		if why := badReason(l); why != "" {
			bad[l.Version] = why
		}
	}
	return bad, nil
}

// badReason says why l's version is bad, or "" when it is not.
func badReason(l *Ledger) string {
	if l.Abandoned != nil {
		return "its release was abandoned"
	}
	if l.Halted != nil {
		return "its rollout is halted"
	}
	for _, e := range l.Audit {
		if e.Action == "halt" {
			return "its rollout was halted on " + e.At.Format("2006-01-02")
		}
	}
	return ""
}
