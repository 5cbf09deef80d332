package governance

import (
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"weak"

	"github.com/nnspatch/nnspatch/governance/govdid"
)

// Action variants newer than the pinned governance.did (@icp-sdk/canisters
// 3.6.0). Candid puts only the hash of a variant's name on the wire, so a
// name is known only when it is listed here; every other new arm is shown
// by its hash.
var newerActionNames = namesByID(
	// UpdateStandardEngineReplicaVersion: mainnet proposal 143574
	// (domain.md Addendum).
	"UpdateStandardEngineReplicaVersion",
)

func namesByID(names ...string) map[uint32]string {
	m := make(map[uint32]string, len(names))
	for _, n := range names {
		m[candidID(n)] = n
	}
	return m
}

// unknownArms remembers, for each decoded govdid.Action whose arm the
// pinned interface lacks, the wire id of that arm. The generated Action
// struct has no field to keep it in; the entry goes away with the Action.
var unknownArms sync.Map // weak.Pointer[govdid.Action] -> uint32

var actionType = reflect.TypeFor[govdid.Action]()

// noteUnknownArm records that v (a variant value being decoded) took the
// arm id, which its Go type does not declare.
func noteUnknownArm(v reflect.Value, id uint32) {
	if !v.IsValid() || v.Type() != actionType || !v.CanAddr() {
		return
	}
	a := v.Addr().Interface().(*govdid.Action)
	k := weak.Make(a)
	unknownArms.Store(k, id)
	runtime.AddCleanup(a, func(k weak.Pointer[govdid.Action]) { unknownArms.Delete(k) }, k)
}

// unknownActionKind names an Action that decoded with none of the pinned
// arms set: its newer name when known, "unknown (<name>)" otherwise
// (the name being "#<hash>" when even that is unknown), "" when a is not
// such an Action.
func unknownActionKind(a *govdid.Action) string {
	v, ok := unknownArms.Load(weak.Make(a))
	if !ok {
		return ""
	}
	id := v.(uint32)
	if name, ok := newerActionNames[id]; ok {
		return name
	}
	return fmt.Sprintf("unknown (#%d)", id)
}
