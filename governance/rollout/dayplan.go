package rollout

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// ParseDayPlan reads a plan in DFINITY's SubnetRolloutPlanSpec shape
// (domain.md §6.3): top-level day names ("Monday" … "Sunday", or
// "Monday next week"), under each an "H:MM" UTC time, and under that a list
// of subnets or {batch: N, subnets: [...]}. Days count from the Monday of
// the week holding ref, or of the next week when ref falls on a weekend.
// Batches without a number are numbered in time order after the last
// explicit one. The unassigned nodes follow the last batch by interval.
func ParseDayPlan(data []byte, version string, ref time.Time, bake, interval time.Duration) (*Plan, error) {
	var doc map[string]map[string]yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("read day plan: %w", err)
	}
	monday := weekStart(ref)
	var batches []Batch
	for day, times := range doc {
		offset, err := dayOffset(day)
		if err != nil {
			return nil, err
		}
		for hm, node := range times {
			b, err := dayBatch(monday.AddDate(0, 0, offset), day, hm, &node)
			if err != nil {
				return nil, err
			}
			batches = append(batches, b)
		}
	}
	sort.SliceStable(batches, func(i, j int) bool { return batches[i].Start.Before(batches[j].Start) })
	next := 0
	for i := range batches {
		if batches[i].Batch == 0 {
			batches[i].Batch = next + 1
		}
		next = max(next, batches[i].Batch)
	}
	p := &Plan{Version: version, Bake: Duration(bake), Batches: batches}
	if n := len(batches); n > 0 {
		p.UnassignedNodes = batches[n-1].Start.Add(interval)
	}
	return p, nil
}

// weekStart is 00:00 UTC on the Monday of t's week, or of the next week
// when t is a Saturday or Sunday.
func weekStart(t time.Time) time.Time {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	wd := (int(d.Weekday()) + 6) % 7 // Monday = 0
	if wd >= 5 {
		return d.AddDate(0, 0, 7-wd)
	}
	return d.AddDate(0, 0, -wd)
}

var dayNames = map[string]int{"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}

func dayOffset(key string) (int, error) {
	k := strings.ToLower(strings.TrimSpace(key))
	extra := 0
	if rest, ok := strings.CutSuffix(k, " next week"); ok {
		k, extra = rest, 7
	}
	d, ok := dayNames[k]
	if !ok {
		return 0, fmt.Errorf("read day plan: %q is not a day name (Monday … Sunday, optionally \"next week\")", key)
	}
	return d + extra, nil
}

// dayBatch reads one "H:MM" entry: a subnet list or {batch, subnets}.
func dayBatch(day time.Time, dayKey, hm string, n *yaml.Node) (Batch, error) {
	h, m, ok := strings.Cut(hm, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return Batch{}, fmt.Errorf("read day plan: %s: %q is not a H:MM time", dayKey, hm)
	}
	b := Batch{Start: day.Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)}
	if n.Kind == yaml.SequenceNode {
		return b, n.Decode(&b.Subnets)
	}
	var entry struct {
		Batch   int      `yaml:"batch"`
		Subnets []string `yaml:"subnets"`
	}
	dec := *n
	if err := strictDecode(&dec, &entry); err != nil {
		return Batch{}, fmt.Errorf("read day plan: %s %s: %w", dayKey, hm, err)
	}
	b.Batch, b.Subnets = entry.Batch, entry.Subnets
	return b, nil
}

// strictDecode decodes n into v, refusing keys v does not have.
func strictDecode(n *yaml.Node, v any) error {
	out, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(strings.NewReader(string(out)))
	dec.KnownFields(true)
	return dec.Decode(v)
}

// ReadPlanFile reads a plan file in either shape: nnspatch's own (a
// "batches" key, see Plan) or DFINITY's day-keyed one (see ParseDayPlan,
// with o's version, start as the reference week, bake and interval).
func ReadPlanFile(path string, o PlanOptions) (*Plan, error) {
	b, err := readBounded(path)
	if err != nil {
		return nil, fmt.Errorf("read plan %s: %w", path, err)
	}
	var top map[string]yaml.Node
	if err := yaml.Unmarshal(b, &top); err != nil {
		return nil, fmt.Errorf("read plan %s: %w", path, err)
	}
	if _, ok := top["batches"]; ok {
		return LoadPlan(path)
	}
	o = o.withDefaults()
	return ParseDayPlan(b, o.Version, o.Start, o.Bake, o.Interval)
}
