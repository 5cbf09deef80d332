package candidguard

import "fmt"

// checkAcyclic refuses recursive type tables and, in the same pass, types
// whose tree form exceeds MaxTypeNodes nodes. It walks the table with an
// explicit stack, so a long chain of types cannot exhaust the Go stack.
func (c *checker) checkAcyclic() error {
	limit := c.lim.MaxTypeNodes
	state := make([]uint8, len(c.table)) // 0 new, 1 on the stack, 2 done
	size := make([]int, len(c.table))
	type frame struct {
		t    int64
		next int
	}
	var stack []frame
	for root := range c.table {
		if state[root] != 0 {
			continue
		}
		state[root] = 1
		stack = append(stack[:0], frame{t: int64(root)})
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			refs := c.table[top.t].refs
			if top.next < len(refs) {
				u := refs[top.next]
				top.next++
				if u < 0 || state[u] == 2 {
					continue
				}
				if state[u] == 1 {
					return c.tableFail(fmt.Sprintf("type %d is recursive; recursive types are not accepted here", u))
				}
				state[u] = 1
				stack = append(stack, frame{t: u})
				continue
			}
			total := 1
			for _, u := range refs {
				if u < 0 {
					total++
				} else {
					total += size[u]
				}
				total = min(total, limit+1)
			}
			if total > limit {
				return c.tableFail(fmt.Sprintf("type %d expands to more than %d nodes", top.t, limit))
			}
			size[top.t], state[top.t] = total, 2
			stack = stack[:len(stack)-1]
		}
	}
	return nil
}

// tableFail returns an *UnsafeError about the table as a whole.
func (c *checker) tableFail(reason string) error {
	return &UnsafeError{Part: partTable, Offset: c.tableEnd, Reason: reason}
}
