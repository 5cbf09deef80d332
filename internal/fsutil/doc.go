// Package fsutil holds the file primitives every state file of nnspatch
// uses, on maintained libraries instead of hand-written copies: atomic
// replacement (github.com/google/renameio/v2: temp file next to the target,
// fsync, rename; plus a directory fsync so the rename survives a crash),
// CleanTemp for the temporary files of a write whose process was killed,
// and advisory locks (github.com/gofrs/flock) that never follow a symbolic
// link (ErrSymlink), all portable to macOS and Windows.
package fsutil
