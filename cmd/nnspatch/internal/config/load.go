package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"gopkg.in/yaml.v3"
)

// EnvPrefix is the prefix of every environment variable nnspatch reads.
const EnvPrefix = "NNSPATCH"

// Source says where an effective value came from.
type Source string

// The sources, highest precedence first.
const (
	SourceFlag    Source = "flag"
	SourceEnv     Source = "env"
	SourceFile    Source = "file"
	SourceDefault Source = "default"
)

// Sources from dfx's own configuration, which apply where nnspatch's flags,
// environment and file say nothing (so dfx users get dfx's choices).
const (
	// SourceDFXNetwork is the DFX_NETWORK environment variable.
	SourceDFXNetwork Source = "DFX_NETWORK"
	// SourceDFXIdentity is the DFX_IDENTITY environment variable.
	SourceDFXIdentity Source = "DFX_IDENTITY"
	// SourceDFX is a network defined in dfx's networks.json or a project's
	// dfx.json.
	SourceDFX Source = "dfx"
)

// Keys lists the config keys in the order `config show` prints them.
var Keys = []string{"network", "networks", "local_url", "identity", "hsm_module", "neuron",
	"releases_dir", "prometheus_url", "alert_window", "query_version", "query_finalizing",
	"query_alerts", "query_nodes", "query_node_alerts", "deny_words", "ingress_expiry", "output", "rollout_policy"}

// flagKeys maps a global flag name to the config key it sets.
var flagKeys = map[string]string{"network": "network", "identity": "identity", "json": "output"}

// Options says where Load looks.
type Options struct {
	// File is the config file from --config; empty searches the default places.
	File string
	// Flags holds the parsed global flags (network, identity, json); nil means none.
	Flags *pflag.FlagSet
	// DFXNetworks are dfx's network files; nil means the user's
	// networks.json and the dfx.json of the project around the working
	// directory.
	DFXNetworks *governance.DFXNetworkFiles
}

// Loaded is a loaded configuration with its provenance.
type Loaded struct {
	// Config is the validated effective configuration.
	Config *Config
	// Path is the config file used, or the one that would be used.
	Path string
	// FileFound reports whether Path existed and was read.
	FileFound bool
	// Sources maps each key in Keys to where its value came from.
	Sources map[string]Source
	// NetworkSources maps each network name to where it was defined: the
	// file, or the default built-in ic and local.
	NetworkSources map[string]Source
}

// ErrMalformed is wrapped by every error about the content of a config file.
var ErrMalformed = errors.New("malformed config file")

// ErrInvalid is wrapped by every error about an effective value (from the
// file, the environment or a flag) that Validate refuses.
var ErrInvalid = errors.New("invalid config value")

// invalidError is a Validate error of the config at path; it matches ErrInvalid.
type invalidError struct {
	path string
	err  error
}

// Error implements error.
func (e *invalidError) Error() string { return fmt.Sprintf("config %s: %v", e.path, e.err) }

// Unwrap returns the Validate error.
func (e *invalidError) Unwrap() []error { return []error{e.err, ErrInvalid} }

// DefaultPath returns the config file searched when --config is not given.
func DefaultPath() string {
	if d := os.Getenv(EnvPrefix + "_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "config.yaml")
	}
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "nnspatch", "config.yaml")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(".config", "nnspatch", "config.yaml")
	}
	return filepath.Join(home, ".config", "nnspatch", "config.yaml")
}

// Load merges flags, environment, the config file and defaults with a fresh
// viper instance, then validates the result.
func Load(opts Options) (*Loaded, error) {
	l := &Loaded{Path: opts.File, Sources: map[string]Source{}}
	if l.Path == "" {
		l.Path = DefaultPath()
	}
	v := newViper()
	fileKeys, err := readFile(v, l.Path, opts.File != "")
	fileNets := v.GetStringMap("networks")
	if err != nil {
		return nil, err
	}
	l.FileFound = fileKeys != nil
	if err := bindFlags(v, opts.Flags); err != nil {
		return nil, err
	}
	cfg := &Config{}
	if err := v.Unmarshal(cfg); err != nil {
		return nil, fmt.Errorf("decode config: %w", err)
	}
	applyJSONFlag(cfg, opts.Flags)
	mergeBuiltinNetworks(cfg)
	if err := cfg.Validate(); err != nil {
		return nil, &invalidError{path: l.Path, err: err}
	}
	l.Config = cfg
	for _, k := range Keys {
		l.Sources[k] = sourceOf(k, opts.Flags, fileKeys)
	}
	l.NetworkSources = map[string]Source{}
	for name := range cfg.Networks {
		l.NetworkSources[name] = SourceDefault
		if _, ok := fileNets[name]; ok {
			l.NetworkSources[name] = SourceFile
		}
	}
	applyDFXEnv(l)
	if err := mergeDFXNetworks(l, opts.DFXNetworks); err != nil {
		return nil, err
	}
	return l, nil
}

// applyDFXEnv lets DFX_NETWORK and DFX_IDENTITY choose the network and
// identity when no flag, NNSPATCH_* variable or config file does.
func applyDFXEnv(l *Loaded) {
	if v := os.Getenv("DFX_NETWORK"); v != "" && l.Sources["network"] == SourceDefault {
		l.Config.Network, l.Sources["network"] = v, SourceDFXNetwork
	}
	if v := os.Getenv("DFX_IDENTITY"); v != "" && l.Sources["identity"] == SourceDefault {
		l.Config.Identity, l.Sources["identity"] = v, SourceDFXIdentity
	}
}

// mergeDFXNetworks adds the networks dfx defines, unless the config file
// defines the same name. dfx's local network (its bind address) replaces
// the built-in one unless local_url was set. "ic" always stays mainnet.
func mergeDFXNetworks(l *Loaded, files *governance.DFXNetworkFiles) error {
	if files == nil {
		wd, _ := os.Getwd()
		f := governance.DFXNetworkFilesFromOS(governance.IdentityEnvFromOS(), wd)
		files = &f
	}
	nets, err := governance.LoadDFXNetworks(*files)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	for name, n := range nets {
		switch {
		case name == "ic", l.NetworkSources[name] == SourceFile:
			continue
		case name == "local" && l.Sources["local_url"] != SourceDefault:
			continue
		}
		l.Config.Networks[name] = n
		l.NetworkSources[name] = SourceDFX
	}
	return nil
}

func newViper() *viper.Viper {
	v := viper.New()
	v.SetEnvPrefix(EnvPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	d := DefaultConfig()
	v.SetDefault("network", d.Network)
	v.SetDefault("local_url", d.LocalURL)
	v.SetDefault("identity", d.Identity)
	v.SetDefault("hsm_module", d.HSMModule)
	v.SetDefault("neuron", d.Neuron)
	v.SetDefault("releases_dir", d.ReleasesDir)
	v.SetDefault("prometheus_url", d.PrometheusURL)
	v.SetDefault("alert_window", d.AlertWindow)
	v.SetDefault("query_version", d.QueryVersion)
	v.SetDefault("query_finalizing", d.QueryFinalizing)
	v.SetDefault("query_alerts", d.QueryAlerts)
	v.SetDefault("query_nodes", d.QueryNodes)
	v.SetDefault("query_node_alerts", d.QueryNodeAlerts)
	v.SetDefault("deny_words", d.DenyWords)
	v.SetDefault("ingress_expiry", d.IngressExpiry)
	v.SetDefault("output", d.Output)
	v.SetDefault("rollout_policy", d.RolloutPolicy)
	v.SetDefault("networks", map[string]any{})
	return v
}

// readFile reads path into v and returns the top-level keys it set. A
// missing file returns nil keys, unless it was named explicitly.
func readFile(v *viper.Viper, path string, explicit bool) (map[string]bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	if err := checkStrict(data); err != nil {
		return nil, fmt.Errorf("%w %s: %s", ErrMalformed, path, err)
	}
	raw := map[string]any{}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%w %s: %s", ErrMalformed, path, yamlMessage(err))
	}
	if err := v.MergeConfigMap(raw); err != nil {
		return nil, fmt.Errorf("%w %s: %s", ErrMalformed, path, err)
	}
	keys := map[string]bool{}
	for k := range raw {
		keys[k] = true
	}
	return keys, nil
}

// checkStrict decodes data into a Config rejecting unknown keys and wrong
// types; yaml.v3 reports the line of each problem.
func checkStrict(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var c Config
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		msg := annotateKeys(yamlMessage(err), data)
		return errors.New(unknownField.ReplaceAllStringFunc(msg, unknownKey))
	}
	return nil
}

var (
	lineRef = regexp.MustCompile(`line (\d+): `)
	// unknownField matches yaml.v3's KnownFields complaint, with the key
	// annotateKeys put before it.
	unknownField = regexp.MustCompile(`(?:key \S+: )?field (\S+) not found( in type \S+)?`)
)

// annotateKeys adds the key written on each referenced line ("line 3:
// (neuron) cannot unmarshal ...") so type errors name the field.
func annotateKeys(msg string, data []byte) string {
	lines := strings.Split(string(data), "\n")
	return lineRef.ReplaceAllStringFunc(msg, func(m string) string {
		n, err := strconv.Atoi(lineRef.FindStringSubmatch(m)[1])
		if err != nil || n < 1 || n > len(lines) {
			return m
		}
		key, _, ok := strings.Cut(strings.TrimSpace(lines[n-1]), ":")
		if !ok || key == "" || strings.ContainsAny(key, " []{}") {
			return m
		}
		return m + "key " + strings.TrimPrefix(key, "- ") + ": "
	})
}

// unknownKey rewords one unknownField match, listing the keys allowed there.
func unknownKey(m string) string {
	sub := unknownField.FindStringSubmatch(m)
	if sub[2] == "" {
		return fmt.Sprintf("unknown key %s (the keys are %s)", sub[1], strings.Join(Keys, ", "))
	}
	return fmt.Sprintf("unknown key %s (a network has url and root_key)", sub[1])
}

// yamlMessage turns yaml.v3's "yaml: line 3: ..." and multi-line
// "unmarshal errors" into one lowercase line per problem.
func yamlMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	lines := strings.Split(msg, "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
		lines[i] = strings.Replace(lines[i], "in type config.Config", "", 1)
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, "; ")
}

func bindFlags(v *viper.Viper, flags *pflag.FlagSet) error {
	if flags == nil {
		return nil
	}
	for name, key := range flagKeys {
		f := flags.Lookup(name)
		if f == nil || name == "json" {
			continue
		}
		if err := v.BindPFlag(key, f); err != nil {
			return fmt.Errorf("bind flag --%s: %w", name, err)
		}
	}
	return nil
}

// applyJSONFlag makes an explicit --json (or --json=false) set output to
// json (or text), overriding env and file.
func applyJSONFlag(cfg *Config, flags *pflag.FlagSet) {
	if flags == nil || flags.Lookup("json") == nil || !flags.Changed("json") {
		return
	}
	if on, err := flags.GetBool("json"); err == nil && on {
		cfg.Output = "json"
	} else {
		cfg.Output = "text"
	}
}

func mergeBuiltinNetworks(cfg *Config) {
	if cfg.Networks == nil {
		cfg.Networks = map[string]Network{}
	}
	for name, n := range DefaultConfig().Networks {
		if _, ok := cfg.Networks[name]; !ok {
			cfg.Networks[name] = n
		}
	}
}

func sourceOf(key string, flags *pflag.FlagSet, fileKeys map[string]bool) Source {
	if flags != nil {
		for name, k := range flagKeys {
			if k == key && flags.Lookup(name) != nil && flags.Changed(name) {
				return SourceFlag
			}
		}
	}
	if key != "networks" {
		if val, ok := os.LookupEnv(EnvPrefix + "_" + strings.ToUpper(key)); ok && val != "" {
			return SourceEnv
		}
	}
	if fileKeys[key] {
		return SourceFile
	}
	return SourceDefault
}
