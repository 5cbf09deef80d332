package governance

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/fxamacker/cbor/v2"
	"github.com/nnspatch/nnspatch/governance/registrystore"
)

// registryCacheName is the registry store's derived file that holds the
// decoded Registry of the store's snapshot, so that a command reading an
// unchanged registry skips decoding every record (protobuf, principal text)
// and only reads this file back.
const registryCacheName = "registry.cbor"

// decodedRegistryFile is the derived file's content: the Registry with the
// fields its JSON form leaves out, and the shape of the Go types it was
// written by, so a build whose Registry differs decodes the snapshot again
// instead of reading fields that are not there.
type decodedRegistryFile struct {
	Shape    string    `cbor:"1,keyasint"`
	Registry *Registry `cbor:"2,keyasint"`
	// Nodes are the node records as rows (the map's key is the row's ID).
	Nodes         []nodeRow               `cbor:"3,keyasint"`
	NodeOperators map[string]NodeOperator `cbor:"4,keyasint"`
	DataCenters   map[string]DataCenter   `cbor:"5,keyasint"`
}

// nodeRow is a Node as a CBOR array, the compact form of the largest part
// of the registry.
type nodeRow struct {
	_        struct{} `cbor:",toarray"`
	ID       string
	HostOS   string
	Operator string
}

// cachedRegistry reads the decoded registry the store holds for its
// snapshot; ok is false when there is none for this snapshot and build.
func cachedRegistry(st *registrystore.Store, version uint64) (*Registry, bool) {
	data, ok := st.ReadDerived(registryCacheName)
	if !ok {
		return nil, false
	}
	var rc decodedRegistryFile
	if err := cbor.Unmarshal(data, &rc); err != nil || rc.Shape != registryShape() || rc.Registry == nil || rc.Registry.Version != version {
		return nil, false
	}
	r := rc.Registry
	r.Nodes = make(map[string]Node, len(rc.Nodes))
	for _, n := range rc.Nodes {
		r.Nodes[n.ID] = Node{ID: n.ID, HostOSVersion: n.HostOS, Operator: n.Operator}
	}
	r.NodeOperators, r.DataCenters = rc.NodeOperators, rc.DataCenters
	return r, true
}

// cacheRegistry saves r as the store's decoded registry. The cache only
// saves work: a failure to write it is not an error of the read.
func cacheRegistry(st *registrystore.Store, r *Registry) {
	rows := make([]nodeRow, 0, len(r.Nodes))
	for _, id := range slices.Sorted(maps.Keys(r.Nodes)) {
		n := r.Nodes[id]
		rows = append(rows, nodeRow{ID: id, HostOS: n.HostOSVersion, Operator: n.Operator})
	}
	data, err := cbor.Marshal(decodedRegistryFile{Shape: registryShape(), Registry: r,
		Nodes: rows, NodeOperators: r.NodeOperators, DataCenters: r.DataCenters})
	if err == nil {
		_ = st.WriteDerived(registryCacheName, data)
	}
}

// registryShape fingerprints the fields of decodedRegistryFile's types (names,
// types, tags), computed once per process.
var registryShape = sync.OnceValue(func() string {
	var b strings.Builder
	writeShape(&b, reflect.TypeFor[decodedRegistryFile](), map[reflect.Type]bool{})
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
})

// writeShape writes t's structure to b, each named struct once.
func writeShape(b *strings.Builder, t reflect.Type, seen map[reflect.Type]bool) {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		fmt.Fprintf(b, "%s(", t.Kind())
		writeShape(b, t.Elem(), seen)
		b.WriteString(")")
	case reflect.Map:
		b.WriteString("map(")
		writeShape(b, t.Key(), seen)
		b.WriteString(",")
		writeShape(b, t.Elem(), seen)
		b.WriteString(")")
	case reflect.Struct:
		fmt.Fprintf(b, "%s{", t.String())
		if !seen[t] {
			seen[t] = true
			for i := range t.NumField() {
				f := t.Field(i)
				fmt.Fprintf(b, "%s %q ", f.Name, f.Tag)
				writeShape(b, f.Type, seen)
				b.WriteString(";")
			}
		}
		b.WriteString("}")
	default:
		b.WriteString(t.Kind().String())
	}
}
