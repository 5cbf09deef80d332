package proposals

import (
	"fmt"
	"strings"
	"text/template"
)

// Security Patch Policy facts used by the security-mode texts (domain.md
// §5.3–§5.4).
const (
	// SecurityPolicyProposal is the NNS proposal that adopted the Security
	// Patch Policy and Procedure.
	SecurityPolicyProposal = 48792
	// DisclosureDays is the longest the source of a security patch may stay
	// private after the patch reached every subnet.
	DisclosureDays = 10
)

// Templates overrides the built-in title and summary templates by name (the
// Tpl… constants). Missing names use the built-in text; a nil Templates is
// all defaults. Templates are Go text/template texts over TemplateData, with
// a `join` function (join <list> <sep>).
type Templates map[string]string

// DefaultTemplates returns a copy of the built-in templates, e.g. to write
// them out for a user to edit.
func DefaultTemplates() Templates {
	t := Templates{}
	for k, v := range defaultTemplateTexts {
		t[k] = v
	}
	return t
}

// TemplateData is what the templates can refer to.
type TemplateData struct {
	OS             string   // "GuestOS" or "HostOS"
	Version        string   // version to elect or deploy (40 hex)
	Short          string   // first 8 characters of Version
	Revision       string   // first 7 characters of Version, as DFINITY's election titles show it
	SHA256         string   // release package SHA-256
	URLs           []string // release package URLs
	Measurements   int      // number of launch measurements
	Unelect        []string // versions to unelect
	UnelectShort   []string // their first 8 characters
	ReleaseTag     string   // e.g. release-2026-07-23_04-21-base
	ReleaseNotes   string   // markdown release notes (regular mode)
	ReproFlag      string   // --guestos or --hostos
	SubnetID       string
	NodeIDs        []string
	NodeCount      int
	CanisterID     string
	CanisterName   string // well-known name of CanisterID, or the id
	InstallMode    string
	WasmSHA256     string
	WasmShort      string // first 16 characters of WasmSHA256
	ArgSHA256      string
	PolicyProposal int // SecurityPolicyProposal
	DisclosureDays int // DisclosureDays
}

// Execute renders the named template with data.
func (t Templates) Execute(name string, data TemplateData) (string, error) {
	text, ok := t[name]
	if !ok {
		if text, ok = defaultTemplateTexts[name]; !ok {
			return "", fmt.Errorf("render template %s: no such template", name)
		}
	}
	policy, ok := t[TplSecurityPolicy]
	if !ok {
		policy = tplSecurityPolicy
	}
	data.PolicyProposal, data.DisclosureDays = SecurityPolicyProposal, DisclosureDays
	tpl := template.New(name).Funcs(template.FuncMap{"join": strings.Join}).Option("missingkey=error")
	for _, part := range []string{tplRelease, `{{define "policy"}}` + policy + `{{end}}`, text} {
		if _, err := tpl.Parse(part); err != nil {
			return "", fmt.Errorf("parse template %s: %w", name, err)
		}
	}
	var b strings.Builder
	if err := tpl.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("render template %s: %w", name, err)
	}
	return strings.TrimSpace(b.String()) + trailingNewline(name), nil
}

// trailingNewline keeps summaries newline-terminated and titles single-line.
func trailingNewline(name string) string {
	if strings.HasSuffix(name, ".summary") {
		return "\n"
	}
	return ""
}

// Texts are the title, summary and forum link a builder may take as given
// instead of rendering them.
type Texts struct {
	Title     string    // overrides the rendered title when not empty
	Summary   string    // overrides the rendered summary when not empty
	ForumURL  string    // the forum post (https://forum.dfinity.org/...)
	Templates Templates // overrides built-in templates by name
}

// render fills d's title and summary from the named templates unless the
// texts override them.
func (x Texts) render(d *Draft, titleTpl, summaryTpl string, data TemplateData) error {
	d.URL = x.ForumURL
	d.Title, d.Summary = x.Title, x.Summary
	var err error
	if d.Title == "" {
		if d.Title, err = x.Templates.Execute(titleTpl, data); err != nil {
			return err
		}
	}
	if d.Summary == "" {
		d.Summary, err = x.Templates.Execute(summaryTpl, data)
	}
	return err
}

// DefaultPackageURLs returns the two CDN locations DFINITY publishes an IC OS
// update image at (domain.md §5.1); os is "guest-os" or "host-os".
func DefaultPackageURLs(os, commit string) []string {
	path := "/ic/" + commit + "/" + os + "/update-img/update-img.tar.zst"
	return []string{"https://download.dfinity.systems" + path, "https://download.dfinity.network" + path}
}
