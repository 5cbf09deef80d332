// Package config loads nnspatch's configuration with a local viper
// instance. Precedence, highest first: command-line flag, environment
// variable (NNSPATCH_<KEY>), config file, default.
//
// The file is $NNSPATCH_CONFIG_HOME/config.yaml, else
// $XDG_CONFIG_HOME/nnspatch/config.yaml, else ~/.config/nnspatch/config.yaml;
// --config FILE overrides the location. A missing file is fine; a malformed
// one is an error naming the file and the line.
//
// Only cmd/nnspatch imports this package; libraries receive plain values.
package config
