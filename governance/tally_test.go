package governance

import (
	"testing"
	"time"
)

func TestTallyDecisions(t *testing.T) {
	cases := []struct {
		name                             string
		tally                            Tally
		early, adopting, quorum, canFlip bool
		missing                          uint64
	}{
		{"nobody voted", Tally{Total: 1000}, false, false, false, true, 30},
		{"just over half yes adopts at once", Tally{Yes: 501, Total: 1000}, true, true, true, false, 0},
		{"exactly half yes does not", Tally{Yes: 500, Total: 1000}, false, true, true, true, 0},
		{"exactly half no rejects at once", Tally{No: 500, Total: 1000}, true, false, false, false, 30},
		{"yes leads below quorum", Tally{Yes: 29, No: 1, Total: 1000}, false, false, false, true, 1},
		{"yes leads at quorum", Tally{Yes: 30, No: 1, Total: 1000}, false, true, true, true, 0},
		{"no leads, enough left to flip", Tally{Yes: 100, No: 300, Total: 1000}, false, false, true, true, 0},
		{"tie rejects", Tally{Yes: 200, No: 200, Total: 1000}, false, false, true, true, 0},
		{"adopting, the rest can still flip", Tally{Yes: 450, No: 40, Total: 1000}, false, true, true, true, 0},
		{"adopting, everyone voted", Tally{Yes: 500, No: 499, Total: 999}, true, true, true, false, 0},
		{"rejecting, everyone voted", Tally{Yes: 400, No: 400, Total: 800}, true, false, true, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tl := c.tally
			if got := tl.DecidedEarly(); got != c.early {
				t.Errorf("DecidedEarly = %v", got)
			}
			if got := tl.Adopting(); got != c.adopting {
				t.Errorf("Adopting = %v", got)
			}
			if got := tl.QuorumMet(); got != c.quorum {
				t.Errorf("QuorumMet = %v", got)
			}
			if got := tl.CanFlip(); got != c.canFlip {
				t.Errorf("CanFlip = %v", got)
			}
			if got := tl.QuorumMissing(); got != c.missing {
				t.Errorf("QuorumMissing = %d, want %d", got, c.missing)
			}
		})
	}
}

func TestTallyPercent(t *testing.T) {
	tl := Tally{Yes: 1, No: 2, Total: 8}
	if tl.Percent(tl.Yes) != 12.5 || tl.Percent(tl.No) != 25 || (Tally{}).Percent(5) != 0 {
		t.Errorf("percentages wrong: %v %v", tl.Percent(tl.Yes), tl.Percent(tl.No))
	}
	if (Tally{Yes: 5, No: 6, Total: 10}).Undecided() != 0 {
		t.Error("Undecided must not underflow")
	}
}

func TestDeadlines(t *testing.T) {
	day := 24 * time.Hour
	c := time.Unix(1_700_000_000, 0).UTC()
	d := NewDeadlines(c, c.Add(4*day), 0)
	if got, want := d.Max, c.Add(8*day); !got.Equal(want) {
		t.Errorf("Max = %v, want %v", got, want)
	}
	cases := []struct {
		name string
		at   time.Duration
		want time.Duration
	}{
		{"flip on day 1 moves it to day 4.5", 1 * day, 4*day + 12*time.Hour},
		{"flip at day 3", 3 * day, 5*day + 12*time.Hour},
		{"flip after the deadline changes nothing", 5 * day, 4 * day},
	}
	for _, cc := range cases {
		t.Run(cc.name, func(t *testing.T) {
			if got := d.AfterFlip(c.Add(cc.at)); !got.Equal(c.Add(cc.want)) {
				t.Errorf("AfterFlip = %v, want %v", got.Sub(c), cc.want)
			}
		})
	}
	// Flipping repeatedly at the last moment converges to, never beyond, Max.
	cur := d
	for i := 0; i < 60; i++ {
		next := cur.AfterFlip(cur.Current.Add(-time.Second))
		if next.After(d.Max) {
			t.Fatalf("deadline %v beyond max %v", next.Sub(c), d.Max.Sub(c))
		}
		cur.Current = next
	}
	if d.Max.Sub(cur.Current) > time.Minute {
		t.Errorf("repeated flips reached %v, want close to %v", cur.Current.Sub(c), d.Max.Sub(c))
	}
	if ext := NewDeadlines(c, c.Add(7*day), 0); !ext.AfterFlip(c.Add(day)).Equal(c.Add(7 * day)) {
		t.Error("an earlier flip deadline must not shorten an extended deadline")
	}
	if d.Left(c.Add(3*day)) != day || d.Left(c.Add(9*day)) != 0 {
		t.Error("Left wrong")
	}
}
