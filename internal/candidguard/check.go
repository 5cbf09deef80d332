package candidguard

import (
	"bytes"
	"fmt"
)

// checker is the state of one Check.
type checker struct {
	r        reader
	lim      Limits
	table    []entry
	args     []int64
	tableEnd int
	budget   int
	steps    int
}

// Check reports whether data is safe to pass to agent-go's candid.Decode
// and candid.Unmarshal under DefaultLimits: it returns nil or an
// *UnsafeError (matching ErrUnsafe) naming what was wrong.
func Check(data []byte) error { return DefaultLimits.Check(data) }

// Check walks data (type table, argument types, every value) and returns
// an *UnsafeError unless it is a well-formed Candid message within l.
func (l Limits) Check(data []byte) error {
	l = l.withDefaults()
	r := reader{b: data, part: partHeader}
	if len(data) > l.MaxBytes {
		return r.fail(fmt.Sprintf("message of %d bytes, more than %d", len(data), l.MaxBytes))
	}
	if !bytes.HasPrefix(data, []byte("DIDL")) {
		return r.fail("missing DIDL magic bytes")
	}
	r.i = 4
	c := &checker{r: r, lim: l, budget: l.StepsPerByte*len(data) + l.BaseSteps}
	c.steps = c.budget
	if err := c.readTable(); err != nil {
		return err
	}
	c.tableEnd = c.r.i
	if err := c.readArgs(); err != nil {
		return err
	}
	if err := c.checkTypes(); err != nil {
		return err
	}
	c.r.part = partValue
	for _, t := range c.args {
		if err := c.value(t, 0); err != nil {
			return err
		}
	}
	if n := c.r.left(); n != 0 {
		return c.r.fail(fmt.Sprintf("%d bytes after the last value", n))
	}
	return nil
}

// checkTypes checks the references and, with Acyclic, the shape of the
// table.
func (c *checker) checkTypes() error {
	if err := c.checkRefs(); err != nil {
		return err
	}
	if c.lim.Acyclic {
		return c.checkAcyclic()
	}
	return nil
}
