package jsonout

import (
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/rollback/drill"
)

// DrillReport is printed by `drill run --json` (and written by --report
// FILE.json).
type DrillReport struct {
	Envelope
	Report *drill.Report `json:"report"`
}

// DrillList is printed by `drill list --json`: the shipped scenarios.
type DrillList struct {
	Envelope
	Scenarios []DrillScenario `json:"scenarios"`
}

// DrillScenario is one shipped drill scenario.
type DrillScenario struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Localnet is printed by `localnet start` (and, with --json, by `localnet
// advance` and `localnet fault` as their status).
type Localnet struct {
	Envelope
	URL               string           `json:"url"`
	RootKey           string           `json:"root_key"`
	DeveloperIdentity string           `json:"developer_identity"`
	DeveloperNeurons  []uint64         `json:"developer_neurons"`
	Now               time.Time        `json:"now"`
	ClockOffset       string           `json:"clock_offset"`
	Faults            []localnet.Fault `json:"faults"`
}
