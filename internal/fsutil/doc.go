// Package fsutil holds the two file primitives every state file of nnspatch
// uses, on maintained libraries instead of hand-written copies: atomic
// replacement (github.com/google/renameio/v2: temp file, fsync, rename; plus
// a directory fsync so the rename survives a crash) and advisory locks
// (github.com/gofrs/flock), both portable to macOS and Windows.
package fsutil
