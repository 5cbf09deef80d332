package governance

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/internal/candidguard"
)

// TestUnmarshalReplyRefusesHostileBytes feeds the guard's whole seed corpus
// (forged counts, recursive types, …) through the client's reply decoder:
// none may crash the process, and every message the guard refuses must come
// back as an error wrapping candidguard.ErrUnsafe.
func TestUnmarshalReplyRefusesHostileBytes(t *testing.T) {
	dir := filepath.Join("..", "internal", "candidguard", "testdata", "fuzz", "FuzzCheck")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read seed corpus: %v", err)
	}
	refused := 0
	for _, e := range entries {
		raw := readSeed(t, filepath.Join(dir, e.Name()))
		var out *govdid.ProposalInfo
		err := unmarshalReply("get_proposal_info", raw, []any{&out})
		if candidguard.Check(raw) != nil {
			refused++
			if !errors.Is(err, candidguard.ErrUnsafe) {
				t.Errorf("%s: got %v, want an error wrapping ErrUnsafe", e.Name(), err)
			}
		}
	}
	if refused == 0 {
		t.Fatal("the guard refused none of its own crasher seeds")
	}
	forged := []byte("DIDL0[\x93\xb5\uf4fd\aq")
	var out *govdid.ProposalInfo
	if err := unmarshalReply("get_proposal_info", forged, []any{&out}); !errors.Is(err, candidguard.ErrUnsafe) {
		t.Fatalf("forged-count reply: got %v, want ErrUnsafe", err)
	}
}

// readSeed extracts the []byte value of a `go test fuzz v1` seed file.
func readSeed(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(strings.TrimSpace(string(b)), "\n", 2)
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "[]byte(") {
		t.Fatalf("%s: not a []byte seed", path)
	}
	lit := strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")")
	s, err := strconv.Unquote(lit)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return []byte(s)
}
