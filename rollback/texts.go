package rollback

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"text/template"

	"github.com/nnspatch/nnspatch/proposals"
)

// Template names a caller may override in Templates.
const (
	TplDeployTitle       = "rollback.deploy.title"
	TplDeploySummary     = "rollback.deploy.summary"
	TplUnassignedTitle   = "rollback.unassigned.title"
	TplUnassignedSummary = "rollback.unassigned.summary"
	TplReelectTitle      = "rollback.reelect.title"
	TplReelectSummary    = "rollback.reelect.summary"
)

// Templates overrides the built-in rollback texts by name; missing names
// use the built-in text. They are Go text/template texts over TextData.
type Templates map[string]string

// TextData is what the rollback templates can refer to.
type TextData struct {
	// Subnet is the subnet rolled back (deploy).
	Subnet string
	// Version is the version restored or re-elected; Short its first 8 characters.
	Version, Short string
	// Failed is the patch version; security-mode texts must not use it.
	Failed string
	// Problem says what failed.
	Problem string
	// Security reports a security-mode release.
	Security bool
	// SHA256 and URLs describe a re-elected release package.
	SHA256 string
	URLs   []string
	// Measurements counts a re-elected release's launch measurements.
	Measurements int
	// Subnets lists the subnets the re-elected version is restored to.
	Subnets []string
	// Nodes lists the API boundary nodes rolled back.
	Nodes []string
}

// The built-in texts. Security mode names neither the patch's commit nor
// the fix: it says what broke and what is restored.
const (
	tplDeployTitle   = `Roll back subnet {{.Subnet}} to GuestOS version {{.Version}}`
	tplDeploySummary = `Roll subnet ` + "`{{.Subnet}}`" + ` back to GuestOS version [{{.Version}}](https://dashboard.internetcomputer.org/release/{{.Version}}), the version it ran before its last update.

What failed: {{.Problem}}
{{if .Security}}
The update was part of a security patch rollout; the rollout is halted and this subnet returns to its previous version while the patch is reworked.
{{else}}
The update to GuestOS version {{.Failed}} is being rolled back; its rollout is halted.
{{end}}
What is restored: the subnet's replicas switch to {{.Short}} at the subnet's next catch-up package.`

	tplUnassignedTitle   = `Roll back the unassigned nodes to GuestOS version {{.Version}}`
	tplUnassignedSummary = `Configure the unassigned nodes for GuestOS version [{{.Version}}](https://dashboard.internetcomputer.org/release/{{.Version}}) again, the version they ran before their last update.

What failed: {{.Problem}}

What is restored: nodes that join a subnet start from {{.Short}} again.`

	tplReelectTitle   = `Re-elect GuestOS version {{.Version}} for a rollback`
	tplReelectSummary = `Elect GuestOS version [{{.Version}}](https://dashboard.internetcomputer.org/release/{{.Version}}) again so that {{len .Subnets}} subnet(s) can roll back to it; it was unelected after they left it.

What failed: {{.Problem}}

What is restored: the release package it was elected with before, unchanged:
- SHA-256: ` + "`{{.SHA256}}`" + `
{{range .URLs}}- {{.}}
{{end}}- launch measurements: {{.Measurements}}

Subnets to roll back once it is elected: {{join .Subnets ", "}}.`
)

var defaultTexts = map[string]string{
	TplDeployTitle: tplDeployTitle, TplDeploySummary: tplDeploySummary,
	TplUnassignedTitle: tplUnassignedTitle, TplUnassignedSummary: tplUnassignedSummary,
	TplReelectTitle: tplReelectTitle, TplReelectSummary: tplReelectSummary,
}

// Validate reports an override whose name is not a rollback template, or
// whose text does not parse.
func (t Templates) Validate() error {
	for name, text := range t {
		if _, ok := defaultTexts[name]; !ok {
			names := make([]string, 0, len(defaultTexts))
			for k := range defaultTexts {
				names = append(names, k)
			}
			slices.Sort(names)
			return fmt.Errorf("rollback template %q: no such template; override one of %s", name, strings.Join(names, ", "))
		}
		if _, err := template.New(name).Funcs(template.FuncMap{"join": strings.Join}).Parse(text); err != nil {
			return fmt.Errorf("rollback template %s: %w", name, err)
		}
	}
	return nil
}

// Execute renders the named template with data.
func (t Templates) Execute(name string, data TextData) (string, error) {
	text, ok := t[name]
	if !ok {
		if text, ok = defaultTexts[name]; !ok {
			return "", fmt.Errorf("render template %s: no such template", name)
		}
	}
	tpl, err := template.New(name).Funcs(template.FuncMap{"join": strings.Join}).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", fmt.Errorf("parse template %s: %w", name, err)
	}
	var b strings.Builder
	if err := tpl.Execute(&b, data); err != nil {
		return "", fmt.Errorf("render template %s: %w", name, err)
	}
	out := strings.TrimSpace(b.String())
	if strings.HasSuffix(name, ".summary") {
		out += "\n"
	}
	return out, nil
}

// texts renders a title and summary pair.
func (t Templates) texts(titleTpl, summaryTpl string, data TextData) (proposals.Texts, error) {
	title, err := t.Execute(titleTpl, data)
	if err != nil {
		return proposals.Texts{}, err
	}
	summary, err := t.Execute(summaryTpl, data)
	return proposals.Texts{Title: title, Summary: summary, Templates: nil}, err
}

func short(v string) string {
	if len(v) > 8 {
		return v[:8]
	}
	return v
}

// commitRE matches a full or abbreviated commit id.
var commitRE = regexp.MustCompile(`\b[0-9a-f]{7,40}\b`)

// Unversioned returns text with every full or abbreviated form of the
// commit version (7 hex digits or more) replaced by "the patch": a gate's
// detail can name the version a check expected, and a security-mode
// rollback text must not name the patch's commit.
func Unversioned(text, version string) string {
	if version == "" {
		return text
	}
	return commitRE.ReplaceAllStringFunc(text, func(h string) string {
		if strings.HasPrefix(strings.ToLower(version), h) {
			return "the patch"
		}
		return h
	})
}

// namesCommit reports whether text names version in full or abbreviated.
func namesCommit(text, version string) bool {
	return Unversioned(strings.ToLower(text), version) != strings.ToLower(text)
}
