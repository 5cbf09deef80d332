package proposals

import (
	"fmt"

	"github.com/nnspatch/nnspatch/governance/govdid"
)

// SchemaVersion is the draft file schema this build reads and writes.
const SchemaVersion = 1

// Draft is one proposal as nnspatch drafts it: the texts voters read and
// exactly one typed action, the one Kind selects. It is pure data; Validate
// says whether it can be submitted and Request turns it into the governance
// MakeProposalRequest.
type Draft struct {
	// SchemaVersion is the draft file schema (SchemaVersion).
	SchemaVersion int `json:"schema_version" yaml:"schema_version"`
	// Kind selects the action.
	Kind Kind `json:"kind" yaml:"kind"`
	// Mode is regular or security (withheld-source security patch).
	Mode Mode `json:"mode" yaml:"mode"`
	// Title is the proposal title, 5–256 bytes.
	Title string `json:"title" yaml:"title"`
	// Summary is the markdown summary, at most 30000 bytes.
	Summary string `json:"summary" yaml:"summary"`
	// URL is empty or a https://forum.dfinity.org/ link.
	URL string `json:"url" yaml:"url"`
	// LaunchMeasurementsWaiver, when not empty, is the reason a GuestOS
	// election deliberately carries no launch measurements.
	LaunchMeasurementsWaiver string `json:"launch_measurements_waiver,omitempty" yaml:"launch_measurements_waiver,omitempty"`

	// ElectGuestOS is the action of kind elect-guestos.
	ElectGuestOS *ReviseElectedGuestosVersions `json:"elect_guestos,omitempty" yaml:"elect_guestos,omitempty"`
	// DeployGuestOS is the action of kind deploy-guestos.
	DeployGuestOS *DeployGuestosToAllSubnetNodes `json:"deploy_guestos,omitempty" yaml:"deploy_guestos,omitempty"`
	// DeployUnassigned is the action of kind deploy-unassigned.
	DeployUnassigned *DeployGuestosToAllUnassignedNodes `json:"deploy_unassigned,omitempty" yaml:"deploy_unassigned,omitempty"`
	// DeployAPIBoundaryNodes is the action of kind deploy-api-boundary-nodes.
	DeployAPIBoundaryNodes *DeployGuestosToSomeAPIBoundaryNodes `json:"deploy_api_boundary_nodes,omitempty" yaml:"deploy_api_boundary_nodes,omitempty"`
	// ElectHostOS is the action of kind elect-hostos.
	ElectHostOS *ReviseElectedHostosVersions `json:"elect_hostos,omitempty" yaml:"elect_hostos,omitempty"`
	// DeployHostOS is the action of kind deploy-hostos.
	DeployHostOS *DeployHostosToSomeNodes `json:"deploy_hostos,omitempty" yaml:"deploy_hostos,omitempty"`
	// UpgradeCanister is the action of kind upgrade-canister.
	UpgradeCanister *InstallCode `json:"upgrade_canister,omitempty" yaml:"upgrade_canister,omitempty"`
	// Motion is the action of kind motion.
	Motion *Motion `json:"motion,omitempty" yaml:"motion,omitempty"`
}

// DefaultDraft returns the defaults every draft starts from: the current
// schema, a GuestOS election in regular mode, no texts and no action yet.
func DefaultDraft() Draft {
	return Draft{
		SchemaVersion: SchemaVersion,
		Kind:          KindElectGuestOS,
		Mode:          ModeRegular,
	}
}

// actionFields lists, per kind, the YAML key of its action and whether the
// draft has it set.
func (d Draft) actionFields() []struct {
	kind Kind
	key  string
	set  bool
} {
	return []struct {
		kind Kind
		key  string
		set  bool
	}{
		{KindElectGuestOS, "elect_guestos", d.ElectGuestOS != nil},
		{KindDeployGuestOS, "deploy_guestos", d.DeployGuestOS != nil},
		{KindDeployUnassigned, "deploy_unassigned", d.DeployUnassigned != nil},
		{KindDeployAPIBoundaryNodes, "deploy_api_boundary_nodes", d.DeployAPIBoundaryNodes != nil},
		{KindElectHostOS, "elect_hostos", d.ElectHostOS != nil},
		{KindDeployHostOS, "deploy_hostos", d.DeployHostOS != nil},
		{KindUpgradeCanister, "upgrade_canister", d.UpgradeCanister != nil},
		{KindMotion, "motion", d.Motion != nil},
	}
}

// ActionKey returns the draft file key holding the action of kind k, e.g.
// "elect_guestos".
func ActionKey(k Kind) string {
	for _, f := range (Draft{}).actionFields() {
		if f.kind == k {
			return f.key
		}
	}
	return ""
}

// Action returns the typed action selected by d.Kind, or an error naming the
// missing key.
func (d Draft) Action() (Action, error) {
	var a Action
	switch d.Kind {
	case KindElectGuestOS:
		a = ptrAction(d.ElectGuestOS)
	case KindDeployGuestOS:
		a = ptrAction(d.DeployGuestOS)
	case KindDeployUnassigned:
		a = ptrAction(d.DeployUnassigned)
	case KindDeployAPIBoundaryNodes:
		a = ptrAction(d.DeployAPIBoundaryNodes)
	case KindElectHostOS:
		a = ptrAction(d.ElectHostOS)
	case KindDeployHostOS:
		a = ptrAction(d.DeployHostOS)
	case KindUpgradeCanister:
		a = ptrAction(d.UpgradeCanister)
	case KindMotion:
		a = ptrAction(d.Motion)
	default:
		return nil, fmt.Errorf("kind: unknown kind %q: use one of %s", d.Kind, joinKinds())
	}
	if a == nil {
		return nil, fmt.Errorf("%s: missing: a draft of kind %s needs this section", ActionKey(d.Kind), d.Kind)
	}
	return a, nil
}

// ptrAction dereferences p, mapping nil to a nil Action.
func ptrAction[T Action](p *T) Action {
	if p == nil {
		return nil
	}
	return *p
}

// Payload returns the NNS function id and Candid payload of an
// ExecuteNnsFunction draft; ErrNotNnsFunction for upgrade-canister and
// motion.
func (d Draft) Payload() (fn int32, payload []byte, err error) {
	a, err := d.Action()
	if err != nil {
		return 0, nil, err
	}
	fp, ok := a.(FunctionPayload)
	if !ok {
		return 0, nil, fmt.Errorf("payload of kind %s: %w", d.Kind, ErrNotNnsFunction)
	}
	b, err := EncodePayload(fp)
	if err != nil {
		return 0, nil, err
	}
	return int32(fp.NnsFunction()), b, nil
}

// Request builds the MakeProposalRequest governance expects in
// manage_neuron's MakeProposal command. It does not validate; call Validate
// first (or use ValidRequest).
func (d Draft) Request() (govdid.MakeProposalRequest, error) {
	action, err := d.actionRequest()
	if err != nil {
		return govdid.MakeProposalRequest{}, err
	}
	title := d.Title
	return govdid.MakeProposalRequest{
		Url: d.URL, Title: &title, Summary: d.Summary, Action: action,
	}, nil
}

// ValidRequest validates d with p and returns the request only when no
// error-severity problem was found; otherwise an *InvalidError, or an error
// wrapping ErrChecksumMismatch when the wasm module of a canister upgrade is
// not the one the draft declares.
func ValidRequest(d Draft, p Policy) (govdid.MakeProposalRequest, error) {
	if d.Kind == KindUpgradeCanister && d.UpgradeCanister != nil {
		if err := d.UpgradeCanister.VerifyWasm(); err != nil {
			return govdid.MakeProposalRequest{}, err
		}
	}
	if probs := ValidateWith(d, p); HasErrors(probs) {
		return govdid.MakeProposalRequest{}, &InvalidError{Problems: probs}
	}
	return d.Request()
}

func (d Draft) actionRequest() (*govdid.ProposalActionRequest, error) {
	a, err := d.Action()
	if err != nil {
		return nil, err
	}
	switch a := a.(type) {
	case Motion:
		return &govdid.ProposalActionRequest{Motion: &govdid.Motion{MotionText: a.MotionText}}, nil
	case InstallCode:
		req, err := a.Request()
		if err != nil {
			return nil, err
		}
		return &govdid.ProposalActionRequest{InstallCode: &req}, nil
	}
	fn, payload, err := d.Payload()
	if err != nil {
		return nil, err
	}
	return &govdid.ProposalActionRequest{
		ExecuteNnsFunction: &govdid.ExecuteNnsFunction{NnsFunction: fn, Payload: payload},
	}, nil
}

// Topic returns the topic governance will file the draft under.
func (d Draft) Topic() Topic {
	switch d.Kind {
	case KindMotion:
		return TopicGovernance
	case KindUpgradeCanister:
		if d.UpgradeCanister != nil {
			return TopicOfCanister(d.UpgradeCanister.CanisterID)
		}
		return TopicProtocolCanisterManagement
	}
	fn, _ := d.Kind.NnsFunction()
	return TopicOf(fn)
}
