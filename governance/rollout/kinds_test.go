package rollout

import (
	"errors"
	"testing"
)

// TestUnknownKind: a kind this nnspatch does not know is ErrReleaseKind.
func TestUnknownKind(t *testing.T) {
	if _, err := kindFor("sev-firmware"); !errors.Is(err, ErrReleaseKind) {
		t.Fatalf("kindFor: %v", err)
	}
	for _, k := range ReleaseKinds {
		if _, err := kindFor(k); err != nil {
			t.Errorf("kind %s: %v", k, err)
		}
	}
}
