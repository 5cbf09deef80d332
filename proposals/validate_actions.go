package proposals

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/internal/textsafe"
)

// SEVMeasurementBytes is the size of an AMD SEV-SNP launch measurement.
const SEVMeasurementBytes = 48

func validateVersion(ps *problems, path, v string, required bool) {
	switch {
	case v == "" && required:
		ps.errorf(path, "required; give the 40-hex git commit of the release")
	case v != "" && !versionRe.MatchString(v):
		ps.errorf(path, "%q is not a version id; use the full 40-character lowercase hex commit", v)
	}
}

func validateSHA256(ps *problems, path, v string) {
	if !sha256Re.MatchString(v) {
		ps.errorf(path, "%q is not a SHA-256; use 64 lowercase hex characters (e.g. from SHA256SUMS)", v)
	}
}

func validatePrincipal(ps *problems, path, what string, p principal.Principal) {
	if len(p.Raw) == 0 {
		ps.errorf(path, "required; give the %s id as a textual principal", what)
	}
}

// electParams is what GuestOS and HostOS elections share.
type electParams struct {
	key, electKey, unelectKey string
	elect, sha                *string
	urls, unelect             []string
}

func validateElection(ps *problems, e electParams) {
	set := 0
	for _, ok := range []bool{e.elect != nil && *e.elect != "", e.sha != nil && *e.sha != "", len(e.urls) > 0} {
		if ok {
			set++
		}
	}
	if set != 0 && set != 3 {
		ps.errorf(e.key, "%s, release_package_sha256_hex and release_package_urls must all be set or all be unset", e.electKey)
	}
	if set == 0 && len(e.unelect) == 0 {
		ps.errorf(e.key, "elects nothing and unelects nothing; set %s or list %s", e.electKey, e.unelectKey)
	}
	if e.elect != nil {
		validateVersion(ps, e.key+"."+e.electKey, *e.elect, true)
	}
	if e.sha != nil && *e.sha != "" {
		validateSHA256(ps, e.key+".release_package_sha256_hex", *e.sha)
	}
	validatePackageURLs(ps, e.key+".release_package_urls", e.urls)
	seen := map[string]bool{}
	for i, v := range e.unelect {
		p := fmt.Sprintf("%s.%s[%d]", e.key, e.unelectKey, i)
		validateVersion(ps, p, v, true)
		if e.elect != nil && v == *e.elect {
			ps.errorf(p, "%s is both elected and unelected; remove it from %s", v, e.unelectKey)
		}
		if seen[v] {
			ps.errorf(p, "%s is listed twice; remove the duplicate", v)
		}
		seen[v] = true
	}
}

func validatePackageURLs(ps *problems, path string, urls []string) {
	seen := map[string]bool{}
	for i, u := range urls {
		p := fmt.Sprintf("%s[%d]", path, i)
		if !strings.HasPrefix(u, "https://") || len(u) <= len("https://") {
			ps.errorf(p, "%q is not an https URL; nodes download the package from it", u)
		}
		if seen[u] {
			ps.errorf(p, "%q is listed twice; give distinct mirrors", u)
		}
		seen[u] = true
	}
}

func validateElectGuestOS(ps *problems, key string, a ReviseElectedGuestosVersions, waiver string) {
	validateElection(ps, electParams{
		key: key, electKey: "replica_version_to_elect", unelectKey: "replica_versions_to_unelect",
		elect: a.ReplicaVersionToElect, sha: a.ReleasePackageSHA256Hex,
		urls: a.ReleasePackageURLs, unelect: a.ReplicaVersionsToUnelect,
	})
	electing := a.ReplicaVersionToElect != nil && *a.ReplicaVersionToElect != ""
	validateMeasurements(ps, key+".guest_launch_measurements", a.GuestLaunchMeasurements, electing, waiver)
}

func validateMeasurements(ps *problems, path string, m *GuestLaunchMeasurements, electing bool, waiver string) {
	has := m != nil && len(m.GuestLaunchMeasurements) > 0
	switch {
	case electing && !has && strings.TrimSpace(waiver) == "":
		ps.errorf(path, "missing; without launch measurements SEV subnets halt at the upgrade, add them from launch-measurements.json or set launch_measurements_waiver to the reason")
	case electing && !has:
		ps.warnf(path, "missing, waived: %s", strings.TrimSpace(waiver))
	case !electing && has:
		ps.errorf(path, "set but no version is elected; remove them or set replica_version_to_elect")
	}
	if m == nil {
		return
	}
	for i, gm := range m.GuestLaunchMeasurements {
		if n := len(gm.Measurement); n != SEVMeasurementBytes {
			ps.errorf(fmt.Sprintf("%s[%d].measurement", path, i), "is %d bytes; a SEV-SNP measurement is %d bytes (%d hex characters)", n, SEVMeasurementBytes, 2*SEVMeasurementBytes)
		}
		if gm.Metadata != nil && gm.Metadata.KernelCmdline != nil {
			validateKernelCmdline(ps, fmt.Sprintf("%s[%d].metadata.kernel_cmdline", path, i), *gm.Metadata.KernelCmdline)
		}
	}
}

// validateKernelCmdline refuses control and invisible characters in a
// kernel command line: it goes into the payload as it is, and voters read
// it on terminals and dashboards.
func validateKernelCmdline(ps *problems, path, cmdline string) {
	if r, at, bad := textsafe.Unsafe(cmdline); bad {
		ps.errorf(path, "has the control or invisible character %U at byte %d; a kernel command line is one line of printable text, copy it from launch-measurements.json again", r, at)
	}
}

func validateDeployGuestOS(ps *problems, key string, a DeployGuestosToAllSubnetNodes) {
	validatePrincipal(ps, key+".subnet_id", "subnet", a.SubnetID)
	validateVersion(ps, key+".replica_version_id", a.ReplicaVersionID, true)
}

func validateElectHostOS(ps *problems, key string, a ReviseElectedHostosVersions) {
	validateElection(ps, electParams{
		key: key, electKey: "hostos_version_to_elect", unelectKey: "hostos_versions_to_unelect",
		elect: a.HostosVersionToElect, sha: a.ReleasePackageSHA256Hex,
		urls: a.ReleasePackageURLs, unelect: a.HostosVersionsToUnelect,
	})
}

func validateDeployAPIBoundaryNodes(ps *problems, key string, a DeployGuestosToSomeAPIBoundaryNodes) {
	validateVersion(ps, key+".version", a.Version, true)
	validateNodeIDs(ps, key, a.NodeIDs)
}

func validateDeployHostOS(ps *problems, key string, a DeployHostosToSomeNodes) {
	if a.HostosVersionID == nil || *a.HostosVersionID == "" {
		ps.errorf(key+".hostos_version_id", "required; give the 40-hex commit of an elected HostOS version")
	} else {
		validateVersion(ps, key+".hostos_version_id", *a.HostosVersionID, true)
	}
	validateNodeIDs(ps, key, a.NodeIDs)
}

// validateNodeIDs checks a deploy's node list: not empty, valid
// principals, no duplicates.
func validateNodeIDs(ps *problems, key string, nodeIDs []principal.Principal) {
	if len(nodeIDs) == 0 {
		ps.errorf(key+".node_ids", "empty; list the node ids to upgrade")
	}
	seen := map[string]bool{}
	for i, n := range nodeIDs {
		p := fmt.Sprintf("%s.node_ids[%d]", key, i)
		validatePrincipal(ps, p, "node", n)
		if seen[n.String()] {
			ps.errorf(p, "%s is listed twice; remove the duplicate", n)
		}
		seen[n.String()] = true
	}
}

func validateInstallCode(ps *problems, key string, a InstallCode) {
	if a.CanisterID == "" {
		ps.errorf(key+".canister_id", "required; give the textual id of the NNS canister, e.g. %s", RegistryCanisterID)
	} else if _, err := ParsePrincipal(a.CanisterID); err != nil {
		ps.errorf(key+".canister_id", "%q is not a valid canister id (%v); copy it exactly, checksum included", a.CanisterID, err)
	}
	if !a.InstallMode.Valid() {
		ps.errorf(key+".install_mode", "%s is not allowed; use upgrade (or install, reinstall)", a.InstallMode)
	}
	if a.CanisterID == RootCanisterID && a.InstallMode != InstallModeUpgrade {
		ps.errorf(key+".install_mode", "root can only be upgraded this way; use upgrade or HardResetNnsRootToVersion")
	}
	validateWasm(ps, key, a)
	if _, err := hex.DecodeString(strings.TrimSpace(a.ArgHex)); err != nil {
		ps.errorf(key+".arg_hex", "is not hex (%v); give the Candid-encoded argument as hex, or leave it empty", err)
	}
}

func validateWasm(ps *problems, key string, a InstallCode) {
	if a.WasmSHA256 != "" {
		validateSHA256(ps, key+".wasm_sha256", a.WasmSHA256)
	} else {
		ps.errorf(key+".wasm_sha256", "required; give the module's SHA-256 so voters and LoadDraft can check it")
	}
	switch {
	case a.WasmPath == "" && len(a.Wasm) == 0:
		ps.errorf(key+".wasm_path", "required; give the path of the wasm module (relative to the draft file)")
	case len(a.Wasm) == 0:
		ps.errorf(key+".wasm_path", "module not loaded; load the draft with LoadDraft so %s is read", a.WasmPath)
	case a.WasmSHA256 != "" && a.WasmHash() != a.WasmSHA256:
		ps.errorf(key+".wasm_sha256", "does not match the module (its SHA-256 is %s); rebuild or fix the hash", a.WasmHash())
	}
}

func validateMotion(ps *problems, key string, a Motion) {
	switch n := len(a.MotionText); {
	case strings.TrimSpace(a.MotionText) == "":
		ps.errorf(key+".motion_text", "required; state what the motion asks for")
	case n > MaxMotionTextBytes:
		ps.errorf(key+".motion_text", "is %d bytes; governance accepts at most %d", n, MaxMotionTextBytes)
	}
}
