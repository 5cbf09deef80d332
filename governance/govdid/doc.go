// Package govdid holds the NNS governance canister's Candid interface: the
// pinned governance.did (copied from npm @icp-sdk/canisters@3.6.0,
// declarations/nns/governance.did; its first line names the IC commit it was
// generated from) and the Go bindings agent-go's goic generated from it.
//
// Regenerate with `go generate ./governance/govdid`.
package govdid

//go:generate go run github.com/aviate-labs/agent-go/cmd/goic generate did governance.did governance --output=governance.go --packageName=govdid --indirect
//go:generate gofmt -w governance.go
