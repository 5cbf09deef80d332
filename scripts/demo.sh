#!/usr/bin/env bash
# demo.sh runs the most complete nnspatch flow that works end to end with no
# set-up: a security-patch GuestOS release on the embedded local NNS network.
# It builds the binary, hashes a generated release package (and a mirror
# copy), drafts, validates and renders the election, shows that a tampered
# package and a leaky draft are refused (exit codes 6 and 3), then starts
# `nnspatch localnet` in the background and runs the release there: release
# new, submit the election, vote, show it, plan the staged rollout, deploy
# the first batch, pass the upgrade delay on the virtual clock, and print the
# rollout status and the release's audit log. Last, it runs a rollback drill
# (fault, detection, rollback, assertions) on a fresh embedded network.
set -euo pipefail
cd "$(dirname "$0")/.."

repo=$PWD
work=$(mktemp -d)
ln_pid=""
cleanup() {
	if [ -n "$ln_pid" ]; then kill "$ln_pid" 2>/dev/null || true; wait "$ln_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
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
measurement=$(od -An -tu1 -N48 /dev/urandom | tr -s ' \n' ' ' | sed 's/^ //; s/ $//; s/ /, /g')
cat > launch-measurements.json <<JSON
{
  "guest_launch_measurements": [
    {"measurement": [$measurement], "metadata": {"kernel_cmdline": "console=ttyS0 root=/dev/vda3"}}
  ]
}
JSON
head -c 200 launch-measurements.json >&2; echo ' …' >&2

step "nnspatch draft elect-guestos --security: hashes the package itself"
nnspatch draft elect-guestos --security --version "$commit" \
	--artifact update-img.tar.zst --artifact mirror-copy.tar.zst \
	--measurements launch-measurements.json -o elect.yaml \
	--forum-url https://forum.dfinity.org/t/security-patch-demo/1

step "nnspatch proposal validate"
nnspatch proposal validate elect.yaml

step "nnspatch proposal render: what voters will see"
nnspatch proposal render elect.yaml

step "nnspatch proposal render --json: the payload hash for scripts"
nnspatch proposal render elect.yaml --json | grep -E '^    "(action|payload_bytes|payload_sha256)"'

app_subnet=pzp6e-ekpqk-3c5x7-2h6so-njoeq-mt45d-h3h6c-q3mxf-vpeq5-fk5o7-yae
step "a deployment draft for one application subnet (the rollout below drafts these itself)"
nnspatch draft deploy-guestos --security --version "$commit" --subnet "$app_subnet" -o deploy.yaml
nnspatch proposal validate deploy.yaml

step "a tampered package fails the checksum check (exit 6)"
cp update-img.tar.zst tampered.tar.zst
printf 'X' | dd of=tampered.tar.zst bs=1 seek=4096 conv=notrunc status=none
expect_exit 6 nnspatch artifact check --sha256 "$(cut -d' ' -f1 SHA256SUMS | head -1)" tampered.tar.zst

step "a security draft that hints at the fix is refused and not written (exit 3)"
expect_exit 3 nnspatch draft elect-guestos --security --version "$commit" \
	--sha256 "$(cut -d' ' -f1 SHA256SUMS | head -1)" --measurements launch-measurements.json \
	--title "Fix the exploit in the canister sandbox" --no-forum-url -o leaky.yaml
[ ! -e leaky.yaml ]

step "nnspatch localnet start: the embedded local NNS network, in the background"
nnspatch localnet start --state "$work/localnet" --listen 127.0.0.1:0 > localnet.out 2> localnet.err &
ln_pid=$!
for _ in $(seq 100); do grep -q '^developer_identity: ' localnet.out 2>/dev/null && break; sleep 0.2; done
cat localnet.out localnet.err >&2
url=$(sed -n 's/^url: //p' localnet.out)
export NNSPATCH_NETWORK="$url" NNSPATCH_IDENTITY="$(sed -n 's/^developer_identity: //p' localnet.out)"

step "nnspatch identity whoami / versions: who we are, what is elected"
nnspatch identity whoami
nnspatch versions

step "nnspatch release new: the release's ledger and election draft, from the same package"
export NNSPATCH_RELEASES_DIR="$work/releases"
nnspatch release new --security --version "$commit" --artifact update-img.tar.zst --measurements launch-measurements.json \
	--forum-url https://forum.dfinity.org/t/security-patch-demo/1

step "nnspatch release submit: preflight, then the election with the developer neuron 80"
id=$(nnspatch release submit "$commit" --neuron 80 --yes)
echo "election proposal id: $id" >&2

step "nnspatch vote: neuron 81 votes too"
nnspatch vote "$id" yes --neuron 81 --yes

step "nnspatch proposal show: the decided election"
nnspatch proposal show "$id"

step "the version is elected now"
nnspatch versions | grep -E "^GUESTOS|$commit"

step "nnspatch rollout plan: staged batches from the live registry, NNS subnet last (continuous policy: start now)"
nnspatch rollout plan "$commit" --policy continuous | grep -E "^# Calendar|batch  1 |NNS subnet|^version|^bake" >&2

step "nnspatch rollout advance: submit the first batch's deploy proposals"
nnspatch rollout advance "$commit" --neuron 80 --yes

step "let the local network's virtual clock pass the upgrade delay, then look"
nnspatch localnet advance 30m --url "$url"
code=0
nnspatch rollout status "$commit" > rollout-status.txt || code=$?
head -n 6 rollout-status.txt
echo "rollout status exit code: $code (0 = on track, 9 = failed or halted)" >&2
[ "$code" -eq 0 ]
nnspatch subnets | grep -E "^SUBNET|$commit"

step "nnspatch release log: the audit trail of every action"
nnspatch release log "$commit"

step "nnspatch drill run: a whole incident on a fresh embedded network"
# patch elected, staged rollout, a fault stalls an early subnet, the health
# gate detects it, the release is rolled back; exit 10 if an assertion fails
nnspatch drill run stall-early-batch

step "done: released on the local NNS, and a rollback drill passed"
