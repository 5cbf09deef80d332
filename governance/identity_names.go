package governance

import (
	"os"
	"path/filepath"
	"sort"
)

// IdentityNames lists the dfx identities (directories under dfx's identity
// store with an identity.json or identity.pem) and icp-cli identities found
// in env, sorted, without duplicates. Shell completion offers them.
func IdentityNames(env IdentityEnv) []string {
	seen := map[string]bool{}
	for _, dir := range []string{filepath.Join(env.dfxRoot(), "identity"), env.icpIdentityDir()} {
		if dir == "" {
			continue
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if e.IsDir() && hasIdentityFile(filepath.Join(dir, e.Name())) {
				seen[e.Name()] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func hasIdentityFile(dir string) bool {
	for _, f := range []string{"identity.pem", "identity.json", "identity.pem.encrypted"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}
