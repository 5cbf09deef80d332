#!/usr/bin/env bash
# setup-test.sh installs everything the test suite needs on a fresh machine.
# It is idempotent; `make test` and .ci/run call it before `go test ./...`.
# Add one clearly commented step per dependency.
set -euo pipefail
cd "$(dirname "$0")/.."

# 1. JS peer agents used by cross-implementation tests (jspeer/*.mjs).
#    The lockfile pins them; npm ci installs exactly that tree.
npm ci --prefix jspeer --no-audit --no-fund

# 2. Prometheus, for the rollout health tests that run a real server scraping
#    localnet (governance/rollout/health, cmd/nnspatch TestRolloutPrometheusGate).
#    Installed from the Debian/Ubuntu archive; skipped when a prometheus
#    binary is already on PATH.
if ! command -v prometheus >/dev/null 2>&1; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq prometheus
fi

# 3. tmux, for the end-to-end test that drives the real TUI binary in a
#    terminal (cmd/nnspatch TestTUIInTmux). Skipped when installed.
if ! command -v tmux >/dev/null 2>&1; then
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
	$sudo apt-get install -y tmux || { $sudo apt-get update && $sudo apt-get install -y tmux; }
fi

# 4. protoc, for the test that regenerates governance/registrypb from its
#    pinned .proto files and compares it with the committed Go code
#    (governance/registrypb TestGeneratedCodeIsCurrent). Skipped when installed.
if ! command -v protoc >/dev/null 2>&1; then
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
	$sudo apt-get install -y -qq protobuf-compiler || { $sudo apt-get update -qq && $sudo apt-get install -y -qq protobuf-compiler; }
fi

# 5. SoftHSM2 and OpenSC, for the PKCS#11 signing tests that create a token
#    and a P-256 key (softhsm2-util, pkcs11-tool) and sign requests with it
#    (governance TestHSM*, cmd/nnspatch TestHSMIdentity*). Skipped when both
#    tools are installed.
if ! command -v softhsm2-util >/dev/null 2>&1 || ! command -v pkcs11-tool >/dev/null 2>&1; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq softhsm2 opensc
fi
