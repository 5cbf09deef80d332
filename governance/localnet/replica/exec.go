package replica

import (
	"fmt"
	"sync"
	"time"
)

// executorQueue is how many update calls may wait for one canister before
// submitters block.
const executorQueue = 1024

// job is one update call (or replicated query) waiting for its canister.
type job struct {
	call  Call
	entry *entry
}

// executor runs a canister's update calls one at a time, in arrival order,
// so a model never sees two updates at once.
type executor struct {
	can     Canister
	clock   func() time.Time
	history *history
	queue   chan job
	stop    chan struct{}
	wg      sync.WaitGroup
}

// newExecutor starts the update loop of can.
func newExecutor(can Canister, clock func() time.Time, h *history) *executor {
	e := &executor{can: can, clock: clock, history: h, queue: make(chan job, executorQueue), stop: make(chan struct{})}
	e.wg.Add(1)
	go e.loop()
	return e
}

// submit queues a call; it fails only after close.
func (e *executor) submit(j job) error {
	select {
	case <-e.stop:
		return ErrClosed
	case e.queue <- j:
		return nil
	}
}

// loop executes queued calls until closed.
func (e *executor) loop() {
	defer e.wg.Done()
	for {
		select {
		case <-e.stop:
			return
		case j := <-e.queue:
			j.call.Now = e.clock()
			reply, rej := execute(e.can, j.call)
			e.history.finish(j.entry, reply, rej)
		}
	}
}

// close stops the loop; queued calls are dropped.
func (e *executor) close() {
	close(e.stop)
	e.wg.Wait()
}

// Execute runs one call as the server does (a panic in the model is a
// canister trap reject, a missing error code is filled in), for a host
// that re-executes logged calls and restores their answers (WithAnswered).
func Execute(can Canister, call Call) (reply []byte, rej *Reject) { return execute(can, call) }

// execute runs one call, turning a panic in the model into a canister trap
// reject and filling in a missing error code.
func execute(can Canister, call Call) (reply []byte, rej *Reject) {
	defer func() {
		if p := recover(); p != nil {
			reply, rej = nil, &Reject{Code: 5, Message: fmt.Sprintf("Canister called `ic0.trap` with message: %v", p), ErrorCode: "IC0503"}
		}
	}()
	reply, rej = can.Execute(call)
	if rej != nil && rej.ErrorCode == "" {
		r := *rej
		r.ErrorCode = defaultErrorCode(r.Code)
		rej = &r
	}
	if rej == nil && reply == nil {
		reply = []byte{}
	}
	return reply, rej
}

// defaultErrorCode picks an IC error code matching a reject code.
func defaultErrorCode(code uint64) string {
	switch code {
	case 1:
		return "IC0101"
	case 2:
		return "IC0201"
	case 3:
		return "IC0302"
	case 4:
		return "IC0406"
	default:
		return "IC0503"
	}
}
