package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
)

// benchRegistryVersions is the registry length of the benchmark network.
const benchRegistryVersions = 50_000

// BenchmarkRegistryWarmSubnets runs the nnspatch binary against a local
// network seeded with 1 and with 50,000 registry versions: one first `registry sync`
// (logged: time, calls, bytes), one warm sync (logged), then, side by side
// in each iteration, `nnspatch version`, a warm `nnspatch subnets` and, for
// reference, `nnspatch proposals list --limit 1` (one plain network read).
// It reports each in ms/op and subnets/version (goal: <= 1.5).
//
//	go test ./cmd/nnspatch/ -run '^$' -bench RegistryWarmSubnets -benchtime 20x -v
func BenchmarkRegistryWarmSubnets(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "nnspatch")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	for _, versions := range []int{1, benchRegistryVersions} {
		b.Run(fmt.Sprintf("versions=%d", versions), func(b *testing.B) { benchWarmSubnets(b, bin, versions) })
	}
}

// benchWarmSubnets is BenchmarkRegistryWarmSubnets on a registry of the
// given length.
func benchWarmSubnets(b *testing.B, bin string, versions int) {
	tmp := b.TempDir()
	seed := localnet.DefaultSeed()
	seed.Registry = &localnet.RegistrySeed{Versions: versions}
	net := localnettest.Start(b, localnettest.WithSeed(seed))
	env := append(os.Environ(), "XDG_CACHE_HOME="+filepath.Join(tmp, "cache"), "NNSPATCH_CONFIG_HOME="+filepath.Join(tmp, "config"))
	netArgs := []string{"--network", net.URL(), "--root-key", "fetch"}
	run := func(args ...string) []byte {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("nnspatch %v: %v", args, err)
		}
		return out
	}
	sync := func(label string) {
		var doc jsonout.RegistrySync
		start := time.Now()
		if err := json.Unmarshal(run(append([]string{"registry", "sync", "--json"}, netArgs...)...), &doc); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s sync: version %d -> %d, %d calls, %d bytes, %.0f ms in process, %.0f ms wall",
			label, doc.From, doc.RegistryVersion, doc.Calls, doc.Bytes, doc.Seconds*1000, float64(time.Since(start).Microseconds())/1000)
		if doc.RegistryVersion != uint64(versions) {
			b.Fatalf("synced to %d, want %d", doc.RegistryVersion, versions)
		}
	}
	sync("first")
	sync("warm")
	run("version")
	run(append([]string{"subnets"}, netArgs...)...)
	var version, subnets, proposals time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		run("version")
		version += time.Since(start)
		start = time.Now()
		run(append([]string{"subnets"}, netArgs...)...)
		subnets += time.Since(start)
		start = time.Now()
		run(append([]string{"proposals", "list", "--limit", "1"}, netArgs...)...)
		proposals += time.Since(start)
	}
	b.StopTimer()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(ms(version), "ms/version")
	b.ReportMetric(ms(subnets), "ms/subnets")
	b.ReportMetric(ms(proposals), "ms/proposals")
	b.ReportMetric(float64(subnets)/float64(version), "subnets/version")
}
