package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/spf13/cobra"
)

// registryCacheBase is where registry stores live: <user cache
// dir>/nnspatch/registry, one subdirectory per network root key. Without a
// user cache dir the registry is kept in memory for one command.
func registryCacheBase() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "nnspatch", "registry")
}

func newCmdRegistry(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "registry <command>",
		Short: "Sync and inspect the local copy of the registry",
		Long: `Every registry read (subnets, versions, preflight, rollout, rollback, tui)
reads a local copy of the registry kept under the user cache dir, one
directory per network root key, and first fetches only the versions it lacks,
each verified against the NNS certificate. ` + "`registry sync`" + ` brings it up
to date explicitly; ` + "`registry status`" + ` shows what it holds.`,
	}
	cmd.AddCommand(newCmdRegistrySync(f, nil), newCmdRegistryStatus(f, nil))
	return cmd
}

func newCmdRegistrySync(f *Factory, runF func(*registryOptions) error) *cobra.Command {
	opts := newRegistryOptions(f)
	cmd := &cobra.Command{
		Use:     "sync",
		Short:   "Fetch the registry versions the local copy lacks",
		Long:    "Fetch the registry versions the local copy lacks with certified reads (progress on stderr), then print the version reached.",
		Example: "$ nnspatch registry sync\n$ nnspatch registry sync --json | jq .registry_version",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runOrRunF(opts, runF, func(o *registryOptions) error { return registrySyncRun(cmd.Context(), o) })
		},
	}
	addNetFlags(cmd, &opts.Net)
	return cmd
}

func registrySyncRun(ctx context.Context, o *registryOptions) error {
	c, err := o.Client(ctx, o.Net.RootKey)
	if err != nil {
		return err
	}
	start := time.Now()
	last := time.Time{}
	stats, err := c.SyncRegistry(ctx, func(version, latest uint64) {
		if time.Since(last) > 200*time.Millisecond || version >= latest {
			fmt.Fprintf(o.IO.ErrOut, "registry: version %d of %d\n", version, latest)
			last = time.Now()
		}
	})
	if stats.Rebuilt != "" {
		fmt.Fprintf(o.IO.ErrOut, "note: the registry cache was damaged (%s) and was rebuilt\n", stats.Rebuilt)
	}
	if err != nil {
		return err
	}
	doc := jsonout.RegistrySync{Envelope: jsonout.NewEnvelope(), RegistryVersion: stats.To, From: stats.From,
		Calls: stats.Calls, Bytes: stats.Bytes, Chunks: stats.Chunks, Seconds: time.Since(start).Seconds()}
	if o.JSON() {
		return jsonout.Write(o.IO.Out, doc)
	}
	_, err = fmt.Fprintf(o.IO.Out, "registry at version %d (fetched %d versions in %d calls, %d bytes)\n",
		doc.RegistryVersion, doc.RegistryVersion-doc.From, doc.Calls, doc.Bytes)
	return err
}

func newCmdRegistryStatus(f *Factory, runF func(*registryOptions) error) *cobra.Command {
	opts := newRegistryOptions(f)
	cmd := &cobra.Command{
		Use:     "status",
		Short:   "Show the local registry copy's version, size and last sync",
		Long:    "Show the local registry copy of the selected network without contacting the registry: latest version held, cache size, key count and last sync.",
		Example: "$ nnspatch registry status\n$ nnspatch registry status --json | jq .last_sync",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runOrRunF(opts, runF, func(o *registryOptions) error { return registryStatusRun(cmd.Context(), o) })
		},
	}
	addNetFlags(cmd, &opts.Net)
	return cmd
}

func registryStatusRun(ctx context.Context, o *registryOptions) error {
	c, err := o.Client(ctx, o.Net.RootKey)
	if err != nil {
		return err
	}
	st, err := c.RegistryStatus()
	if err != nil {
		return err
	}
	doc := jsonout.RegistryStatus{Envelope: jsonout.NewEnvelope(), Dir: st.Dir, RegistryVersion: st.Version,
		Bytes: st.Bytes, Keys: st.Keys}
	if !st.LastSync.IsZero() {
		doc.LastSync = &st.LastSync
	}
	if o.JSON() {
		return jsonout.Write(o.IO.Out, doc)
	}
	last := "never"
	if doc.LastSync != nil {
		last = doc.LastSync.Format(time.RFC3339)
	}
	dir := doc.Dir
	if dir == "" {
		dir = "(memory only: no user cache dir)"
	}
	_, err = fmt.Fprintf(o.IO.Out, "cache:     %s\nversion:   %d\nkeys:      %d\nsize:      %d bytes\nlast sync: %s\n",
		dir, doc.RegistryVersion, doc.Keys, doc.Bytes, last)
	return err
}
