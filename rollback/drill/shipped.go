package drill

import (
	"embed"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
)

// shipped holds the scenarios built into the binary.
//
//go:embed scenarios/*.yaml
var shipped embed.FS

// ErrUnknownScenario reports a scenario name that is neither shipped nor a
// file.
var ErrUnknownScenario = errors.New("unknown drill scenario")

// UnknownScenarioError names the scenario asked for and the shipped ones.
type UnknownScenarioError struct {
	// Name is what was asked for.
	Name string
	// Shipped are the names of the built-in scenarios.
	Shipped []string
}

// Error implements error.
func (e *UnknownScenarioError) Error() string {
	return fmt.Sprintf("no shipped drill scenario %q (shipped: %s)", e.Name, strings.Join(e.Shipped, ", "))
}

// Is reports whether target is ErrUnknownScenario.
func (e *UnknownScenarioError) Is(target error) bool { return target == ErrUnknownScenario }

// Shipped returns the scenarios built into the binary, sorted by name.
func Shipped() ([]*Scenario, error) {
	files, err := shipped.ReadDir("scenarios")
	if err != nil {
		return nil, err
	}
	var out []*Scenario
	for _, f := range files {
		b, err := shipped.ReadFile(path.Join("scenarios", f.Name()))
		if err != nil {
			return nil, err
		}
		s, err := Parse(b)
		if err != nil {
			return nil, fmt.Errorf("shipped scenario %s: %w", f.Name(), err)
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *Scenario) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// ShippedSource returns the YAML of the shipped scenario name, as shipped.
func ShippedSource(name string) ([]byte, error) {
	ss, err := Shipped()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range ss {
		names = append(names, s.Name)
	}
	b, err := shipped.ReadFile(path.Join("scenarios", name+".yaml"))
	if err != nil || !slices.Contains(names, name) {
		return nil, &UnknownScenarioError{Name: name, Shipped: names}
	}
	return b, nil
}

// LoadShipped parses the shipped scenario name.
func LoadShipped(name string) (*Scenario, error) {
	b, err := ShippedSource(name)
	if err != nil {
		return nil, err
	}
	return Parse(b)
}

// Open loads ref: a shipped scenario's name, or else a scenario file's path.
// A ref with no path separator and no extension is a name.
func Open(ref string) (*Scenario, error) {
	if !strings.ContainsAny(ref, `/\`) && path.Ext(ref) == "" {
		return LoadShipped(ref)
	}
	return Load(ref)
}
