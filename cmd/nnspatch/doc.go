// Command nnspatch drafts, checks, submits and tracks NNS governance
// proposals for security patch releases of the Internet Computer.
//
// This package is the CLI edge: cobra commands and viper configuration.
// Each command is an options struct, a constructor that only parses flags
// and a run function that calls the libraries. Errors become messages,
// hints and exit codes here (see exitcode.go) and nowhere else.
package main
