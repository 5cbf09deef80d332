package localnet

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aviate-labs/agent-go/principal"
)

// ErrBadFault is returned by ParseFault for malformed fault specs.
var ErrBadFault = errors.New("bad fault")

// Fault marks a GuestOS version bad: a subnet that runs it stops finalizing
// (from the later of its upgrade and the fault) until it runs another
// version or the fault is cleared. A fault on a HostOS version takes the
// nodes that run it down (their `up` signal is 0); its targets may then be
// subnets (their member nodes) or node ids.
type Fault struct {
	// Version is the GuestOS version (40-hex commit).
	Version string `cbor:"1,keyasint" json:"version"`
	// Subnets limits the fault to these subnets (or, for a HostOS
	// version, these subnets' nodes and these node ids); empty means
	// every subnet (every node).
	Subnets []string `cbor:"2,keyasint,omitempty" json:"subnets,omitempty"`
	// Clear removes every fault on Version instead of adding one.
	Clear bool `cbor:"3,keyasint,omitempty" json:"clear,omitempty"`
}

// String renders the fault in ParseFault's syntax.
func (f Fault) String() string {
	s := f.Version
	if len(f.Subnets) > 0 {
		s += "@" + strings.Join(f.Subnets, ",")
	}
	if f.Clear {
		s = "-" + s
	}
	return s
}

// ParseFault parses "VERSION" (bad on every subnet), "VERSION@SUBNET,SUBNET"
// (bad on those subnets) or "-VERSION" (clear the faults on VERSION).
func ParseFault(s string) (Fault, error) {
	var f Fault
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		f.Clear, s = true, rest
	}
	version, subnets, hasSubnets := strings.Cut(s, "@")
	f.Version = version
	if hasSubnets {
		for _, sn := range strings.Split(subnets, ",") {
			f.Subnets = append(f.Subnets, strings.TrimSpace(sn))
		}
	}
	if err := f.validate(); err != nil {
		return Fault{}, err
	}
	return f, nil
}

func (f Fault) validate() error {
	if !commitRE.MatchString(f.Version) {
		return fmt.Errorf("%w %q: version must be a 40-hex GuestOS commit; use VERSION[@SUBNET,...] or -VERSION", ErrBadFault, f.String())
	}
	if f.Clear && len(f.Subnets) > 0 {
		return fmt.Errorf("%w %q: clearing takes no subnets", ErrBadFault, f.String())
	}
	for _, sn := range f.Subnets {
		if _, err := principal.Decode(sn); err != nil {
			return fmt.Errorf("%w %q: subnet %q is not a principal id", ErrBadFault, f.String(), sn)
		}
	}
	return nil
}

// faultEvent is a fault set or cleared at a virtual time.
type faultEvent struct {
	at    time.Time
	fault Fault
}

// faultLog is the ordered history of fault events.
type faultLog []faultEvent

// bad reports whether version is faulty on subnet at time t.
func (l faultLog) bad(version, subnet string, t time.Time) bool {
	bad := false
	for _, e := range l {
		if e.at.After(t) {
			break
		}
		if e.fault.Version != version {
			continue
		}
		switch {
		case e.fault.Clear:
			bad = false
		case len(e.fault.Subnets) == 0 || slices.Contains(e.fault.Subnets, subnet):
			bad = true
		}
	}
	return bad
}

// active returns the faults in force at t, one per version and subnet set.
func (l faultLog) active(t time.Time) []Fault {
	var out []Fault
	for _, e := range l {
		if e.at.After(t) {
			break
		}
		out = slices.DeleteFunc(out, func(f Fault) bool { return e.fault.Clear && f.Version == e.fault.Version })
		if !e.fault.Clear && !slices.ContainsFunc(out, e.fault.equal) {
			out = append(out, e.fault)
		}
	}
	return out
}

// equal reports whether f and g mark the same version bad on the same subnets.
func (f Fault) equal(g Fault) bool {
	return f.Version == g.Version && f.Clear == g.Clear && slices.Equal(f.Subnets, g.Subnets)
}
