package rollout

// BadVersions are the versions a rollback must never restore because a
// release of them went wrong, with why: its rollout was halted (now or
// before) or the release was abandoned. It reads every ledger under
// releasesDir; unreadable ones are skipped, since they say nothing.
func BadVersions(releasesDir string) (map[string]string, error) {
	stores, err := FindReleases(releasesDir)
	if err != nil {
		return nil, err
	}
	bad := map[string]string{}
	for _, s := range stores {
		l, err := s.Read()
		if err != nil || l.Version == "" || l.ReleaseKind() != ReleaseGuestOS {
			continue // HostOS and NNS canister releases name no GuestOS version
		}
		if why := badReason(l); why != "" {
			bad[l.Version] = why
		}
	}
	return bad, nil
}

// badReason says why l's version is bad, or "" when it is not.
func badReason(l *Ledger) string {
	if l.Abandoned != nil {
		return "its release was abandoned"
	}
	if l.Halted != nil {
		return "its rollout is halted"
	}
	for _, e := range l.Audit {
		if e.Action == "halt" {
			return "its rollout was halted on " + e.At.Format("2006-01-02")
		}
	}
	return ""
}
