package proposals

import (
	"strings"
	"testing"
)

// TestSecuritySummaryNamesWhatIsPatched: the policy paragraph of a
// security canister upgrade names the canister, a HostOS election every
// node; only a GuestOS election speaks of every subnet.
func TestSecuritySummaryNamesWhatIsPatched(t *testing.T) {
	can, err := NewUpgradeCanister(UpgradeCanisterOptions{Mode: ModeSecurity, Code: InstallCode{CanisterID: RegistryCanisterID, Wasm: []byte("\x00asm\x01\x00\x00\x00x")}})
	if err != nil {
		t.Fatal(err)
	}
	host, err := NewElectHostOS(ElectOptions{Mode: ModeSecurity, Version: strings.Repeat("ab", 20), SHA256: strings.Repeat("cd", 32)})
	if err != nil {
		t.Fatal(err)
	}
	guest, err := NewElectGuestOS(ElectOptions{Mode: ModeSecurity, Version: strings.Repeat("ab", 20), SHA256: strings.Repeat("cd", 32)})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, summary, want string
		subnet              bool
	}{
		{"canister", can.Summary, "installed in the registry canister", false},
		{"hostos", host.Summary, "rolled out to every node", false},
		{"guestos", guest.Summary, "rolled out to every subnet", true},
	} {
		if !strings.Contains(c.summary, c.want) {
			t.Errorf("%s summary lacks %q:\n%s", c.name, c.want, c.summary)
		}
		if got := strings.Contains(c.summary, "every subnet"); got != c.subnet {
			t.Errorf("%s summary mentions every subnet: %v, want %v", c.name, got, c.subnet)
		}
	}
}
