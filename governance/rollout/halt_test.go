package rollout

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestHaltAndResumeRecord: a halt and a resume are stored and audited with
// their actors; the guards (reason, not halted, abandoned) hold.
func TestHaltAndResumeRecord(t *testing.T) {
	s := newStore(t)
	now := t0
	tr := &Tracker{Store: s, Actor: "p1", Now: func(context.Context) (time.Time, error) { return now, nil }}
	ctx := context.Background()
	if err := tr.Halt(ctx, "", ""); err == nil {
		t.Fatal("a halt without a reason was accepted")
	}
	if err := tr.Resume(ctx, "fine", ""); !errors.Is(err, ErrNotHalted) {
		t.Fatalf("resume of a running rollout: %v, want ErrNotHalted", err)
	}
	if err := tr.Halt(ctx, "rolling back subnet x", "rollbacker"); err != nil {
		t.Fatal(err)
	}
	now = t0.Add(time.Hour)
	if err := tr.Halt(ctx, "second look", ""); err != nil {
		t.Fatalf("halting a halted rollout: %v", err)
	}
	h, err := tr.Halted()
	if err != nil || h == nil || h.By != "rollbacker" || h.Reason != "rolling back subnet x" || !h.At.Equal(t0) {
		t.Fatalf("halt %+v, %v; want the first halt kept", h, err)
	}
	if err := tr.Resume(ctx, "", ""); err == nil {
		t.Fatal("a resume without a reason was accepted")
	}
	if err := tr.Resume(ctx, "subnet x healthy again", ""); err != nil {
		t.Fatal(err)
	}
	if h, _ := tr.Halted(); h != nil {
		t.Fatalf("still halted after resume: %+v", h)
	}
	l, err := s.Read()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range l.Audit {
		got = append(got, e.Action+":"+e.Principal)
	}
	if strings.Join(got, " ") != "halt:rollbacker halt:p1 resume:p1" {
		t.Fatalf("audit %v", got)
	}
	if d := l.Audit[2].Detail; !strings.Contains(d, "rolling back subnet x") || !strings.Contains(d, "subnet x healthy again") {
		t.Errorf("resume event %q names neither the halt nor the resume reason", d)
	}
	if err := tr.Abandon(ctx, "gave up"); err != nil {
		t.Fatal(err)
	}
	if err := tr.Halt(ctx, "too late", ""); !errors.Is(err, ErrAbandoned) {
		t.Fatalf("halt of an abandoned release: %v, want ErrAbandoned", err)
	}
}

// TestAdvanceRefusesWhileHalted: on a local network with an executed
// election and a plan, a halted rollout submits nothing, status says
// halted (and what it would be otherwise), and after Resume the first
// batch is proposed.
func TestAdvanceRefusesWhileHalted(t *testing.T) {
	n, c, tr := localTracker(t)
	ctx := context.Background()
	if _, err := tr.SubmitElection(ctx); err != nil {
		t.Fatal(err)
	}
	reg, err := c.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := tr.Store.Read()
	p, err := BuildPlan(reg, PlanOptions{Version: l.Version, Start: n.Now(), BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.SavePlan(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := tr.Halt(ctx, "incident on another release", ""); err != nil {
		t.Fatal(err)
	}
	res, err := tr.Advance(ctx)
	var he *HaltedError
	if !errors.As(err, &he) || !errors.Is(err, ErrHalted) || len(res.Submitted) != 0 {
		t.Fatalf("advance while halted: %v, submitted %v", err, res)
	}
	if msg := err.Error(); !strings.Contains(msg, "incident on another release") || he.Source != HaltLocal {
		t.Errorf("error %q (source %v) does not name the reason of the halt in the ledger", msg, he.Source)
	}
	st, err := tr.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != RolloutHalted || st.Underlying != RolloutUpgrading || st.Halted == nil || !strings.Contains(st.Blockers[0], "halted") {
		t.Fatalf("status while halted: state %s (underlying %s), halt %+v, blockers %v", st.State, st.Underlying, st.Halted, st.Blockers)
	}
	if err := tr.Resume(ctx, "incident closed", ""); err != nil {
		t.Fatal(err)
	}
	res, err = tr.Advance(ctx)
	if err != nil || len(res.Submitted) != len(p.Batches[0].Subnets) {
		t.Fatalf("advance after resume: %v, submitted %v", err, res)
	}
}
