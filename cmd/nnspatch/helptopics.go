package main

import "github.com/spf13/cobra"

// exitCodesHelp is the exit-code contract as users read it; README.md
// carries the same table, and TestExitCodesDocumented keeps them in step
// with exitcode.go.
const exitCodesHelp = `nnspatch exits with one of these codes. Scripts may rely on them.

   0  ok
   1  error: any failure not listed below
   2  usage error (bad flag or argument) or cancelled
   3  draft invalid: the draft has validation errors
   4  identity or authorization: bad key, wrong or missing password or PIN, token or key not usable, neuron not controlled, not allowed
   5  network unreachable
   6  checksum mismatch: an artifact's SHA-256 differs from the expected one
   7  untrusted response: certificate or signature verification failed (e.g. wrong root key)
   8  still pending: a watch ended or a proposal is still open (proposal wait --timeout)
   9  refused: a precondition or health gate does not hold (preflight, NNS rejected the command, rollout gate failed)
  10  drill assertion failed
`

// helpTopics returns the additional help topics: commands without a Run,
// shown by `nnspatch help <topic>`.
func helpTopics() []*cobra.Command {
	return []*cobra.Command{
		{
			Use:   "exit-codes",
			Short: "Describe the exit codes nnspatch returns",
			Long:  exitCodesHelp,
		},
	}
}
