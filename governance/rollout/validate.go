package rollout

import (
	"fmt"
	"strings"

	"github.com/nnspatch/nnspatch/governance"
)

// ValidatePlan checks p against the registry and returns a copy with
// subnet prefixes resolved to full ids, plus every problem found: a version
// that is not elected, unknown, ambiguous or duplicate subnets, subnets in
// no batch, batch numbers out of order, the NNS subnet not alone in the
// last batch, the signing backup within the signing gap, and the unassigned
// nodes before the NNS.
func ValidatePlan(p *Plan, reg *governance.Registry) (*Plan, []Problem) {
	out := *p
	out.Batches = nil
	var probs []Problem
	add := func(path, format string, args ...any) {
		probs = append(probs, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if p.Version == "" {
		add("version", "missing: name the GuestOS version to roll out")
	} else if _, ok := reg.GuestOSByID(p.Version); !ok {
		add("version", "GuestOS %s is not elected: submit and adopt its election first", p.Version)
	}
	if len(p.Batches) == 0 {
		add("batches", "empty: a plan needs at least the NNS batch")
	}
	seen := map[string]string{}
	last := 0
	for i, b := range p.Batches {
		path := fmt.Sprintf("batches[%d]", i)
		if b.Batch <= last || b.Batch > MaxBatches {
			add(path+".batch", "%d: batch numbers must increase and stay within 1..%d", b.Batch, MaxBatches)
		}
		last = max(last, b.Batch)
		if i > 0 && b.Start.Before(p.Batches[i-1].Start) {
			add(path+".start", "%s is before the previous batch", b.Start.Format("2006-01-02 15:04"))
		}
		nb := Batch{Batch: b.Batch, Start: b.Start}
		for j, s := range b.Subnets {
			sp := fmt.Sprintf("%s.subnets[%d]", path, j)
			id, msg := resolveSubnet(reg, s)
			if msg != "" {
				add(sp, "%s", msg)
				continue
			}
			if prev, dup := seen[id]; dup {
				add(sp, "subnet %s is already in %s", short(id), prev)
				continue
			}
			seen[id] = path
			nb.Subnets = append(nb.Subnets, id)
		}
		out.Batches = append(out.Batches, nb)
	}
	for _, s := range reg.Subnets {
		if _, ok := seen[s.ID]; !ok {
			add("batches", "subnet %s is in no batch: every subnet must be rolled out before the quiet period", short(s.ID))
		}
	}
	probs = append(probs, checkOrder(&out)...)
	probs = append(probs, checkAPIBoundaryStage(&out, reg)...)
	return &out, probs
}

// checkOrder checks the NNS position, the signing gap and the unassigned nodes.
func checkOrder(p *Plan) []Problem {
	var probs []Problem
	nns := p.nns()
	i := p.BatchOf(nns)
	n := len(p.Batches)
	switch {
	case n == 0:
	case i < 0:
		probs = append(probs, Problem{"batches", fmt.Sprintf("the NNS subnet %s is in no batch: it must be alone in the last batch", short(nns))})
	case i != n-1:
		probs = append(probs, Problem{fmt.Sprintf("batches[%d]", i), fmt.Sprintf("the NNS subnet %s must be in the last batch, not batch %d of %d", short(nns), i+1, n)})
	case len(p.Batches[i].Subnets) != 1:
		probs = append(probs, Problem{fmt.Sprintf("batches[%d]", i), "the NNS subnet must be alone in its batch"})
	}
	if s, b := p.BatchOf(SigningSubnet), p.BatchOf(SigningBackup); s >= 0 && b >= 0 {
		gap := p.Batches[b].Start.Sub(p.Batches[s].Start)
		if gap < DefaultSigningGap && gap > -DefaultSigningGap {
			probs = append(probs, Problem{fmt.Sprintf("batches[%d]", b),
				fmt.Sprintf("signing subnet %s and its backup %s must be upgraded at least %s apart, not %s", short(SigningSubnet), short(SigningBackup), DefaultSigningGap, gap)})
		}
	}
	if n > 0 && p.UnassignedNodes.Before(p.Batches[n-1].Start) {
		probs = append(probs, Problem{"unassigned_nodes", "the unassigned nodes must follow the NNS subnet"})
	}
	return probs
}

// resolveSubnet maps a full id or unambiguous prefix to a registry subnet
// id; msg explains a failure.
func resolveSubnet(reg *governance.Registry, s string) (id, msg string) {
	if _, ok := reg.SubnetByID(s); ok {
		return s, ""
	}
	var matches []string
	for _, sn := range reg.Subnets {
		if s != "" && strings.HasPrefix(sn.ID, s) {
			matches = append(matches, sn.ID)
		}
	}
	switch len(matches) {
	case 0:
		return "", fmt.Sprintf("unknown subnet %q: not in the registry", s)
	case 1:
		return matches[0], ""
	}
	return "", fmt.Sprintf("ambiguous subnet %q: matches %d subnets, give more of the id", s, len(matches))
}

// short returns the first group of a principal's text form.
func short(id string) string {
	if i := strings.IndexByte(id, '-'); i > 0 {
		return id[:i]
	}
	return id
}
