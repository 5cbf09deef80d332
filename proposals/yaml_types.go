package proposals

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/aviate-labs/agent-go/principal"
	"gopkg.in/yaml.v3"
)

// nodeError is a decoding problem tied to a YAML node; ParseDraft turns it
// into a *FileError with the line.
type nodeError struct {
	line int
	key  string
	err  error
}

// Error formats the line, key and cause.
func (e *nodeError) Error() string { return fmt.Sprintf("line %d: %s: %v", e.line, e.key, e.err) }

// decodePrincipal reads a textual principal from a scalar node.
func decodePrincipal(n *yaml.Node, key string) (principal.Principal, error) {
	if n.Kind != yaml.ScalarNode {
		return principal.Principal{}, &nodeError{n.Line, key, fmt.Errorf("want a textual principal like tdb26-jop6k-…")}
	}
	p, err := ParsePrincipal(strings.TrimSpace(n.Value))
	if err != nil {
		return principal.Principal{}, &nodeError{n.Line, key, fmt.Errorf("%q is not a valid principal (%v); copy the id exactly", n.Value, err)}
	}
	return p, nil
}

// MarshalYAML writes the subnet id as text.
func (a DeployGuestosToAllSubnetNodes) MarshalYAML() (any, error) {
	return struct {
		SubnetID         string `yaml:"subnet_id"`
		ReplicaVersionID string `yaml:"replica_version_id"`
	}{principalText(a.SubnetID), a.ReplicaVersionID}, nil
}

// UnmarshalYAML reads the subnet id as text.
func (a *DeployGuestosToAllSubnetNodes) UnmarshalYAML(n *yaml.Node) error {
	var raw struct {
		SubnetID         yaml.Node `yaml:"subnet_id"`
		ReplicaVersionID string    `yaml:"replica_version_id"`
	}
	if err := n.Decode(&raw); err != nil {
		return err
	}
	a.ReplicaVersionID = raw.ReplicaVersionID
	if raw.SubnetID.Kind == 0 || raw.SubnetID.Value == "" {
		return nil // Validate reports the missing id
	}
	p, err := decodePrincipal(&raw.SubnetID, "deploy_guestos.subnet_id")
	a.SubnetID = p
	return err
}

// MarshalYAML writes the node ids as text.
func (a DeployGuestosToSomeAPIBoundaryNodes) MarshalYAML() (any, error) {
	ids := []string{}
	for _, n := range a.NodeIDs {
		ids = append(ids, principalText(n))
	}
	return struct {
		Version string   `yaml:"version"`
		NodeIDs []string `yaml:"node_ids"`
	}{a.Version, ids}, nil
}

// UnmarshalYAML reads the node ids as text.
func (a *DeployGuestosToSomeAPIBoundaryNodes) UnmarshalYAML(n *yaml.Node) error {
	var raw struct {
		Version string      `yaml:"version"`
		NodeIDs []yaml.Node `yaml:"node_ids"`
	}
	if err := n.Decode(&raw); err != nil {
		return err
	}
	a.Version, a.NodeIDs = raw.Version, nil
	for i := range raw.NodeIDs {
		p, err := decodePrincipal(&raw.NodeIDs[i], fmt.Sprintf("deploy_api_boundary_nodes.node_ids[%d]", i))
		if err != nil {
			return err
		}
		a.NodeIDs = append(a.NodeIDs, p)
	}
	return nil
}

// MarshalYAML writes the node ids as text.
func (a DeployHostosToSomeNodes) MarshalYAML() (any, error) {
	ids := []string{}
	for _, n := range a.NodeIDs {
		ids = append(ids, principalText(n))
	}
	return struct {
		HostosVersionID *string  `yaml:"hostos_version_id,omitempty"`
		NodeIDs         []string `yaml:"node_ids"`
	}{a.HostosVersionID, ids}, nil
}

// UnmarshalYAML reads the node ids as text.
func (a *DeployHostosToSomeNodes) UnmarshalYAML(n *yaml.Node) error {
	var raw struct {
		HostosVersionID *string     `yaml:"hostos_version_id"`
		NodeIDs         []yaml.Node `yaml:"node_ids"`
	}
	if err := n.Decode(&raw); err != nil {
		return err
	}
	a.HostosVersionID, a.NodeIDs = raw.HostosVersionID, nil
	for i := range raw.NodeIDs {
		p, err := decodePrincipal(&raw.NodeIDs[i], fmt.Sprintf("deploy_hostos.node_ids[%d]", i))
		if err != nil {
			return err
		}
		a.NodeIDs = append(a.NodeIDs, p)
	}
	return nil
}

// MarshalYAML writes the measurement as hex.
func (m GuestLaunchMeasurement) MarshalYAML() (any, error) {
	return struct {
		Metadata    *GuestLaunchMeasurementMetadata `yaml:"metadata,omitempty"`
		Measurement string                          `yaml:"measurement"`
	}{m.Metadata, hex.EncodeToString(m.Measurement)}, nil
}

// UnmarshalYAML reads the measurement as hex.
func (m *GuestLaunchMeasurement) UnmarshalYAML(n *yaml.Node) error {
	var raw struct {
		Metadata    *GuestLaunchMeasurementMetadata `yaml:"metadata"`
		Measurement yaml.Node                       `yaml:"measurement"`
	}
	if err := n.Decode(&raw); err != nil {
		return err
	}
	b, err := hex.DecodeString(strings.TrimSpace(raw.Measurement.Value))
	if err != nil {
		return &nodeError{raw.Measurement.Line, "measurement", fmt.Errorf("not hex (%v); give the 96 hex characters from launch-measurements.json", err)}
	}
	m.Metadata, m.Measurement = raw.Metadata, b
	return nil
}

// principalText is p's textual form, or "" for the zero principal.
func principalText(p principal.Principal) string {
	if len(p.Raw) == 0 {
		return ""
	}
	return p.String()
}
