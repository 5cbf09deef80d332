package replica

import (
	"errors"
	"fmt"
	"net/http"
)

var (
	// ErrClosed is returned for work submitted after Close.
	ErrClosed = errors.New("replica: server closed")
	// ErrBadOption is returned by New for an invalid option value.
	ErrBadOption = errors.New("replica: invalid option")
)

// refusal is a request the replica refuses before execution, answered with an
// HTTP status and a plain-text body worded like a replica's.
type refusal struct {
	status int
	msg    string
}

// Error implements error.
func (r *refusal) Error() string { return r.msg }

// badRequest returns a 400 refusal.
func badRequest(format string, args ...any) error {
	return &refusal{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// forbidden returns a 403 refusal.
func forbidden(format string, args ...any) error {
	return &refusal{status: http.StatusForbidden, msg: fmt.Sprintf(format, args...)}
}

// writeError answers err as a replica would: refusals with their status,
// anything else as 500.
func writeError(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	var r *refusal
	if errors.As(err, &r) {
		status = r.status
	}
	if errors.Is(err, ErrClosed) {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(err.Error()))
}
