package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/spf13/cobra"
)

// jsonDocs is the --json contract: each command that prints a document,
// by its path under nnspatch, and the jsonout type the document decodes
// into. A command that prints JSON must be listed here (or in noJSONDoc);
// TestJSONContract runs every command listed.
var jsonDocs = map[string]func() any{
	"artifact check":                  func() any { return new(jsonout.ArtifactCheck) },
	"artifact hash":                   func() any { return new(jsonout.ArtifactHash) },
	"config path":                     func() any { return new(jsonout.ConfigPath) },
	"config show":                     func() any { return new(jsonout.ConfigShow) },
	"draft deploy-guestos":            func() any { return new(jsonout.DraftWritten) },
	"draft deploy-hostos":             func() any { return new(jsonout.DraftWritten) },
	"draft deploy-api-boundary-nodes": func() any { return new(jsonout.DraftWritten) },
	"nodes":                           func() any { return new(jsonout.Nodes) },
	"api-boundary-nodes":              func() any { return new(jsonout.Nodes) },
	"draft deploy-unassigned":         func() any { return new(jsonout.DraftWritten) },
	"draft elect-guestos":             func() any { return new(jsonout.DraftWritten) },
	"draft elect-hostos":              func() any { return new(jsonout.DraftWritten) },
	"draft motion":                    func() any { return new(jsonout.DraftWritten) },
	"draft upgrade-canister":          func() any { return new(jsonout.DraftWritten) },
	"drill list":                      func() any { return new(jsonout.DrillList) },
	"drill run":                       func() any { return new(jsonout.DrillReport) },
	"identity whoami":                 func() any { return new(jsonout.Whoami) },
	"localnet advance":                func() any { return new(jsonout.Localnet) },
	"localnet fault":                  func() any { return new(jsonout.Localnet) },
	"localnet start":                  func() any { return new(jsonout.Localnet) },
	"neuron follow":                   func() any { return new(jsonout.NeuronUpdate) },
	"neuron list":                     func() any { return new(jsonout.NeuronList) },
	"neuron refresh-voting-power":     func() any { return new(jsonout.NeuronUpdate) },
	"neuron show":                     func() any { return new(jsonout.NeuronShow) },
	"proposal list":                   func() any { return new(jsonout.ProposalList) },
	"proposal render":                 func() any { return new(jsonout.ProposalRender) },
	"proposal show":                   func() any { return new(jsonout.ProposalShow) },
	"proposal submit":                 func() any { return new(jsonout.Submit) },
	"proposal validate":               func() any { return new(jsonout.ProposalValidate) },
	"proposal wait":                   func() any { return new(jsonout.ProposalWait) },
	"registry status":                 func() any { return new(jsonout.RegistryStatus) },
	"registry sync":                   func() any { return new(jsonout.RegistrySync) },
	"release attach":                  func() any { return new(jsonout.ReleaseAttach) },
	"release disclose":                func() any { return new(jsonout.ReleaseDisclosure) },
	"release log":                     func() any { return new(jsonout.Release) },
	"release new":                     func() any { return new(jsonout.Release) },
	"release status":                  func() any { return new(jsonout.RolloutStatus) },
	"release submit":                  func() any { return new(jsonout.Submitted) },
	"rollback plan":                   func() any { return new(jsonout.RollbackPlan) },
	"rollback status":                 func() any { return new(jsonout.RollbackStatus) },
	"rollback submit":                 func() any { return new(jsonout.RollbackStatus) },
	"rollout advance":                 func() any { return new(jsonout.Submitted) },
	"rollout halt":                    func() any { return new(jsonout.RolloutHalt) },
	"rollout plan":                    func() any { return new(jsonout.RolloutPlan) },
	"rollout resume":                  func() any { return new(jsonout.RolloutHalt) },
	"rollout status":                  func() any { return new(jsonout.RolloutStatus) },
	"send":                            func() any { return new(jsonout.Send) },
	"subnets":                         func() any { return new(jsonout.Subnets) },
	"verify":                          func() any { return new(jsonout.Verify) },
	"version":                         func() any { return new(jsonout.Version) },
	"version show":                    func() any { return new(jsonout.VersionShow) },
	"versions":                        func() any { return new(jsonout.Versions) },
	"vote":                            func() any { return new(jsonout.Votes) },
}

// signOnlyDocs are the commands that print a jsonout.SignedFile instead of
// their jsonDocs type when run with --sign-only.
var signOnlyDocs = map[string]bool{"vote": true, "proposal submit": true}

// noJSONDoc lists the runnable commands that print no JSON document, and why.
var noJSONDoc = map[string]string{
	"":                "the root command starts the TUI",
	"tui":             "an interactive terminal program",
	"completion":      "prints a shell script",
	"config init":     "prints the path of the file it wrote",
	"release abandon": "prints nothing on stdout; the ledger records the abandonment",
	"release vote":    "prints nothing on stdout; the ledger records the ballot",
}

// TestJSONDocsCoverEveryCommand walks the command tree: every runnable
// command (all of them take the global --json) is either in jsonDocs or
// says in noJSONDoc why it prints no document, so a new command cannot
// skip the contract.
func TestJSONDocsCoverEveryCommand(t *testing.T) {
	seen := map[string]bool{}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		path := commandPath(c)
		if c.Runnable() && c.Flags().Lookup("json") != nil {
			seen[path] = true
			_, doc := jsonDocs[path]
			_, none := noJSONDoc[path]
			if doc == none {
				t.Errorf("command %q has --json: list its jsonout type in jsonDocs (or why it prints none in noJSONDoc)", path)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(NewCmdRoot(NewFactory(nil)))
	for path := range jsonDocs {
		if !seen[path] {
			t.Errorf("jsonDocs lists %q, which is not a command with --json", path)
		}
	}
	for path := range noJSONDoc {
		if !seen[path] {
			t.Errorf("noJSONDoc lists %q, which is not a command with --json", path)
		}
	}
}

// commandPath is a command's path under the root ("" for the root).
func commandPath(c *cobra.Command) string {
	return strings.TrimPrefix(strings.TrimPrefix(c.CommandPath(), "nnspatch"), " ")
}

// decodeStrict decodes out as exactly one document of the type jsonDocs
// lists for path: unknown fields, trailing data and a missing schema
// version fail.
func decodeStrict(t *testing.T, path, out string, signOnly bool) any {
	t.Helper()
	newDoc, ok := jsonDocs[path]
	if !ok {
		t.Fatalf("no jsonout type for %q in jsonDocs", path)
	}
	doc := newDoc()
	if signOnly && signOnlyDocs[path] {
		doc = new(jsonout.SignedFile)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(doc); err != nil {
		t.Fatalf("%s --json does not decode strictly into %T: %v\n%s", path, doc, err, out)
	}
	if dec.More() {
		t.Fatalf("%s --json printed more than one document:\n%s", path, out)
	}
	var env jsonout.Envelope
	if err := json.Unmarshal([]byte(out), &env); err != nil || env.SchemaVersion != jsonout.SchemaVersion {
		t.Fatalf("%s --json: schema_version %d (%v), want %d", path, env.SchemaVersion, err, jsonout.SchemaVersion)
	}
	return doc
}

// contract runs commands with --json and records which it decoded.
type contract struct {
	t       *testing.T
	root    *cobra.Command
	covered map[string]bool
}

// run runs nnspatch args --json, wants exit code, decodes stdout strictly
// and returns the document.
func (c *contract) run(code ExitCode, args ...string) any {
	c.t.Helper()
	cmd, _, err := c.root.Find(args)
	if err != nil {
		c.t.Fatalf("find %v: %v", args, err)
	}
	path := commandPath(cmd)
	start := time.Now()
	r := mustRun(c.t, code, append(args, "--json")...)
	c.t.Logf("%s: %s", path, time.Since(start).Round(time.Millisecond))
	doc := decodeStrict(c.t, path, r.Stdout, slices.Contains(args, "--sign-only"))
	c.covered[path] = true
	return doc
}

// TestJSONContract runs every command of jsonDocs against a local network
// (and offline where it needs none) and decodes each --json document into
// its jsonout type with unknown fields refused; it fails if a command of
// jsonDocs was not run.
func TestJSONContract(t *testing.T) {
	n := releaseNet(t)
	c := &contract{t: t, root: NewCmdRoot(NewFactory(nil)), covered: map[string]bool{}}
	dir := t.TempDir()

	c.run(0, "version")
	vs := c.run(0, "versions").(*jsonout.Versions)
	if len(vs.GuestOS) == 0 {
		t.Fatal("versions lists no GuestOS version")
	}
	c.run(0, "version", "show", vs.GuestOS[0].ID)
	sn := c.run(0, "subnets").(*jsonout.Subnets)
	if len(sn.Subnets) == 0 {
		t.Fatal("subnets lists none")
	}
	subnet := sn.Subnets[0].ID
	c.run(0, "nodes", "--subnet", subnet)
	bns := c.run(0, "api-boundary-nodes").(*jsonout.Nodes)
	if len(bns.Nodes) == 0 {
		t.Fatal("api-boundary-nodes lists none")
	}
	c.run(0, "draft", "deploy-api-boundary-nodes", "--version", testCommit, "--node", bns.Nodes[0].ID, "-o", filepath.Join(dir, "deploy-apibn.yaml"))
	c.run(0, "config", "show")
	c.run(0, "config", "path")
	c.run(0, "identity", "whoami")
	c.run(0, "registry", "sync")
	c.run(0, "registry", "status")
	c.run(0, "neuron", "list")
	c.run(0, "neuron", "show", "80")
	c.run(0, "neuron", "follow", "--neuron", "81", "--topic", "12", "--followee", "80", "--yes")
	c.run(0, "neuron", "refresh-voting-power", "--neuron", "80", "--yes")

	contractDrafts(c, dir, subnet)
	motion := filepath.Join(dir, "motion.yaml")
	c.run(0, "proposal", "validate", motion)
	c.run(0, "proposal", "render", motion)
	sub := c.run(0, "proposal", "submit", motion, "--neuron", "81", "--yes").(*jsonout.Submit)
	id := strconv.FormatUint(sub.ProposalID, 10)
	c.run(0, "vote", id, "yes", "--neuron", "80", "--yes")
	c.run(0, "proposal", "show", id)
	c.run(0, "proposal", "list")
	other := c.run(0, "proposal", "submit", filepath.Join(dir, "motion2.yaml"), "--neuron", "81", "--yes").(*jsonout.Submit)
	signed := filepath.Join(dir, "vote.json")
	c.run(0, "vote", strconv.FormatUint(other.ProposalID, 10), "no", "--neuron", "80", "--sign-only", signed)
	if _, err := n.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	c.run(0, "send", signed, "--yes")

	contractRelease(c, dir)
	c.run(0, "localnet", "advance", "1m", "--url", n.URL())
	c.run(0, "localnet", "fault", testVersion, "--subnet", subnet, "--url", n.URL())
	c.run(0, "drill", "list")
	c.run(0, "drill", "run", "stall-early-batch")
	contractLocalnetStart(c)

	var missing []string
	for path := range jsonDocs {
		if !c.covered[path] {
			missing = append(missing, path)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("TestJSONContract ran no %v with --json: add a run for each", missing)
	}
}

// contractDrafts writes one draft of every kind.
func contractDrafts(c *contract, dir, subnet string) {
	c.t.Helper()
	wasm := writeTestFile(c.t, dir, "canister.wasm", genBytes(1000))
	pkg := writeTestFile(c.t, dir, "update-img.tar.zst", genBytes(1000))
	out := func(name string) string { return filepath.Join(dir, name) }
	c.run(0, "draft", "motion", "--text", "a motion", "--title", "Motion: contract", "-o", out("motion.yaml"))
	c.run(0, "draft", "motion", "--text", "another motion", "--title", "Motion: contract 2", "-o", out("motion2.yaml"))
	c.run(0, "draft", "deploy-guestos", "--subnet", subnet, "--version", testCommit, "-o", out("deploy-guestos.yaml"))
	c.run(0, "draft", "deploy-unassigned", "--version", testCommit, "-o", out("deploy-unassigned.yaml"))
	c.run(0, "draft", "deploy-hostos", "--version", testCommit, "--node", subnet, "-o", out("deploy-hostos.yaml"))
	c.run(0, "draft", "elect-guestos", "--version", testCommit, "--sha256", testSHA, "--measurements-waiver", "test build", "-o", out("elect-guestos.yaml"))
	c.run(0, "draft", "elect-hostos", "--version", testCommit, "--sha256", testSHA, "-o", out("elect-hostos.yaml"))
	c.run(0, "draft", "upgrade-canister", "--canister", "rwlgt-iiaaa-aaaaa-aaaaa-cai", "--wasm", wasm, "-o", out("upgrade.yaml"))
	c.run(0, "artifact", "hash", pkg)
	c.run(0, "artifact", "check", "--sha256", testSHA, pkg)
}

// contractRelease drives a security release far enough for every release,
// rollout and rollback command to print its document.
func contractRelease(c *contract, dir string) {
	t := c.t
	t.Helper()
	pkg := filepath.Join(dir, "guestos.tar.zst")
	if err := os.WriteFile(pkg, []byte(strings.Repeat("guestos security patch ", 40000)), 0o644); err != nil {
		t.Fatal(err)
	}
	rel := filepath.Join(dir, "releases", patchVersion)
	c.run(0, "release", "new", "--security", "--version", patchVersion, "--artifact", pkg,
		"--measurements-waiver", "test build without SEV measurements", "--forum-url", "https://forum.dfinity.org/t/security-patch/3", "--dir", rel)
	sub := c.run(0, "release", "submit", rel, "--yes").(*jsonout.Submitted)
	if len(sub.Submitted) != 1 {
		t.Fatalf("release submit: %+v", sub.Submitted)
	}
	election := strconv.FormatUint(sub.Submitted[0].Proposal, 10)
	c.run(0, "proposal", "wait", election)
	c.run(0, "verify", election, "--artifact", pkg)
	c.run(0, "release", "status", rel)
	c.run(0, "release", "log", rel)
	plan := filepath.Join(dir, "plan.yaml")
	c.run(0, "rollout", "plan", rel, "--policy", "continuous", "--batch-size", "2", "--bake", "15m", "-o", plan)
	c.run(0, "rollout", "advance", rel, "--yes")
	c.run(0, "rollout", "status", rel)
	c.run(0, "rollout", "halt", rel, "--reason", "contract test", "--yes")
	c.run(0, "rollout", "resume", rel, "--reason", "contract test over", "--yes")
	c.run(0, "release", "attach", patchVersion, "--dir", filepath.Join(dir, "attached", patchVersion), "--plan", plan)
	c.run(0, "rollback", "plan", "--release", rel, "--all-targets")
	c.run(0, "rollback", "submit", "--release", rel, "--all-targets", "--yes")
	c.run(0, "rollback", "status", "--release", rel)
	c.run(0, "release", "disclose", rel, "--source-url", "https://github.com/dfinity/ic/tree/"+patchVersion, "--force", "--reason", "contract test", "--yes")
}

// contractLocalnetStart runs `localnet start --json` as a process (it
// serves until stopped), decodes the document it prints first and stops it.
func contractLocalnetStart(c *contract) {
	t := c.t
	t.Helper()
	dir := t.TempDir()
	// TestMain (testscript.RunMain) put this test binary on PATH as nnspatch.
	bin, err := exec.LookPath("nnspatch")
	if err != nil {
		t.Fatalf("nnspatch is not on PATH (TestMain puts it there): %v", err)
	}
	cmd := exec.Command(bin, "localnet", "start", "--state", filepath.Join(dir, "state"), "--listen", "127.0.0.1:0", "--json")
	cmd.Env = append(os.Environ(), "NNSPATCH_CONFIG_HOME="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	// The document is the first JSON value on stdout; read up to its
	// closing brace at the start of a line.
	var doc strings.Builder
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		fmt.Fprintln(&doc, sc.Text())
		if sc.Text() == "}" {
			break
		}
	}
	decodeStrict(t, "localnet start", doc.String(), false)
	c.covered["localnet start"] = true
}
