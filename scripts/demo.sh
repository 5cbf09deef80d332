#!/usr/bin/env bash
# demo.sh runs the most complete nnspatch flow that works end to end with no
# set-up: it builds the binary, makes a stand-in release package, hashes it,
# writes its SHA256SUMS and verifies it, then shows a mismatch (exit 6).
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/nnspatch" ./cmd/nnspatch
nnspatch() { "$work/nnspatch" "$@"; }

step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

step "make a stand-in GuestOS update image (4 MiB of deterministic bytes)"
head -c 4194304 /dev/zero | tr '\0' 'x' > "$work/update-img.tar.zst"

step "nnspatch artifact hash"
nnspatch artifact hash "$work/update-img.tar.zst" | tee "$work/SHA256SUMS"
sha=$(cut -d' ' -f1 "$work/SHA256SUMS")

step "nnspatch artifact check --sums SHA256SUMS"
nnspatch artifact check --sums "$work/SHA256SUMS" "$work/update-img.tar.zst"

step "a tampered copy fails the check with exit code 6"
cp "$work/update-img.tar.zst" "$work/tampered.tar.zst"
printf 'y' | dd of="$work/tampered.tar.zst" bs=1 seek=1000 conv=notrunc status=none
set +e
nnspatch artifact check --sha256 "$sha" "$work/tampered.tar.zst"
code=$?
set -e
echo "exit code: $code (6 = checksum mismatch)" >&2
[ "$code" -eq 6 ]
