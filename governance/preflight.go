package governance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/proposals"
)

// ErrPreflight reports that one or more preflight checks failed.
var ErrPreflight = errors.New("preflight failed")

// checkNeuron names the check that the identity controls the neuron.
const checkNeuron = "neuron"

// Check is one preflight check and its result.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// PreflightError lists every failed check. It matches ErrPreflight.
type PreflightError struct {
	Failed []Check
}

// Error implements error.
func (e *PreflightError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "preflight failed: %d check(s)", len(e.Failed))
	for _, c := range e.Failed {
		fmt.Fprintf(&b, "\n  ✗ %s: %s", c.Name, c.Detail)
	}
	return b.String()
}

// Is reports whether target is ErrPreflight, or ErrNeuronNotControlled
// when the neuron check is among the failures (the more specific cause:
// no other check matters until the identity can act for the neuron).
func (e *PreflightError) Is(target error) bool {
	switch target {
	case ErrPreflight:
		return true
	case ErrNeuronNotControlled:
		return slices.ContainsFunc(e.Failed, func(c Check) bool { return c.Name == checkNeuron })
	}
	return false
}

// Preflight is the outcome of checking a proposal before submitting it.
type Preflight struct {
	// Checks are every check run, in order.
	Checks []Check `json:"checks"`
	// Existing is the id of an open or adopted proposal with the same
	// action, or of an executed one whose effect is still in place (0 if
	// none): submitting again would duplicate it.
	Existing uint64 `json:"existing,omitempty"`
	// PayloadSHA256 is the hex SHA-256 of the action's payload bytes.
	PayloadSHA256 string `json:"payload_sha256,omitempty"`
}

// Err returns a *PreflightError when any check failed, else nil.
func (p *Preflight) Err() error {
	var failed []Check
	for _, c := range p.Checks {
		if !c.OK {
			failed = append(failed, c)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return &PreflightError{Failed: failed}
}

func (p *Preflight) add(name string, ok bool, format string, args ...any) {
	p.Checks = append(p.Checks, Check{Name: name, OK: ok, Detail: fmt.Sprintf(format, args...)})
}

// Preflight checks req against live governance and the registry: the
// neuron is controlled by the identity and can pay the reject cost, the
// payload makes sense for the current registry, and no twin exists: an open
// or adopted proposal with the same action, or an executed one whose effect
// the registry still shows. It never submits anything.
func (c *Client) Preflight(ctx context.Context, neuron uint64, req govdid.MakeProposalRequest) (*Preflight, error) {
	p := &Preflight{}
	if fn := execFn(req); fn != nil {
		sum := sha256.Sum256(fn.Payload)
		p.PayloadSHA256 = hex.EncodeToString(sum[:])
	}
	if err := c.checkNeuron(ctx, p, neuron); err != nil {
		return nil, err
	}
	var reg *Registry
	if fn := execFn(req); fn != nil {
		var err error
		if reg, err = c.Registry(ctx); err != nil {
			return nil, err
		}
		checkPayload(p, reg, fn)
		if err := c.checkOpenDeploys(ctx, p, fn); err != nil {
			return nil, err
		}
	}
	existing, err := c.findTwin(ctx, req, reg)
	if err != nil {
		return nil, err
	}
	p.Existing = existing
	return p, nil
}

func execFn(req govdid.MakeProposalRequest) *govdid.ExecuteNnsFunction {
	if req.Action == nil {
		return nil
	}
	return req.Action.ExecuteNnsFunction
}

func (c *Client) checkNeuron(ctx context.Context, p *Preflight, neuron uint64) error {
	nc, err := c.Neuron(ctx, neuron)
	if errors.Is(err, ErrNeuronNotControlled) {
		p.add(checkNeuron, false, "identity %s neither controls neuron %d nor is its hotkey", c.Sender().Encode(), neuron)
		return nil
	}
	if err != nil {
		return err
	}
	role := "controller"
	if !nc.Controller {
		role = "hotkey"
	}
	p.add(checkNeuron, true, "identity is the %s of neuron %d", role, neuron)
	cost, err := c.RejectCost(ctx)
	if err != nil {
		return err
	}
	p.add("reject cost", nc.StakeE8s >= cost, "neuron stake %s ICP, reject cost %s ICP", icp(nc.StakeE8s), icp(cost))
	return nil
}

func icp(e8s uint64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%d.%08d", e8s/1e8, e8s%1e8), "0"), ".")
}

// checkPayload runs the registry checks of the IC OS functions.
func checkPayload(p *Preflight, reg *Registry, fn *govdid.ExecuteNnsFunction) {
	a, err := proposals.DecodePayload(fn.NnsFunction, fn.Payload)
	if errors.Is(err, proposals.ErrUnknownFunction) {
		return
	}
	if err != nil {
		p.add("payload", false, "%v", err)
		return
	}
	switch a := a.(type) {
	case proposals.ReviseElectedGuestosVersions:
		checkElectGuestOS(p, reg, a)
	case proposals.DeployGuestosToAllSubnetNodes:
		checkGuestOSElected(p, reg, a.ReplicaVersionID)
		_, ok := reg.SubnetByID(a.SubnetID.Encode())
		detail := "is in the registry"
		if !ok {
			detail = "is not in the registry; check the id with `nnspatch subnets`"
		}
		p.add("subnet exists", ok, "subnet %s %s", a.SubnetID.Encode(), detail)
	case proposals.DeployGuestosToAllUnassignedNodes:
		checkGuestOSElected(p, reg, a.ElectedReplicaVersion)
	case proposals.ReviseElectedHostosVersions:
		checkElectHostOS(p, reg, a)
	case proposals.DeployHostosToSomeNodes:
		if a.HostosVersionID != nil {
			_, ok := reg.HostOSByID(*a.HostosVersionID)
			p.add("version elected", ok, "HostOS %s %s", *a.HostosVersionID, electedDetail(ok))
		}
	}
}

func checkGuestOSElected(p *Preflight, reg *Registry, v string) {
	_, ok := reg.GuestOSByID(v)
	p.add("version elected", ok, "GuestOS %s %s", v, electedDetail(ok))
}

func electedDetail(ok bool) string {
	if ok {
		return "is elected"
	}
	return "is not elected; it must be elected before it is deployed"
}

func notElectedDetail(elected bool) string {
	if elected {
		return "is already elected"
	}
	return "is not elected yet"
}

func checkElectGuestOS(p *Preflight, reg *Registry, a proposals.ReviseElectedGuestosVersions) {
	if v := a.ReplicaVersionToElect; v != nil {
		_, elected := reg.GuestOSByID(*v)
		p.add("not yet elected", !elected, "GuestOS %s %s", *v, notElectedDetail(elected))
	}
	for _, v := range a.ReplicaVersionsToUnelect {
		if _, ok := reg.GuestOSByID(v); !ok {
			p.add("unelect "+v, false, "GuestOS %s is not elected", v)
			continue
		}
		subnets, unassigned, apiBNs := reg.GuestOSInUse(v)
		var use []string
		if len(subnets) > 0 {
			use = append(use, "subnets "+strings.Join(subnets, ", "))
		}
		if unassigned {
			use = append(use, "the unassigned nodes")
		}
		if len(apiBNs) > 0 {
			use = append(use, "API boundary nodes "+strings.Join(apiBNs, ", "))
		}
		if len(use) > 0 {
			p.add("unelect "+v, false, "GuestOS %s is in use by %s", v, strings.Join(use, "; "))
		} else {
			p.add("unelect "+v, true, "GuestOS %s is not in use", v)
		}
	}
}

func checkElectHostOS(p *Preflight, reg *Registry, a proposals.ReviseElectedHostosVersions) {
	if v := a.HostosVersionToElect; v != nil {
		_, elected := reg.HostOSByID(*v)
		p.add("not yet elected", !elected, "HostOS %s %s", *v, notElectedDetail(elected))
	}
	for _, v := range a.HostosVersionsToUnelect {
		h, ok := reg.HostOSByID(v)
		switch {
		case !ok:
			p.add("unelect "+v, false, "HostOS %s is not elected", v)
		case h.Nodes > 0:
			p.add("unelect "+v, false, "HostOS %s is in use by %d node(s)", v, h.Nodes)
		default:
			p.add("unelect "+v, true, "HostOS %s is not in use", v)
		}
	}
}

// checkOpenDeploys fails the unelection of a version that an open (or
// adopted, not yet executed) deployment proposal targets: executing the
// unelection first would make that deploy fail.
func (c *Client) checkOpenDeploys(ctx context.Context, p *Preflight, fn *govdid.ExecuteNnsFunction) error {
	a, err := proposals.DecodePayload(fn.NnsFunction, fn.Payload)
	if err != nil {
		return nil
	}
	var unelect []string
	switch a := a.(type) {
	case proposals.ReviseElectedGuestosVersions:
		unelect = a.ReplicaVersionsToUnelect
	case proposals.ReviseElectedHostosVersions:
		unelect = a.HostosVersionsToUnelect
	}
	if len(unelect) == 0 {
		return nil
	}
	open, err := c.openDeploys(ctx)
	if err != nil {
		return err
	}
	for _, v := range unelect {
		for _, d := range open[v] {
			p.add("unelect "+v, false, "version %s is the target of open deploy proposal %d (%s); it would fail once the version is unelected: let it settle or reject it first", v, d.id, d.target)
		}
	}
	return nil
}

// openDeploy is an open deployment proposal's id and target.
type openDeploy struct {
	id     uint64
	target string
}

// openDeploys lists the open and adopted deployment proposals by the
// version they deploy (GuestOS and HostOS).
func (c *Client) openDeploys(ctx context.Context) (map[string][]openDeploy, error) {
	ps, err := c.ListProposals(ctx, ListOptions{Topics: []Topic{TopicIcOsVersionDeployment}, Statuses: []Status{StatusOpen, StatusAdopted}, All: true})
	if err != nil {
		return nil, err
	}
	out := map[string][]openDeploy{}
	for _, pr := range ps {
		if pr.Action.Kind != "ExecuteNnsFunction" {
			continue
		}
		if len(pr.Action.Payload) == 0 {
			full, err := c.GetProposal(ctx, pr.ID)
			if err != nil {
				return nil, err
			}
			pr = *full
		}
		a, err := proposals.DecodePayload(pr.Action.NNSFunction, pr.Action.Payload)
		if err != nil {
			continue
		}
		switch a := a.(type) {
		case proposals.DeployGuestosToAllSubnetNodes:
			out[a.ReplicaVersionID] = append(out[a.ReplicaVersionID], openDeploy{pr.ID, "subnet " + a.SubnetID.Encode()})
		case proposals.DeployGuestosToAllUnassignedNodes:
			out[a.ElectedReplicaVersion] = append(out[a.ElectedReplicaVersion], openDeploy{pr.ID, "the unassigned nodes"})
		case proposals.DeployHostosToSomeNodes:
			if a.HostosVersionID != nil {
				out[*a.HostosVersionID] = append(out[*a.HostosVersionID], openDeploy{pr.ID, fmt.Sprintf("%d node(s)", len(a.NodeIDs))})
			}
		}
	}
	return out, nil
}
