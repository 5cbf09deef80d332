package governance

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/nnspatch/nnspatch/governance/govdid"
)

// SelfDescribing renders governance's self-describing view of an action
// (type name plus a value tree decoded by governance from the target
// canister's Candid interface) as "key: value" lines, for actions nnspatch
// has no typed view of. It returns nil when governance sent none.
func SelfDescribing(p Proposal) []string {
	if p.Info == nil || p.Info.Proposal == nil || p.Info.Proposal.SelfDescribingAction == nil {
		return nil
	}
	sd := p.Info.Proposal.SelfDescribingAction
	var out []string
	if sd.TypeName != nil {
		out = append(out, "type: "+*sd.TypeName)
	}
	if sd.Value != nil {
		out = appendValue(out, "", *sd.Value)
	}
	return out
}

func appendValue(out []string, key string, v govdid.SelfDescribingValue) []string {
	switch {
	case v.Map != nil:
		for _, kv := range *v.Map {
			out = appendValue(out, joinKey(key, kv.Field0), kv.Field1)
		}
		if len(*v.Map) == 0 {
			out = append(out, key+": {}")
		}
	case v.Array != nil:
		for i, e := range *v.Array {
			out = appendValue(out, fmt.Sprintf("%s[%d]", key, i), e)
		}
		if len(*v.Array) == 0 {
			out = append(out, key+": []")
		}
	default:
		out = append(out, key+": "+scalar(v))
	}
	return out
}

func scalar(v govdid.SelfDescribingValue) string {
	switch {
	case v.Text != nil:
		return *v.Text
	case v.Blob != nil:
		return "0x" + hex.EncodeToString(*v.Blob)
	case v.Bool != nil:
		return fmt.Sprint(*v.Bool)
	case v.Nat != nil:
		return v.Nat.BigInt().String()
	case v.Int != nil:
		return v.Int.BigInt().String()
	}
	return "null"
}

func joinKey(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return strings.Join([]string{prefix, k}, ".")
}
