// Package jsonout holds the types nnspatch prints with --json, in one
// place so scripts can import them. Every document is one JSON object, an
// envelope with "schema_version" (never a bare array); fields may be added, but an existing field never
// changes meaning. Bump SchemaVersion only for an incompatible change.
package jsonout
