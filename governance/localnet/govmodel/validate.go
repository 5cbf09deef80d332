package govmodel

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

// Limits of user-submitted proposal fields
// (rs/nns/governance/src/proposals/..., validate_user_submitted_proposal_fields).
const (
	titleBytesMin       = 5
	titleBytesMax       = 256
	summaryBytesMax     = 30000
	urlCharsMin         = 10
	urlCharsMax         = 2048
	motionTextBytesMax  = 10000
	allowedURLDomain    = "forum.dfinity.org"
	unsupportedByModel  = " proposals are not supported by the local network's governance model; use Motion, ExecuteNnsFunction or InstallCode"
	installCodeRequired = "InstallCode proposal invalid because of "
)

// protocolCanisters are the canisters whose InstallCode proposals fall under
// ProtocolCanisterManagement (install_code.rs PROTOCOL_CANISTER_IDS, with the
// mainnet ids of ic_nns_constants).
var protocolCanisters = map[string]bool{
	"rwlgt-iiaaa-aaaaa-aaaaa-cai": true, // registry
	"rrkah-fqaaa-aaaaa-aaaaq-cai": true, // governance
	"ryjl3-tyaaa-aaaaa-aaaba-cai": true, // ICP ledger
	"r7inp-6aaaa-aaaaa-aaabq-cai": true, // root
	"rkp4c-7iaaa-aaaaa-aaaca-cai": true, // cycles minting
	"rno2w-sqaaa-aaaaa-aaacq-cai": true, // lifeline
	"renrk-eyaaa-aaaaa-aaada-cai": true, // genesis token
	"qjdve-lqaaa-aaaaa-aaaeq-cai": true, // ICP ledger archive
	"qhbym-qaaaa-aaaaa-aaafq-cai": true, // ICP ledger index
	"qsgjb-riaaa-aaaaa-aaaga-cai": true, // ICP ledger archive 1
	"qvhpv-4qaaa-aaaaa-aaagq-cai": true, // subnet rental
	"uf6dk-hyaaa-aaaaq-qaaaq-cai": true, // exchange rate
	"ghsi2-tqaaa-aaaan-aaaca-cai": true, // bitcoin mainnet
	"g4xu7-jiaaa-aaaan-aaaaq-cai": true, // bitcoin testnet
	"um5iw-rqaaa-aaaaq-qaaba-cai": true, // cycles ledger
	"ul4oc-4iaaa-aaaaq-qaabq-cai": true, // cycles ledger index
}

// snsWasmCanister is SNS-W, whose upgrades are ServiceNervousSystemManagement.
const snsWasmCanister = "qaa6y-5yaaa-aaaaa-aaafa-cai"

// validated is a proposal that passed validation: the action as stored, what
// executing it does, and its topic.
type validated struct {
	action govdid.Action
	exec   execution
	topic  int32
}

// validateProposal checks a MakeProposalRequest as governance's
// validate_proposal does; failures are InvalidProposal errors.
func validateProposal(req *govdid.MakeProposalRequest) (validated, *govdid.GovernanceError) {
	if msg := validateFields(req); msg != "" {
		return validated{}, govErr(ErrorInvalidProposal, msg)
	}
	a := req.Action
	switch {
	case a == nil:
		return validated{}, govErr(ErrorInvalidProposal, "Proposal lacks an action")
	case a.Motion != nil:
		return validateMotion(a.Motion)
	case a.ExecuteNnsFunction != nil:
		return validateExecute(a.ExecuteNnsFunction)
	case a.InstallCode != nil:
		return validateInstallCode(a.InstallCode)
	}
	return validated{}, govErr(ErrorInvalidProposal, actionName(a)+unsupportedByModel)
}

// validateFields checks title, summary and url; "" means valid.
func validateFields(req *govdid.MakeProposalRequest) string {
	switch {
	case req.Title == nil:
		return "Proposal lacks a title"
	case len(*req.Title) < titleBytesMin:
		return fmt.Sprintf("Proposal title is too short (must be at least %d bytes)", titleBytesMin)
	case len(*req.Title) > titleBytesMax:
		return fmt.Sprintf("Proposal title is too long (can be at most %d bytes)", titleBytesMax)
	case len(req.Summary) > summaryBytesMax:
		return fmt.Sprintf("The maximum proposal summary size is %d bytes, this proposal is: %d bytes", summaryBytesMax, len(req.Summary))
	}
	return validateURL(req.Url)
}

// validateURL accepts an empty url or one that passes governance's
// validate_url (rs/nervous_system/common/validation) for field "Proposal
// url": 10 to 2048 bytes, https, no credentials, host forum.dfinity.org.
func validateURL(u string) string {
	const field = "Proposal url"
	switch {
	case u == "":
		return ""
	case len(u) > urlCharsMax:
		return fmt.Sprintf("%s must be less than %d characters long, but it is %d characters long. (Field was set to `%s`.)", field, urlCharsMax, len(u), u)
	case len(u) < urlCharsMin:
		return fmt.Sprintf("%s must be greater or equal to than %d characters long, but it is %d characters long. (Field was set to `%s`.)", field, urlCharsMin, len(u), u)
	case !strings.HasPrefix(u, "https://"):
		return fmt.Sprintf("%s must begin with https://. (Field was set to `%s`.)", field, u)
	case strings.Count(u, "://") > 1:
		return field + " contains an invalid sequence of characters"
	case strings.Contains(u, "@"):
		return field + " cannot contain authentication information"
	}
	host, _, _ := strings.Cut(strings.TrimPrefix(u, "https://"), "/")
	if host != allowedURLDomain {
		return fmt.Sprintf("%s was not in the list of allowed domains: [%q]", field, allowedURLDomain)
	}
	return ""
}

// validateMotion checks a Motion action (topic Governance).
func validateMotion(m *govdid.Motion) (validated, *govdid.GovernanceError) {
	if len(m.MotionText) > motionTextBytesMax {
		return validated{}, govErr(ErrorInvalidProposal, fmt.Sprintf(
			"The maximum motion text size in a proposal action is %d bytes, this motion text is: %d bytes",
			motionTextBytesMax, len(m.MotionText)))
	}
	return validated{
		action: govdid.Action{Motion: &govdid.Motion{MotionText: m.MotionText}},
		exec:   execution{motion: true},
		topic:  TopicGovernance,
	}, nil
}

// validateExecute checks an ExecuteNnsFunction action: a current function id
// and, unless the function takes large payloads, at most 70000 bytes.
func validateExecute(e *govdid.ExecuteNnsFunction) (validated, *govdid.GovernanceError) {
	f, msg := lookupNnsFunction(e.NnsFunction)
	if msg != "" {
		return validated{}, govErr(ErrorInvalidProposal, msg)
	}
	if !f.large && len(e.Payload) > maxExecutePayloadBytes {
		return validated{}, govErr(ErrorInvalidProposal, fmt.Sprintf(
			"The maximum NNS function payload size in a proposal action is %d bytes, this payload is: %d bytes",
			maxExecutePayloadBytes, len(e.Payload)))
	}
	payload := append([]byte{}, e.Payload...)
	return validated{
		action: govdid.Action{ExecuteNnsFunction: &govdid.ExecuteNnsFunction{NnsFunction: e.NnsFunction, Payload: payload}},
		exec:   execution{fn: e.NnsFunction, payload: payload},
		topic:  f.topic,
	}, nil
}

// validateInstallCode checks an InstallCode action: canister id, install
// mode 1-3 and wasm are required. The stored action keeps hashes only.
func validateInstallCode(r *govdid.InstallCodeRequest) (validated, *govdid.GovernanceError) {
	switch {
	case r.CanisterId == nil:
		return validated{}, govErr(ErrorInvalidProposal, installCodeRequired+"Canister ID is required")
	case r.InstallMode == nil:
		return validated{}, govErr(ErrorInvalidProposal, installCodeRequired+"Install mode is required")
	case *r.InstallMode < InstallModeInstall || *r.InstallMode > InstallModeUpgrade:
		return validated{}, govErr(ErrorInvalidProposal, installCodeRequired+"Unspecified or unrecognized install mode")
	case r.WasmModule == nil:
		return validated{}, govErr(ErrorInvalidProposal, installCodeRequired+"Wasm module is required")
	}
	var arg []byte
	if r.Arg != nil {
		arg = append(arg, *r.Arg...)
	}
	wasm := append([]byte{}, *r.WasmModule...)
	wasmHash := sha256.Sum256(wasm)
	wh, ah, mode, id := wasmHash[:], argHash(arg), *r.InstallMode, *r.CanisterId
	return validated{
		action: govdid.Action{InstallCode: &govdid.InstallCode{
			SkipStoppingBeforeInstalling: r.SkipStoppingBeforeInstalling,
			WasmModuleHash:               &wh,
			CanisterId:                   &id,
			ArgHash:                      &ah,
			InstallMode:                  &mode,
		}},
		exec:  execution{install: true, canister: id, mode: mode, wasm: wasm, arg: arg},
		topic: installTopic(id),
	}, nil
}

// argHash is the stored arg_hash: the SHA-256 of a non-empty arg, and empty
// for an empty arg (as InstallCodeRequest's conversion in governance does).
func argHash(arg []byte) []byte {
	if len(arg) == 0 {
		return []byte{}
	}
	h := sha256.Sum256(arg)
	return h[:]
}

// installTopic is the topic of an InstallCode proposal for canister id.
func installTopic(id principal.Principal) int32 {
	s := id.String()
	switch {
	case protocolCanisters[s]:
		return TopicProtocolCanisterManagement
	case s == snsWasmCanister:
		return TopicServiceNervousSystemManagement
	}
	return TopicApplicationCanisterManagement
}

// actionName names the variant set in a ProposalActionRequest.
func actionName(a *govdid.ProposalActionRequest) string {
	names := []struct {
		set  bool
		name string
	}{
		{a.RegisterKnownNeuron != nil, "RegisterKnownNeuron"},
		{a.DeregisterKnownNeuron != nil, "DeregisterKnownNeuron"},
		{a.ManageNeuron != nil, "ManageNeuron"},
		{a.UpdateCanisterSettings != nil, "UpdateCanisterSettings"},
		{a.StopOrStartCanister != nil, "StopOrStartCanister"},
		{a.CreateServiceNervousSystem != nil, "CreateServiceNervousSystem"},
		{a.RewardNodeProvider != nil, "RewardNodeProvider"},
		{a.RewardNodeProviders != nil, "RewardNodeProviders"},
		{a.ManageNetworkEconomics != nil, "ManageNetworkEconomics"},
		{a.ApproveGenesisKyc != nil, "ApproveGenesisKyc"},
		{a.AddOrRemoveNodeProvider != nil, "AddOrRemoveNodeProvider"},
		{a.FulfillSubnetRentalRequest != nil, "FulfillSubnetRentalRequest"},
		{a.BlessAlternativeGuestOsVersion != nil, "BlessAlternativeGuestOsVersion"},
		{a.TakeCanisterSnapshot != nil, "TakeCanisterSnapshot"},
		{a.LoadCanisterSnapshot != nil, "LoadCanisterSnapshot"},
		{a.CreateCanisterAndInstallCode != nil, "CreateCanisterAndInstallCode"},
	}
	for _, n := range names {
		if n.set {
			return n.name
		}
	}
	return "Unknown"
}
