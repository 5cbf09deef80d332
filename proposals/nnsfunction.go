package proposals

import (
	"fmt"
	"strings"
)

// NnsFunction is the `nns_function` id of an ExecuteNnsFunction proposal
// action (governance.did `ExecuteNnsFunction.nns_function`, an int32).
type NnsFunction int32

// The NnsFunction ids as numbered by NNS governance (domain.md §1.1).
const (
	FnUnspecified                                  NnsFunction = 0
	FnCreateSubnet                                 NnsFunction = 1
	FnAddNodeToSubnet                              NnsFunction = 2
	FnNnsCanisterInstall                           NnsFunction = 3
	FnNnsCanisterUpgrade                           NnsFunction = 4
	FnBlessReplicaVersion                          NnsFunction = 5
	FnRecoverSubnet                                NnsFunction = 6
	FnUpdateConfigOfSubnet                         NnsFunction = 7
	FnAssignNoid                                   NnsFunction = 8
	FnNnsRootUpgrade                               NnsFunction = 9
	FnIcpXdrConversionRate                         NnsFunction = 10
	FnDeployGuestosToAllSubnetNodes                NnsFunction = 11
	FnClearProvisionalWhitelist                    NnsFunction = 12
	FnRemoveNodesFromSubnet                        NnsFunction = 13
	FnSetAuthorizedSubnetworks                     NnsFunction = 14
	FnSetFirewallConfig                            NnsFunction = 15
	FnUpdateNodeOperatorConfig                     NnsFunction = 16
	FnStopOrStartNnsCanister                       NnsFunction = 17
	FnRemoveNodes                                  NnsFunction = 18
	FnUninstallCode                                NnsFunction = 19
	FnUpdateNodeRewardsTable                       NnsFunction = 20
	FnAddOrRemoveDataCenters                       NnsFunction = 21
	FnUpdateUnassignedNodesConfig                  NnsFunction = 22
	FnRemoveNodeOperators                          NnsFunction = 23
	FnRerouteCanisterRanges                        NnsFunction = 24
	FnAddFirewallRules                             NnsFunction = 25
	FnRemoveFirewallRules                          NnsFunction = 26
	FnUpdateFirewallRules                          NnsFunction = 27
	FnPrepareCanisterMigration                     NnsFunction = 28
	FnCompleteCanisterMigration                    NnsFunction = 29
	FnAddSnsWasm                                   NnsFunction = 30
	FnChangeSubnetMembership                       NnsFunction = 31
	FnUpdateSubnetType                             NnsFunction = 32
	FnChangeSubnetTypeAssignment                   NnsFunction = 33
	FnUpdateSnsWasmSnsSubnetIds                    NnsFunction = 34
	FnUpdateAllowedPrincipals                      NnsFunction = 35
	FnRetireReplicaVersion                         NnsFunction = 36
	FnInsertSnsWasmUpgradePathEntries              NnsFunction = 37
	FnReviseElectedGuestosVersions                 NnsFunction = 38
	FnBitcoinSetConfig                             NnsFunction = 39
	FnUpdateElectedHostosVersions                  NnsFunction = 40
	FnUpdateNodesHostosVersion                     NnsFunction = 41
	FnHardResetNnsRootToVersion                    NnsFunction = 42
	FnAddAPIBoundaryNodes                          NnsFunction = 43
	FnRemoveAPIBoundaryNodes                       NnsFunction = 44
	FnUpdateAPIBoundaryNodeDomain                  NnsFunction = 45
	FnUpdateAPIBoundaryNodesVersion                NnsFunction = 46
	FnDeployGuestosToSomeAPIBoundaryNodes          NnsFunction = 47
	FnDeployGuestosToAllUnassignedNodes            NnsFunction = 48
	FnUpdateSSHReadOnlyAccessForAllUnassignedNodes NnsFunction = 49
	FnReviseElectedHostosVersions                  NnsFunction = 50
	FnDeployHostosToSomeNodes                      NnsFunction = 51
	FnSubnetRentalRequest                          NnsFunction = 52
	FnPauseCanisterMigrations                      NnsFunction = 53
	FnUnpauseCanisterMigrations                    NnsFunction = 54
	FnSetSubnetOperationalLevel                    NnsFunction = 55
)

// fnNames holds the current name of every known id, indexed by id.
var fnNames = [...]string{
	"Unspecified", "CreateSubnet", "AddNodeToSubnet", "NnsCanisterInstall",
	"NnsCanisterUpgrade", "BlessReplicaVersion", "RecoverSubnet",
	"UpdateConfigOfSubnet", "AssignNoid", "NnsRootUpgrade",
	"IcpXdrConversionRate", "DeployGuestosToAllSubnetNodes",
	"ClearProvisionalWhitelist", "RemoveNodesFromSubnet",
	"SetAuthorizedSubnetworks", "SetFirewallConfig", "UpdateNodeOperatorConfig",
	"StopOrStartNnsCanister", "RemoveNodes", "UninstallCode",
	"UpdateNodeRewardsTable", "AddOrRemoveDataCenters",
	"UpdateUnassignedNodesConfig", "RemoveNodeOperators",
	"RerouteCanisterRanges", "AddFirewallRules", "RemoveFirewallRules",
	"UpdateFirewallRules", "PrepareCanisterMigration",
	"CompleteCanisterMigration", "AddSnsWasm", "ChangeSubnetMembership",
	"UpdateSubnetType", "ChangeSubnetTypeAssignment",
	"UpdateSnsWasmSnsSubnetIds", "UpdateAllowedPrincipals",
	"RetireReplicaVersion", "InsertSnsWasmUpgradePathEntries",
	"ReviseElectedGuestosVersions", "BitcoinSetConfig",
	"UpdateElectedHostosVersions", "UpdateNodesHostosVersion",
	"HardResetNnsRootToVersion", "AddApiBoundaryNodes",
	"RemoveApiBoundaryNodes", "UpdateApiBoundaryNodeDomain",
	"UpdateApiBoundaryNodesVersion", "DeployGuestosToSomeApiBoundaryNodes",
	"DeployGuestosToAllUnassignedNodes",
	"UpdateSshReadOnlyAccessForAllUnassignedNodes",
	"ReviseElectedHostosVersions", "DeployHostosToSomeNodes",
	"SubnetRentalRequest", "PauseCanisterMigrations",
	"UnpauseCanisterMigrations", "SetSubnetOperationalLevel",
}

// fnOldNames maps ids that were renamed (same number, new name) to the name
// they had before; historical proposals and older tools use the old one.
var fnOldNames = map[NnsFunction]string{
	FnDeployGuestosToAllSubnetNodes: "UpdateSubnetReplicaVersion",
	FnReviseElectedGuestosVersions:  "UpdateElectedReplicaVersions",
}

// fnObsolete maps the ids NNS governance now refuses at submission to what
// replaces them (domain.md §1.2, execute_nns_function.rs).
var fnObsolete = map[NnsFunction]string{
	FnUnspecified:                   "a specific NNS function",
	FnNnsCanisterUpgrade:            "the InstallCode proposal action (kind upgrade-canister)",
	FnBlessReplicaVersion:           "ReviseElectedGuestosVersions (kind elect-guestos)",
	FnNnsRootUpgrade:                "the InstallCode proposal action (kind upgrade-canister)",
	FnIcpXdrConversionRate:          "nothing: the exchange-rate canister sets the rate",
	FnStopOrStartNnsCanister:        "the StopOrStartCanister proposal action",
	FnUpdateUnassignedNodesConfig:   "DeployGuestosToAllUnassignedNodes (kind deploy-unassigned) or UpdateSshReadOnlyAccessForAllUnassignedNodes",
	FnUpdateAllowedPrincipals:       "the CreateServiceNervousSystem proposal action",
	FnRetireReplicaVersion:          "ReviseElectedGuestosVersions (kind elect-guestos)",
	FnUpdateElectedHostosVersions:   "ReviseElectedHostosVersions (kind elect-hostos)",
	FnUpdateNodesHostosVersion:      "DeployHostosToSomeNodes (kind deploy-hostos)",
	FnUpdateAPIBoundaryNodesVersion: "DeployGuestosToSomeApiBoundaryNodes",
}

// Known reports whether fn is an id this build knows a name for.
func (fn NnsFunction) Known() bool {
	return fn >= 0 && int(fn) < len(fnNames)
}

// Name returns the current name of fn, e.g. "ReviseElectedGuestosVersions",
// or "NnsFunction(<id>)" for an id this build does not know.
func (fn NnsFunction) Name() string {
	if !fn.Known() {
		return fmt.Sprintf("NnsFunction(%d)", int32(fn))
	}
	return fnNames[fn]
}

// String implements fmt.Stringer as "<Name> (<id>)".
func (fn NnsFunction) String() string {
	return fmt.Sprintf("%s (%d)", fn.Name(), int32(fn))
}

// OldName returns the name fn had before it was renamed, or "" when it was
// never renamed.
func (fn NnsFunction) OldName() string {
	return fnOldNames[fn]
}

// WireName returns the protobuf enum name governance uses in messages,
// e.g. "NNS_FUNCTION_REVISE_ELECTED_GUESTOS_VERSIONS".
func (fn NnsFunction) WireName() string {
	return "NNS_FUNCTION_" + toSnake(fn.Name())
}

// Obsolete reports whether governance refuses fn at submission; replacement
// says what to use instead.
func (fn NnsFunction) Obsolete() (replacement string, obsolete bool) {
	replacement, obsolete = fnObsolete[fn]
	return replacement, obsolete
}

// NnsFunctionByName looks up an id by its current or old name, ignoring case,
// and also accepts the wire form ("NNS_FUNCTION_…") and a decimal id.
func NnsFunctionByName(name string) (NnsFunction, bool) {
	n := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(name)), "NNS_FUNCTION_")
	n = strings.ReplaceAll(n, "_", "")
	for i, cur := range fnNames {
		fn := NnsFunction(i)
		if strings.EqualFold(cur, n) || (fn.OldName() != "" && strings.EqualFold(fn.OldName(), n)) {
			return fn, true
		}
	}
	var id int32
	if _, err := fmt.Sscanf(name, "%d", &id); err == nil && fmt.Sprint(id) == strings.TrimSpace(name) {
		return NnsFunction(id), NnsFunction(id).Known()
	}
	return 0, false
}

// toSnake turns "DeployGuestosToAllSubnetNodes" into
// "DEPLOY_GUESTOS_TO_ALL_SUBNET_NODES".
func toSnake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}

// CheckFunction returns nil when governance accepts proposals executing fn,
// and otherwise an error saying why and what to use instead: an unknown id,
// or an obsolete one (wrapping ErrObsoleteFunction).
func CheckFunction(fn NnsFunction) error {
	if !fn.Known() {
		return fmt.Errorf("nns_function %d is not a known NNS function id; use one of 1..%d", int32(fn), len(fnNames)-1)
	}
	if repl, obsolete := fn.Obsolete(); obsolete {
		return fmt.Errorf("nns_function %s: %w: governance refuses it, use %s instead", fn, ErrObsoleteFunction, repl)
	}
	return nil
}
