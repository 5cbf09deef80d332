package proposals

import (
	"fmt"
	"regexp"
	"strings"
)

// Policy configures the security-patch checks Validate applies to drafts in
// ModeSecurity.
type Policy struct {
	// DenyWords are case-insensitive words or phrases a security-patch title,
	// summary or URL must not contain because they hint at the fix.
	DenyWords []string
}

// DefaultDenyWords is the default deny list of the security-patch checks.
var DefaultDenyWords = []string{
	"vulnerability", "vulnerable", "exploit", "CVE-", "buffer overflow",
	"overflow", "use-after-free", "out-of-bounds", "memory corruption",
	"remote code execution", "RCE", "denial of service", "DoS",
	"privilege escalation", "bypass", "injection", "security hole",
	"attack", "attacker", "0day", "zero-day", "backdoor", "leak",
}

// DefaultPolicy returns the policy with DefaultDenyWords.
func DefaultPolicy() Policy {
	return Policy{DenyWords: append([]string(nil), DefaultDenyWords...)}
}

var (
	// sourceLinkRe matches links to a commit, a source tree, a file at a
	// revision or a diff on the common forges.
	sourceLinkRe = regexp.MustCompile(`(?i)(?:https?://)?(?:www\.)?(?:github\.com|gitlab\.com|[\w.-]*gitlab[\w.-]*|raw\.githubusercontent\.com|bitbucket\.org)/\S*?(?:/(?:-/)?(?:commit|commits|tree|blob|compare|pull|merge_requests|diff|raw)/\S*|/[0-9a-f]{7,40}(?:/\S*)?)`)
	// urlRe matches anything that looks like a link.
	urlRe = regexp.MustCompile(`(?i)\bhttps?://\S+`)
	// hexRunRe matches hex runs long enough to be (abbreviated) commit ids.
	hexRunRe = regexp.MustCompile(`\b[0-9a-fA-F]{12,64}\b`)
)

// securityField is one text a security check reads.
type securityField struct{ path, text string }

// validateSecurity applies the Security Patch Policy checks: no link to the
// fix's source or diff, no commit id other than as a version id, and no
// deny-listed words, in the title, summary, URL and motion text.
func validateSecurity(ps *problems, d Draft, p Policy) {
	if d.Kind == KindMotion {
		ps.warnf("mode", "security mode has no meaning for a motion; use regular")
	}
	allowed := versionIDs(d)
	packages := packageURLSet(d)
	fields := []securityField{{"title", d.Title}, {"summary", d.Summary}, {"url", d.URL}}
	for _, f := range fields {
		checkSourceLinks(ps, f)
		checkCommitMentions(ps, f, allowed, packages)
		checkDenyWords(ps, f, p.DenyWords)
	}
}

func checkSourceLinks(ps *problems, f securityField) {
	for _, m := range sourceLinkRe.FindAllString(f.text, -1) {
		ps.errorf(f.path, "links to source or a diff (%s); a security patch keeps the source private until disclosure, remove the link", m)
	}
}

// checkCommitMentions refuses a version id inside any link other than the
// dashboard's release page and the draft's own release package URLs, and
// hex runs that are not version ids at all.
func checkCommitMentions(ps *problems, f securityField, allowed, packages map[string]bool) {
	for _, u := range urlRe.FindAllString(f.text, -1) {
		u = strings.TrimRight(u, ".,;:)]>`'\"")
		if sourceLinkRe.MatchString(u) || packages[u] || strings.HasPrefix(u, "https://dashboard.internetcomputer.org/release/") {
			continue
		}
		for h := range allowed {
			if strings.Contains(strings.ToLower(u), h) {
				ps.errorf(f.path, "a link contains commit %s (%s); name the commit only as the version id", short(h), u)
			}
		}
	}
	for _, h := range hexRunRe.FindAllString(f.text, -1) {
		if len(h) == 64 || allowed[strings.ToLower(h)] {
			continue // a SHA-256 or a version id
		}
		ps.errorf(f.path, "mentions %s, which looks like a commit id other than the version id; remove it", h)
	}
}

func checkDenyWords(ps *problems, f securityField, words []string) {
	lower := strings.ToLower(f.text)
	for _, w := range words {
		if w == "" {
			continue
		}
		if containsWord(lower, strings.ToLower(w)) {
			ps.errorf(f.path, "contains %q, which hints at the fix; a security patch says nothing about what it fixes, reword it", w)
		}
	}
}

// containsWord reports whether w occurs in s not glued to letters or digits
// on either side (so "DoS" does not match "dose"). A w ending in a
// non-alphanumeric, like "CVE-", only needs a boundary before it.
func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(w)
		if !isWordByte(s, start-1) && (!isWordByte(w, len(w)-1) || !isWordByte(s, end)) {
			return true
		}
		i = start + 1
	}
}

func isWordByte(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	c := s[i]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// versionIDs returns the version ids the draft legitimately names.
func versionIDs(d Draft) map[string]bool {
	ids := map[string]bool{}
	add := func(vs ...string) {
		for _, v := range vs {
			if v != "" {
				ids[strings.ToLower(v)] = true
			}
		}
	}
	if a := d.ElectGuestOS; a != nil {
		add(deref(a.ReplicaVersionToElect))
		add(a.ReplicaVersionsToUnelect...)
	}
	if a := d.ElectHostOS; a != nil {
		add(deref(a.HostosVersionToElect))
		add(a.HostosVersionsToUnelect...)
	}
	if a := d.DeployGuestOS; a != nil {
		add(a.ReplicaVersionID)
	}
	if a := d.DeployUnassigned; a != nil {
		add(a.ElectedReplicaVersion)
	}
	if a := d.DeployHostOS; a != nil {
		add(deref(a.HostosVersionID))
	}
	if a := d.DeployAPIBoundaryNodes; a != nil {
		add(a.Version)
	}
	return ids
}

// packageURLSet returns the release package URLs of an election draft.
func packageURLSet(d Draft) map[string]bool {
	urls := map[string]bool{}
	if d.ElectGuestOS != nil {
		for _, u := range d.ElectGuestOS.ReleasePackageURLs {
			urls[u] = true
		}
	}
	if d.ElectHostOS != nil {
		for _, u := range d.ElectHostOS.ReleasePackageURLs {
			urls[u] = true
		}
	}
	return urls
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// short returns the first 8 characters of a commit id.
func short(commit string) string {
	if len(commit) > 8 {
		return commit[:8]
	}
	return commit
}

// revision returns the first 7 characters of a commit id, the form of
// DFINITY's election titles ("Elect new IC/GuestOS revision (commit
// <7 hex>)", dfinity/dre release-controller).
func revision(commit string) string {
	if len(commit) > 7 {
		return commit[:7]
	}
	return commit
}

// RequireForumURL returns an error wrapping ErrNoForumURL when d is a
// security-mode election (GuestOS or HostOS) without a forum post link.
// DFINITY's real elections always link one: with the source withheld, the
// forum post is where the community asks questions. Tools that write
// election drafts call it unless their user explicitly opted out.
func RequireForumURL(d Draft) error {
	if d.Mode != ModeSecurity || d.URL != "" || (d.Kind != KindElectGuestOS && d.Kind != KindElectHostOS) {
		return nil
	}
	return fmt.Errorf("%s: %w", d.Kind, ErrNoForumURL)
}
