package localnet

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrBadDuration is returned by ParseDuration for malformed input.
var ErrBadDuration = errors.New("bad duration")

// ParseDuration parses a clock advance such as "4d", "36h", "90m", "1d12h" or
// "45s" (any time.ParseDuration unit plus d for 24h). The result must be
// positive.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	total, rest, err := splitDays(s)
	if err != nil {
		return 0, err
	}
	if rest != "" {
		d, err := time.ParseDuration(rest)
		if err != nil {
			return 0, fmt.Errorf("%w %q: use e.g. 4d, 36h, 90m or 1d12h", ErrBadDuration, s)
		}
		total += d
	}
	if total <= 0 {
		return 0, fmt.Errorf("%w %q: must be positive", ErrBadDuration, s)
	}
	return total, nil
}

// splitDays consumes a leading "<n>d" and returns it as a duration plus the rest.
func splitDays(s string) (time.Duration, string, error) {
	i := strings.IndexByte(s, 'd')
	if i < 0 {
		return 0, s, nil
	}
	n, err := strconv.ParseUint(s[:i], 10, 16)
	if err != nil {
		return 0, "", fmt.Errorf("%w %q: use e.g. 4d, 36h, 90m or 1d12h", ErrBadDuration, s)
	}
	return time.Duration(n) * 24 * time.Hour, s[i+1:], nil
}

// FormatDuration renders d in the units ParseDuration accepts, e.g. "4d" or "1d12h0m0s".
func FormatDuration(d time.Duration) string {
	day := 24 * time.Hour
	if d >= day {
		days := d / day
		rest := d % day
		if rest == 0 {
			return fmt.Sprintf("%dd", days)
		}
		return fmt.Sprintf("%dd%s", days, rest)
	}
	return d.String()
}
