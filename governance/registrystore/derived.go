package registrystore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
)

// Derived files hold what a reader computed from the snapshot (e.g. the
// decoded registry), so that the next process can skip the computation
// while the snapshot is unchanged. Each is bound to the snapshot it was
// derived from by the snapshot body's SHA-256 and carries its own
// checksum; one made from another snapshot, or damaged, reads as absent and
// the reader derives again. Derived files are a cache of the snapshot, never
// a source: the snapshot stays the only record of the registry.
const (
	derivedPrefix = "derived-"
	derivedMagic  = "nnspatch-registry-derived-v1"
)

// derivedHeader is a derived file's JSON header line.
type derivedHeader struct {
	// Snapshot is the SHA-256 of the snapshot body it was derived from.
	Snapshot string `json:"snapshot_sha256"`
	Version  uint64 `json:"version"`
	// BodyCRC is the body's CRC-32C: a derived file is a cache in the
	// snapshot's own directory, checked for damage, not for tampering.
	BodyCRC uint32 `json:"body_crc32c"`
}

// ReadDerived returns the data saved under name by WriteDerived for the
// snapshot the store holds now; ok is false when there is none, when it was
// derived from another snapshot or when it is damaged. A store in memory
// has no derived files.
func (s *Store) ReadDerived(name string) (data []byte, ok bool) {
	if s.dir == "" || !validDerivedName(name) {
		return nil, false
	}
	sum, version := s.derivedKey()
	if sum == "" {
		return nil, false
	}
	raw, err := os.ReadFile(filepath.Join(s.dir, derivedPrefix+name))
	if err != nil {
		return nil, false
	}
	h, body, err := splitDerived(raw)
	if err != nil || h.Snapshot != sum || h.Version != version {
		return nil, false
	}
	return body, true
}

// WriteDerived saves data under name, bound to the snapshot the store holds
// now, atomically. It does nothing for a store in memory or an empty store.
func (s *Store) WriteDerived(name string, data []byte) error {
	if !validDerivedName(name) {
		return fmt.Errorf("registry cache: derived file name %q must be a plain file name", name)
	}
	if s.dir == "" {
		return nil
	}
	snapSum, version := s.derivedKey()
	if snapSum == "" {
		return nil
	}
	h, _ := json.Marshal(derivedHeader{Snapshot: snapSum, Version: version, BodyCRC: crc32.Checksum(data, crcTable)})
	var buf bytes.Buffer
	buf.Grow(len(derivedMagic) + len(h) + len(data) + 2)
	buf.WriteString(derivedMagic + "\n")
	buf.Write(h)
	buf.WriteByte('\n')
	buf.Write(data)
	return writeAtomic(filepath.Join(s.dir, derivedPrefix+name), buf.Bytes())
}

// derivedKey is the snapshot's body hash and version, read under mu.
func (s *Store) derivedKey() (string, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bodySum, s.version
}

// splitDerived parses a derived file and checks its body's CRC.
func splitDerived(raw []byte) (derivedHeader, []byte, error) {
	var h derivedHeader
	body, err := splitFramed(raw, derivedMagic, &h)
	if err != nil {
		return h, nil, err
	}
	if crc32.Checksum(body, crcTable) != h.BodyCRC {
		return h, nil, errors.New("derived-file checksum mismatch")
	}
	return h, body, nil
}

// removeDerived deletes every derived file (Reset).
func (s *Store) removeDerived() error {
	names, err := filepath.Glob(filepath.Join(s.dir, derivedPrefix+"*"))
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := os.Remove(n); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("reset registry cache: %w", err)
		}
	}
	return nil
}

// validDerivedName accepts plain file names only.
func validDerivedName(name string) bool {
	return name != "" && !strings.ContainsAny(name, `/\`) && name != "." && name != ".."
}
