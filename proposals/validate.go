package proposals

import (
	"fmt"
	"regexp"
	"strings"
)

// Severity says whether a Problem blocks submission.
type Severity string

// The problem severities.
const (
	// SeverityError blocks submission.
	SeverityError Severity = "error"
	// SeverityWarning is worth a look but does not block.
	SeverityWarning Severity = "warning"
)

// Problem is one thing wrong with a draft: the field path in draft-file
// terms (e.g. "elect_guestos.release_package_urls[1]"), a message that says
// what to do next, and its severity.
type Problem struct {
	Path     string   `json:"path"`
	Message  string   `json:"message"`
	Severity Severity `json:"severity"`
}

// String formats "<severity>: <path>: <message>".
func (p Problem) String() string {
	return fmt.Sprintf("%s: %s: %s", p.Severity, p.Path, p.Message)
}

// HasErrors reports whether any problem has SeverityError.
func HasErrors(ps []Problem) bool {
	for _, p := range ps {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Limits enforced by NNS governance (domain.md §3.4).
const (
	MinTitleBytes      = 5
	MaxTitleBytes      = 256
	MaxSummaryBytes    = 30000
	MaxURLBytes        = 2048
	MaxMotionTextBytes = 10000
	// ForumURLPrefix is the only URL host governance accepts.
	ForumURLPrefix = "https://forum.dfinity.org/"
)

var (
	versionRe = regexp.MustCompile(`^[0-9a-f]{40}$`)
	sha256Re  = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// problems collects Problems while validating.
type problems []Problem

func (ps *problems) errorf(path, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Message: fmt.Sprintf(format, args...), Severity: SeverityError})
}

func (ps *problems) warnf(path, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Message: fmt.Sprintf(format, args...), Severity: SeverityWarning})
}

// Validate checks d against governance's limits, the registry's payload
// rules and, in security mode, DefaultPolicy. It reports every problem, not
// only the first; an empty result means the draft can be submitted.
func Validate(d Draft) []Problem {
	return ValidateWith(d, DefaultPolicy())
}

// ValidateWith is Validate with an explicit security Policy.
func ValidateWith(d Draft, p Policy) []Problem {
	var ps problems
	validateHeader(&ps, d)
	validateTexts(&ps, d)
	validateAction(&ps, d)
	if d.Mode == ModeSecurity {
		validateSecurity(&ps, d, p)
	}
	return ps
}

func validateHeader(ps *problems, d Draft) {
	if d.SchemaVersion != SchemaVersion {
		ps.errorf("schema_version", "is %d, this nnspatch reads %d; set schema_version: %d", d.SchemaVersion, SchemaVersion, SchemaVersion)
	}
	if !d.Kind.Valid() {
		ps.errorf("kind", "unknown kind %q; use one of %s", d.Kind, joinKinds())
	}
	if !d.Mode.Valid() {
		ps.errorf("mode", "unknown mode %q; use regular or security", d.Mode)
	}
	for _, f := range d.actionFields() {
		if f.set && f.kind != d.Kind {
			ps.errorf(f.key, "set but kind is %s; remove this section or set kind: %s", d.Kind, f.kind)
		}
	}
}

func validateTexts(ps *problems, d Draft) {
	switch n := len(d.Title); {
	case strings.TrimSpace(d.Title) == "":
		ps.errorf("title", "required; write a title of %d–%d bytes", MinTitleBytes, MaxTitleBytes)
	case n < MinTitleBytes || n > MaxTitleBytes:
		ps.errorf("title", "is %d bytes; governance accepts %d–%d bytes", n, MinTitleBytes, MaxTitleBytes)
	}
	if strings.TrimSpace(d.Summary) == "" {
		ps.warnf("summary", "empty; voters read the summary to decide, describe the change")
	}
	if n := len(d.Summary); n > MaxSummaryBytes {
		ps.errorf("summary", "is %d bytes; governance accepts at most %d, shorten it or link the details from the forum post", n, MaxSummaryBytes)
	}
	validateURL(ps, d.URL)
}

func validateURL(ps *problems, u string) {
	switch {
	case u == "":
		return
	case !strings.HasPrefix(u, ForumURLPrefix) || len(u) == len(ForumURLPrefix):
		ps.errorf("url", "%q is not a forum post; governance only accepts empty or %s… links", u, ForumURLPrefix)
	case len(u) > MaxURLBytes:
		ps.errorf("url", "is %d bytes; governance accepts at most %d", len(u), MaxURLBytes)
	case strings.ContainsAny(u, " \t\r\n"):
		ps.errorf("url", "contains whitespace; paste the forum link exactly")
	}
}

func validateAction(ps *problems, d Draft) {
	a, err := d.Action()
	if err != nil {
		if d.Kind.Valid() {
			ps.errorf(ActionKey(d.Kind), "missing; a draft of kind %s needs this section (see DraftFileReference)", d.Kind)
		}
		return
	}
	key := ActionKey(d.Kind)
	switch a := a.(type) {
	case ReviseElectedGuestosVersions:
		validateElectGuestOS(ps, key, a, d.LaunchMeasurementsWaiver)
	case DeployGuestosToAllSubnetNodes:
		validateDeployGuestOS(ps, key, a)
	case DeployGuestosToAllUnassignedNodes:
		validateVersion(ps, key+".elected_replica_version", a.ElectedReplicaVersion, true)
	case DeployGuestosToSomeAPIBoundaryNodes:
		validateDeployAPIBoundaryNodes(ps, key, a)
	case ReviseElectedHostosVersions:
		validateElectHostOS(ps, key, a)
	case DeployHostosToSomeNodes:
		validateDeployHostOS(ps, key, a)
	case InstallCode:
		validateInstallCode(ps, key, a)
	case Motion:
		validateMotion(ps, key, a)
	}
	validatePayloadSize(ps, d, a)
}

func validatePayloadSize(ps *problems, d Draft, a Action) {
	fp, ok := a.(FunctionPayload)
	if !ok {
		return
	}
	if err := CheckFunction(fp.NnsFunction()); err != nil {
		repl, _ := fp.NnsFunction().Obsolete()
		ps.errorf(ActionKey(d.Kind), "%s is obsolete and governance refuses it; use %s instead", fp.NnsFunction().Name(), repl)
	}
	b, err := EncodePayload(fp)
	if err != nil {
		ps.errorf(ActionKey(d.Kind), "cannot be encoded: %v", err)
		return
	}
	if len(b) > MaxPayloadBytes {
		ps.errorf(ActionKey(d.Kind), "payload is %d bytes; governance accepts at most %d, split the proposal", len(b), MaxPayloadBytes)
	}
}
