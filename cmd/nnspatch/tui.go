package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"early.nnspatch.invalid/termquery"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/tui"
	"github.com/nnspatch/nnspatch/tui/pages/releases"
	rollbackpage "github.com/nnspatch/nnspatch/tui/pages/rollback"
	"github.com/spf13/cobra"
)

// ErrNoTerminal reports that the TUI was asked for without a terminal.
var ErrNoTerminal = errors.New("the terminal app needs a terminal on stdin and stdout")

type tuiOptions struct {
	env      *releaseEnv
	Releases []string
	Refresh  time.Duration
	Limit    int
	// LogFile overrides the log path (default <user cache dir>/nnspatch/tui.log).
	LogFile string
}

func newCmdTUI(f *Factory, runF func(*tuiOptions) error) *cobra.Command {
	opts := &tuiOptions{env: newReleaseEnv(f)}
	cmd := &cobra.Command{
		Use:   "tui",
		Short: "Open the terminal app",
		Long: `Open the terminal app: proposals with live tallies, a proposal's detail with
verify and vote, a security-patch election draft form, the releases page
(every release directory in releases_dir, and each --release) that follows
staged rollouts and plans, advances, halts, resumes and records disclosures, and the rollback page that
plans a release's rollback, submits it and follows it to completion (sharing
the release's rollback.json with nnspatch rollback). Running nnspatch with no
arguments on a terminal opens it too. Press ? inside for the keys.

The app logs to <user cache dir>/nnspatch/tui.log, never to the terminal.`,
		Example: `$ nnspatch tui --network local --neuron 80
$ nnspatch tui --release releases/2c4fdf9d2d53dffed97a40992b867120e89c9346`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Refresh <= 0 {
				return FlagErrorf("--refresh must be positive")
			}
			if runF != nil {
				return runF(opts)
			}
			return tuiRun(cmd.Context(), opts)
		},
	}
	opts.env.addFlags(cmd, true)
	opts.env.addHealthFlags(cmd.Flags())
	cmd.Flags().StringArrayVar(&opts.Releases, "release", nil, "release `dir` or version to follow besides those in releases_dir (repeatable)")
	cmd.Flags().DurationVar(&opts.Refresh, "refresh", 10*time.Second, "how often the data refreshes")
	cmd.Flags().IntVar(&opts.Limit, "limit", 500, "how many recent proposals the list loads")
	cmd.Flags().StringVar(&opts.LogFile, "log-file", "", "log `file` (default <user cache dir>/nnspatch/tui.log)")
	return cmd
}

// openTUILog opens the log file, creating its directory.
func openTUILog(path string) (*os.File, error) {
	if path == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("find the user cache dir: %w; pass --log-file", err)
		}
		path = filepath.Join(dir, "nnspatch", "tui.log")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create log dir: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open log file: %w", err)
	}
	return f, nil
}

func tuiRun(ctx context.Context, o *tuiOptions) error {
	longRunningGC()
	e := o.env
	if !e.IO.IsStdoutTTY() || !e.IO.IsStdinTTY() {
		return ErrNoTerminal
	}
	logf, err := openTUILog(o.LogFile)
	if err != nil {
		return err
	}
	defer logf.Close()
	deps, err := tuiDeps(ctx, o, logf)
	if err != nil {
		return err
	}
	// Only the terminal app asks the terminal for its background colour.
	out := e.IO.TerminalOut()
	termquery.Detect(out)
	p := tea.NewProgram(tui.New(deps), tea.WithAltScreen(), tea.WithContext(ctx),
		tea.WithInput(e.IO.In), tea.WithOutput(out))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return fmt.Errorf("run terminal app: %w", err)
	}
	return nil
}

// tuiDeps connects to the network and builds a tracker per release.
func tuiDeps(ctx context.Context, o *tuiOptions, logw io.Writer) (tui.Deps, error) {
	e := o.env
	cfg, err := e.f.Config()
	if err != nil {
		return tui.Deps{}, err
	}
	if e.Neuron == 0 {
		e.Neuron = cfg.Neuron
	}
	c, err := e.f.governanceClient(ctx, e.Net.RootKey)
	if err != nil {
		return tui.Deps{}, err
	}
	// The Draft page validates with the config's deny_words, as `draft` does.
	policy := cfg.Policy()
	d := tui.Deps{Gov: c, Network: networkLabel(c.Network), Mainnet: c.Network.IsMainnet(), Neuron: e.Neuron, Refresh: o.Refresh, Limit: o.Limit, Log: logw,
		NetworkNow: networkClock(c.Network), Policy: &policy}
	// The Detail page reads disclosures from the release ledgers, as
	// `proposal show` does.
	if dir, err := e.releasesDir(); err == nil {
		d.ReleasesDir = dir
	}
	if e.Neuron != 0 {
		d.Neurons = []uint64{e.Neuron}
	}
	stores, err := o.releaseStores()
	if err != nil {
		return tui.Deps{}, err
	}
	for _, s := range stores {
		t, err := e.tracker(ctx, s, e.Neuron != 0)
		if err != nil {
			return tui.Deps{}, err
		}
		name := filepath.Base(s.Dir)
		d.Releases = append(d.Releases, releases.Release{Name: name, Tracker: t, Neuron: e.Neuron, Plan: rollout.PlanRequest{Policy: cfg.RolloutPolicy}})
		d.Rollbacks = append(d.Rollbacks, rollbackpage.Release{Name: name,
			Source: &rollbackpage.ReleaseSource{Tracker: t, Client: c, Neuron: e.Neuron, ReleasesDir: d.ReleasesDir}})
	}
	return d, nil
}

// releaseStores are the --release directories, then every release
// directory in releases_dir (rollout.FindReleases: those made by `release
// new` and `release attach`), each once.
func (o *tuiOptions) releaseStores() ([]rollout.Store, error) {
	var out []rollout.Store
	seen := map[string]bool{}
	add := func(s rollout.Store) {
		abs, err := filepath.Abs(s.Dir)
		if err != nil {
			abs = s.Dir
		}
		if !seen[abs] {
			seen[abs] = true
			out = append(out, s)
		}
	}
	for _, ref := range o.Releases {
		s, err := o.env.store(ref)
		if err != nil {
			return nil, err
		}
		add(s)
	}
	if dir, err := o.env.releasesDir(); err == nil {
		found, err := rollout.FindReleases(dir)
		if err != nil {
			return nil, fmt.Errorf("list the releases in %s: %w", dir, err)
		}
		for _, s := range found {
			add(s)
		}
	}
	return out, nil
}

func networkLabel(n governance.Network) string {
	if n.Name == n.URL {
		return n.URL
	}
	return n.Name + " " + n.URL
}
