package rollback

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/internal/fsutil"
	"io/fs"
	"os"
	"time"
)

// StateSchemaVersion is the schema of the executor's state file.
const StateSchemaVersion = 1

// ErrNoState reports a state file that does not exist yet.
var ErrNoState = errors.New("no rollback state")

// StepState is where a step stands.
type StepState string

// Step states.
const (
	// StatePending: not taken yet (its precondition may not hold).
	StatePending StepState = "pending"
	// StateIntended: the submission is recorded but not confirmed; a
	// resumed run reconciles it with governance before submitting again.
	StateIntended StepState = "intended"
	// StateSubmitted: the proposal exists; its effect is awaited.
	StateSubmitted StepState = "submitted"
	// StateDone: the expected state holds.
	StateDone StepState = "done"
	// StateFailed: the proposal was rejected or failed.
	StateFailed StepState = "failed"
)

// StepRecord is a step's progress.
type StepRecord struct {
	N             int       `json:"n"`
	State         StepState `json:"state"`
	Proposal      uint64    `json:"proposal,omitempty"`
	PayloadSHA256 string    `json:"payload_sha256,omitempty"`
	Intended      time.Time `json:"intended,omitzero"`
	Submitted     time.Time `json:"submitted,omitzero"`
	Done          time.Time `json:"done,omitzero"`
	Detail        string    `json:"detail,omitempty"`
}

// State is the executor's record: the plan and each step's progress.
type State struct {
	SchemaVersion int          `json:"schema_version"`
	Plan          *Plan        `json:"plan"`
	Steps         []StepRecord `json:"steps"`
	// Heights are the finalized heights last compared per subnet and
	// restored version ("<subnet> <version>"), so that finalization is
	// judged across every observation of the rollback, by any process
	// (rollout.Heights).
	Heights map[string]rollout.HeightMark `json:"heights,omitempty"`
}

// NewState returns the state of a plan not yet started.
func NewState(p *Plan) *State {
	st := &State{SchemaVersion: StateSchemaVersion, Plan: p, Steps: make([]StepRecord, len(p.Steps))}
	for i, s := range p.Steps {
		st.Steps[i] = StepRecord{N: s.N, State: StatePending}
	}
	return st
}

// StateFile is the executor's state on disk, written atomically and
// guarded by an exclusive lock on <path>.lock.
type StateFile struct {
	Path string
}

// Load reads the state; ErrNoState if the file does not exist.
func (f StateFile) Load() (*State, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read rollback state %s: %w", f.Path, ErrNoState)
	}
	if err != nil {
		return nil, fmt.Errorf("read rollback state %s: %w", f.Path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var st State
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("read rollback state %s: %w", f.Path, err)
	}
	if st.SchemaVersion != StateSchemaVersion || st.Plan == nil || len(st.Steps) != len(st.Plan.Steps) {
		return nil, fmt.Errorf("read rollback state %s: schema %d with %d step records: not a state this build wrote", f.Path, st.SchemaVersion, len(st.Steps))
	}
	return &st, nil
}

// Save writes the state atomically: temporary file, fsync, rename.
func (f StateFile) Save(st *State) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode rollback state: %w", err)
	}
	if err := fsutil.WriteFile(f.Path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write rollback state: %w", err)
	}
	return nil
}

// Lock takes the exclusive lock, waiting until ctx ends.
func (f StateFile) Lock(ctx context.Context) (unlock func(), err error) {
	release, err := fsutil.Lock(ctx, f.Path+".lock")
	if errors.Is(err, fsutil.ErrLocked) {
		return nil, fmt.Errorf("lock rollback state: another nnspatch holds %s.lock: %w", f.Path, ctx.Err())
	}
	if err != nil {
		return nil, fmt.Errorf("lock rollback state: %w", err)
	}
	return func() { _ = release() }, nil
}
