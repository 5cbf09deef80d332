#!/usr/bin/env bash
# demo.sh runs the most complete nnspatch flow that works end to end with no
# set-up: drafting a security-patch GuestOS election from a generated
# release package. It builds the binary, hashes the package (and a mirror
# copy), writes launch measurements, drafts, validates and renders the
# proposal, then shows that a tampered package and a leaky draft are refused
# with exit codes 6 and 3.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/nnspatch" ./cmd/nnspatch
export NNSPATCH_CONFIG_HOME="$work/config"   # defaults only; never touch the user's config
nnspatch() { "$work/nnspatch" "$@"; }
step() { printf '\n== %s\n' "$*" >&2; }
expect_exit() { # expect_exit CODE CMD...: run CMD, require exit code CODE
	local want=$1 got=0
	shift
	"$@" || got=$?
	echo "exit code: $got (expected $want)" >&2
	[ "$got" -eq "$want" ]
}

commit=2c0b76cfc7e596d5c4304cff5222a2619294c8c1
cd "$work"

step "a stand-in GuestOS release package (8 MiB) and a copy from a second mirror"
head -c 8388608 /dev/urandom > update-img.tar.zst
cp update-img.tar.zst mirror-copy.tar.zst

step "nnspatch artifact hash --same: both copies must agree"
nnspatch artifact hash --same update-img.tar.zst mirror-copy.tar.zst | tee SHA256SUMS

step "launch measurements of the build (one SEV-SNP measurement, 48 bytes)"
python3 - > launch-measurements.json <<'PY'
import json, os
print(json.dumps({"guest_launch_measurements": [
    {"measurement": list(os.urandom(48)), "metadata": {"kernel_cmdline": "console=ttyS0 root=/dev/vda3"}}]}, indent=2))
PY
head -c 200 launch-measurements.json >&2; echo ' …' >&2

step "nnspatch draft elect-guestos --security: hashes the package itself"
nnspatch draft elect-guestos --security --version "$commit" \
	--artifact update-img.tar.zst --artifact mirror-copy.tar.zst \
	--measurements launch-measurements.json -o elect.yaml

step "nnspatch proposal validate"
nnspatch proposal validate elect.yaml

step "nnspatch proposal render: what voters will see"
nnspatch proposal render elect.yaml

step "nnspatch proposal render --json: the payload hash for scripts"
nnspatch proposal render elect.yaml --json | python3 -c 'import json,sys; p=json.load(sys.stdin)["proposal"]; print(p["action"], p["payload_bytes"], "bytes, sha256", p["payload_sha256"])'

step "the deployment to the first subnet"
nnspatch draft deploy-guestos --security --version "$commit" \
	--subnet tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe -o deploy-nns.yaml
nnspatch proposal validate deploy-nns.yaml

step "a tampered package fails the checksum check (exit 6)"
cp update-img.tar.zst tampered.tar.zst
printf 'X' | dd of=tampered.tar.zst bs=1 seek=4096 conv=notrunc status=none
expect_exit 6 nnspatch artifact check --sha256 "$(cut -d' ' -f1 SHA256SUMS | head -1)" tampered.tar.zst

step "a security draft that hints at the fix is refused and not written (exit 3)"
expect_exit 3 nnspatch draft elect-guestos --security --version "$commit" \
	--sha256 "$(cut -d' ' -f1 SHA256SUMS | head -1)" --measurements launch-measurements.json \
	--title "Fix the exploit in the canister sandbox" -o leaky.yaml
[ ! -e leaky.yaml ]

step "done: elect.yaml and deploy-nns.yaml are ready for submission"
