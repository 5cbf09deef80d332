package governance

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// The enums encode as their names in JSON and YAML (encoding.TextMarshaler),
// the same in every command's --json; decoding takes a name or, for files
// written before, the number.

// MarshalText implements encoding.TextMarshaler.
func (t Topic) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (t *Topic) UnmarshalText(b []byte) error {
	v, err := ParseTopic(string(b))
	*t = v
	return err
}

// MarshalText implements encoding.TextMarshaler.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Status) UnmarshalText(b []byte) error {
	v, err := ParseStatus(string(b))
	*s = v
	return err
}

// MarshalText implements encoding.TextMarshaler.
func (v Vote) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (v *Vote) UnmarshalText(b []byte) error {
	switch s := normName(string(b)); s {
	case "yes", "1":
		*v = VoteYes
	case "no", "2":
		*v = VoteNo
	case "unspecified", "0":
		*v = VoteUnspecified
	default:
		return fmt.Errorf("unknown vote %q; use yes or no", b)
	}
	return nil
}

// RewardStatus is a proposal's ProposalRewardStatus.
type RewardStatus int32

var rewardStatusNames = []string{"unspecified", "accept_votes", "ready_to_settle", "settled", "ineligible"}

// String returns the reward status's name.
func (r RewardStatus) String() string {
	if r >= 0 && int(r) < len(rewardStatusNames) {
		return rewardStatusNames[r]
	}
	return "reward_status" + strconv.Itoa(int(r))
}

// MarshalText implements encoding.TextMarshaler.
func (r RewardStatus) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *RewardStatus) UnmarshalText(b []byte) error {
	if n, err := strconv.Atoi(string(b)); err == nil {
		*r = RewardStatus(n)
		return nil
	}
	for i, name := range rewardStatusNames {
		if normName(name) == normName(string(b)) {
			*r = RewardStatus(i)
			return nil
		}
	}
	return fmt.Errorf("unknown reward status %q", b)
}

// enumJSON decodes a JSON string or number through the type's UnmarshalText,
// so documents and state files written with numbers still read.
func enumJSON(b []byte, text func([]byte) error) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		return text([]byte(s))
	}
	return text(b)
}

// UnmarshalJSON accepts a name or a number.
func (t *Topic) UnmarshalJSON(b []byte) error { return enumJSON(b, t.UnmarshalText) }

// UnmarshalJSON accepts a name or a number.
func (s *Status) UnmarshalJSON(b []byte) error { return enumJSON(b, s.UnmarshalText) }

// UnmarshalJSON accepts a name or a number.
func (v *Vote) UnmarshalJSON(b []byte) error { return enumJSON(b, v.UnmarshalText) }

// UnmarshalJSON accepts a name or a number.
func (r *RewardStatus) UnmarshalJSON(b []byte) error { return enumJSON(b, r.UnmarshalText) }
