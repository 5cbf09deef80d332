// Package registrystore keeps a copy of one network's registry on disk: the
// changelog (every registry version's mutations, oldest first) and a
// snapshot of every key's latest value beside it, so a read of the latest
// registry loads one small file and never replays the changelog.
//
// A store lives in one directory per network root key. Its two files are
//
//	changelog.bin  append-only records: u32 length, u32 CRC-32C, payload
//	               (u64 version, then HighCapacityRegistryAtomicMutateRequest
//	               with every value inline)
//	snapshot.bin   magic line, JSON header line (root key, version, the
//	               changelog length that version ends at, SHA-256 of the
//	               body), body (HighCapacityRegistryGetChangesSinceResponse
//	               holding each present key's latest value)
//
// and last_sync, the time of the last sync. Derived files (derived-<name>:
// magic line, JSON header naming the snapshot body's SHA-256 and version
// and the body's CRC-32C, body) cache what a reader computed from the
// snapshot, such as the decoded registry; one that names another snapshot
// or fails its CRC reads as absent, so it is recomputed, never trusted. A commit appends the new
// versions to the changelog, syncs it, then replaces the snapshot by rename:
// the snapshot names the changelog length it covers, so bytes after that
// length are an interrupted commit and are cut off by the next one. A
// snapshot that does not parse, fails its checksum or names another root
// key, a changelog shorter than the snapshot says, or a changelog record
// that fails its CRC or breaks the version sequence is corruption: the
// store reports it (ErrCorrupt) and Reset starts over from version 0. The
// store never checks data against the network; its caller verifies every
// version against the NNS certificate before Append.
//
// A lock file serialises writers of one directory across processes.
package registrystore
