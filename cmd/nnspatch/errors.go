package main

import (
	"errors"
	"fmt"
)

// FlagError is a problem with flags or arguments. Main prints the command's
// usage after it and exits with ExitUsage.
type FlagError struct {
	// Err is the underlying problem.
	Err error
}

// Error implements error.
func (e *FlagError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying problem.
func (e *FlagError) Unwrap() error { return e.Err }

// FlagErrorf formats a FlagError; use it for every flag or argument problem
// found in a command constructor.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{Err: fmt.Errorf(format, args...)}
}

// NoConfirmError reports that a command needed a confirmation, there is
// no terminal to ask on, and --yes was not given. Main exits with
// ExitUsage like a FlagError but prints only the message and its hint: the
// usage text would bury the one thing to change.
type NoConfirmError struct{}

// Error implements error.
func (*NoConfirmError) Error() string {
	return "--yes required when not running interactively: there is no terminal to confirm on, so nothing was sent or changed"
}

// ErrCancel reports that the user declined a prompt or interrupted the
// command; Main exits with ExitUsage and prints nothing more.
var ErrCancel = errors.New("cancelled")

// CancelError is ErrCancel; it exists so commands read like gh's.
var CancelError = ErrCancel

// ErrSilent makes Main exit with ExitError without printing anything, for
// commands that have already explained the failure on stderr.
var ErrSilent = errors.New("silent error")

// SilentError is ErrSilent.
var SilentError = ErrSilent

// PendingError reports that the thing waited for has not reached a final
// state yet (a watch ended, a proposal is still open). Main exits with
// ExitPending.
type PendingError struct {
	// What names what is still pending, e.g. "proposal 1234".
	What string
}

// Error implements error.
func (e *PendingError) Error() string { return e.What + " is still pending" }

// CodeError attaches an explicit exit code to an error. Commands use it when
// no typed library error says enough; prefer adding a row to exitRules.
type CodeError struct {
	// Code is the exit code Main returns.
	Code ExitCode
	// Err is the error printed; nil prints nothing.
	Err error
}

// Error implements error.
func (e *CodeError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

// Unwrap returns the wrapped error.
func (e *CodeError) Unwrap() error { return e.Err }

// DraftInvalidError reports that a draft has validation errors; the problems
// themselves have already been printed. Main exits with ExitDraftInvalid.
type DraftInvalidError struct {
	// File is the draft file, or the file that would have been written.
	File string
	// Errors is the number of problems with error severity.
	Errors int
	// NotWritten reports that File was not written because of the errors.
	NotWritten bool
}

// Error implements error.
func (e *DraftInvalidError) Error() string {
	if e.NotWritten {
		return fmt.Sprintf("draft is invalid (%d error(s) above); %s was not written", e.Errors, e.File)
	}
	return fmt.Sprintf("draft %s is invalid: %d error(s)", e.File, e.Errors)
}
