package rollback

import (
	"context"

	rb "github.com/nnspatch/nnspatch/rollback"
)

// Source is one release's rollback as the page drives it; ReleaseSource
// implements it over a release directory and the network.
type Source interface {
	// Plan builds a fresh plan from the registry and its history.
	Plan(ctx context.Context) (*rb.Plan, error)
	// Started returns the plan of a rollback under way (nil when none).
	Started(ctx context.Context) (*rb.Plan, error)
	// Start records p as the rollback under way.
	Start(ctx context.Context, p *rb.Plan) error
	// Submit takes every step that is due and reports progress.
	Submit(ctx context.Context) (*rb.Status, error)
	// Status reports progress without submitting.
	Status(ctx context.Context) (*rb.Status, error)
}

// TargetHealth is one subnet target's gate checks against its restored
// version, each with its state (rb.JudgeTarget, the rule the executor's
// steps are done by). A Status carries them (Status.Targets) when the
// source observes the replicas, so the page follows the rollback until the
// subnets recover, not only until its proposals took effect.
type TargetHealth = rb.TargetHealth

// Release is one release the page can roll back.
type Release struct {
	// Name labels it (usually the release directory).
	Name   string
	Source Source
}

// LoadedMsg carries a release's rollback under way, if any.
type LoadedMsg struct {
	Index  int
	Plan   *rb.Plan
	Status *rb.Status
	Err    error
}

// PlannedMsg carries a freshly built plan.
type PlannedMsg struct {
	Index int
	Plan  *rb.Plan
	Err   error
}

// ProgressMsg carries the rollback's status after a submit or a status
// check.
type ProgressMsg struct {
	Index     int
	Status    *rb.Status
	Submitted bool
	Err       error
}
