package rollout

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestDisclose(t *testing.T) {
	s := newStore(t)
	now := t0
	tr := &Tracker{Store: s, Actor: "p1", Now: func(context.Context) (time.Time, error) { return now, nil }}
	ctx := context.Background()
	if _, err := tr.Disclose(ctx, "https://src", false, ""); !errors.Is(err, ErrQuietPeriod) {
		t.Fatalf("before the quiet period started: %v", err)
	}
	if _, err := s.Update(ctx, func(l *Ledger) error { l.QuietPeriod.Start = t0; return nil }); err != nil {
		t.Fatal(err)
	}
	now = t0.Add(9 * 24 * time.Hour)
	if _, err := tr.Disclose(ctx, "https://src", false, ""); !errors.Is(err, ErrQuietPeriod) {
		t.Fatalf("on day 10: %v", err)
	}
	if _, err := tr.Disclose(ctx, "https://src", true, ""); err == nil {
		t.Fatal("--force without a reason was accepted")
	}
	d, err := tr.Disclose(ctx, "https://src", true, "exploit seen in the wild")
	if err != nil || !d.Forced {
		t.Fatalf("forced disclosure: %+v, %v", d, err)
	}
	if _, err := tr.Disclose(ctx, "https://src", false, ""); err == nil {
		t.Fatal("a second disclosure was accepted")
	}
	l, err := s.Read()
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range l.Audit {
		actions = append(actions, e.Action+":"+e.Principal)
	}
	if len(actions) != 2 || actions[0] != "force:p1" || actions[1] != "disclose:p1" || l.Disclosure.Reason != "exploit seen in the wild" {
		t.Fatalf("audit %v, disclosure %+v", actions, l.Disclosure)
	}
}

func TestDiscloseAfterQuietPeriod(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.Update(ctx, func(l *Ledger) error { l.QuietPeriod = QuietPeriod{Days: 3, Start: t0}; return nil }); err != nil {
		t.Fatal(err)
	}
	tr := &Tracker{Store: s, Actor: "p1", Now: func(context.Context) (time.Time, error) { return t0.Add(72 * time.Hour), nil }}
	d, err := tr.Disclose(ctx, "https://src", false, "")
	if err != nil || d.Forced {
		t.Fatalf("disclosure after 3 days: %+v, %v", d, err)
	}
}
