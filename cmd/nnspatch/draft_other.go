package main

import (
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/nnspatch/nnspatch/proposals"
	"github.com/spf13/cobra"
)

type draftUpgradeCanisterOptions struct {
	*draftCommon
	Canister         string
	WasmFile         string
	ArgFile          string
	InstallMode      string
	SkipStopping     bool
	ReleaseNotesFile string
}

func newCmdDraftUpgradeCanister(f *Factory, runF func(*draftUpgradeCanisterOptions) error) *cobra.Command {
	opts := &draftUpgradeCanisterOptions{draftCommon: newDraftCommon(f)}
	cmd := &cobra.Command{
		Use:   "upgrade-canister --canister <id> --wasm <file> [--arg-file <file>] -o <file>",
		Short: "Draft an NNS canister upgrade",
		Long: `Draft an InstallCode proposal for an NNS canister. The draft refers to the wasm
module by path (relative to the draft file) and records its SHA-256; in security
mode that hash is what the community verifies once the source is disclosed.
--arg-file holds the Candid-encoded upgrade argument as raw bytes.` + deployExitCodes,
		Example: `$ nnspatch draft upgrade-canister --security --canister rwlgt-iiaaa-aaaaa-aaaaa-cai \
    --wasm registry-canister.wasm.gz -o upgrade.yaml
$ nnspatch draft upgrade-canister --canister rrkah-fqaaa-aaaaa-aaaaq-cai --wasm governance.wasm.gz \
    --arg-file arg.bin --mode upgrade --release-notes-file notes.md -o upgrade.yaml`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.check(); err != nil {
				return err
			}
			if opts.Canister == "" || opts.WasmFile == "" {
				return FlagErrorf("--canister and --wasm are required")
			}
			if _, err := proposals.ParseInstallMode(opts.InstallMode); err != nil {
				return FlagErrorf("--mode: %v", err)
			}
			return runOrRunF(opts, runF, draftUpgradeCanisterRun)
		},
	}
	opts.addFlags(cmd.Flags(), true)
	fl := cmd.Flags()
	fl.StringVar(&opts.Canister, "canister", "", "NNS canister `id` to upgrade")
	fl.StringVar(&opts.WasmFile, "wasm", "", "wasm module `file` (.wasm or .wasm.gz)")
	fl.StringVar(&opts.ArgFile, "arg-file", "", "`file` with the Candid-encoded upgrade argument (raw bytes)")
	fl.StringVar(&opts.InstallMode, "mode", "upgrade", "install mode: install, reinstall or upgrade")
	fl.BoolVar(&opts.SkipStopping, "skip-stopping", false, "upgrade without stopping the canister first")
	fl.StringVar(&opts.ReleaseNotesFile, "release-notes-file", "", "markdown `file` with release notes (regular mode)")
	return cmd
}

func draftUpgradeCanisterRun(o *draftUpgradeCanisterOptions) error {
	texts, err := o.texts()
	if err != nil {
		return err
	}
	code, err := o.installCode()
	if err != nil {
		return err
	}
	uo := proposals.UpgradeCanisterOptions{Texts: texts, Mode: o.mode(), Code: code}
	if o.ReleaseNotesFile != "" {
		b, err := os.ReadFile(o.ReleaseNotesFile)
		if err != nil {
			return fmt.Errorf("read --release-notes-file: %w", err)
		}
		uo.ReleaseNotes = string(b)
	}
	d, err := proposals.NewUpgradeCanister(uo)
	if err != nil {
		return fmt.Errorf("draft upgrade-canister: %w", err)
	}
	return o.write(d)
}

// installCode reads the wasm module and argument and records the module's
// path relative to the draft file's directory.
func (o *draftUpgradeCanisterOptions) installCode() (proposals.InstallCode, error) {
	mode, _ := proposals.ParseInstallMode(o.InstallMode)
	wasm, err := os.ReadFile(o.WasmFile)
	if err != nil {
		return proposals.InstallCode{}, fmt.Errorf("read --wasm module: %w", err)
	}
	code := proposals.InstallCode{CanisterID: o.Canister, InstallMode: mode, Wasm: wasm,
		WasmPath: relativeTo(filepath.Dir(o.Output), o.WasmFile), SkipStoppingBeforeInstalling: o.SkipStopping}
	if o.ArgFile != "" {
		arg, err := os.ReadFile(o.ArgFile)
		if err != nil {
			return code, fmt.Errorf("read --arg-file: %w", err)
		}
		code.ArgHex = hex.EncodeToString(arg)
	}
	return code, nil
}

// relativeTo returns target relative to dir when possible, else absolute.
func relativeTo(dir, target string) string {
	absDir, err1 := filepath.Abs(dir)
	absTarget, err2 := filepath.Abs(target)
	if err1 != nil || err2 != nil {
		return target
	}
	if rel, err := filepath.Rel(absDir, absTarget); err == nil {
		return rel
	}
	return absTarget
}

type draftMotionOptions struct {
	*draftCommon
	Text     string
	TextFile string
}

func newCmdDraftMotion(f *Factory, runF func(*draftMotionOptions) error) *cobra.Command {
	opts := &draftMotionOptions{draftCommon: newDraftCommon(f)}
	cmd := &cobra.Command{
		Use:   "motion (--text <text> | --text-file <file>) --title <title> -o <file>",
		Short: "Draft a motion proposal",
		Long:  "Draft a Motion proposal: text only, nothing executes when it is adopted." + deployExitCodes,
		Example: `$ nnspatch draft motion --title "Adopt the rollback drill schedule" --text "Run a drill monthly." \
    --summary-file motion.md --forum-url https://forum.dfinity.org/t/123 -o motion.yaml`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.check(); err != nil {
				return err
			}
			if (opts.Text == "") == (opts.TextFile == "") {
				return FlagErrorf("pass exactly one of --text and --text-file")
			}
			return runOrRunF(opts, runF, draftMotionRun)
		},
	}
	opts.addFlags(cmd.Flags(), false)
	cmd.Flags().StringVar(&opts.Text, "text", "", "motion text")
	cmd.Flags().StringVar(&opts.TextFile, "text-file", "", "`file` with the motion text")
	return cmd
}

func draftMotionRun(o *draftMotionOptions) error {
	texts, err := o.texts()
	if err != nil {
		return err
	}
	text := o.Text
	if o.TextFile != "" {
		b, err := os.ReadFile(o.TextFile)
		if err != nil {
			return fmt.Errorf("read --text-file: %w", err)
		}
		text = string(b)
	}
	return o.write(proposals.NewMotion(text, texts))
}
