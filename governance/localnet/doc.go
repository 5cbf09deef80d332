// Package localnet is the embedded local NNS network: it wires the IC HTTP
// protocol server (package replica) to the governance and registry canister
// models (packages govmodel and regmodel), seeds a mainnet-like topology,
// runs a virtual clock that only moves forward from real time, keeps its
// state durable by event sourcing (an fsynced, CRC-checked write-ahead log of
// every acknowledged update call and admin event, replayed on start), derives
// each subnet's running GuestOS version and health on the virtual clock,
// injects faults (a bad version stalls the subnets that run it), and exports
// Prometheus metrics and a loopback admin endpoint.
//
// localnet is an oracle as much as a network: it never imports the proposals
// package, so a bug in our encoders cannot hide behind the same bug here.
//
// # Endpoints
//
// Beside the IC HTTP interface (/api/...), a Network serves:
//
//	GET  /metrics                         Prometheus text format (see metrics.go)
//	GET  /_/admin/status                  JSON: virtual time, root key, developer identity path, faults
//	GET  /_/admin/subnets                 JSON: every subnet's registry/running version, height, stall
//	POST /_/admin/advance?d=4d            move the virtual clock forward (units d, h, m, s; e.g. 1d12h)
//	POST /_/admin/fault?version=V[&subnets=ID,ID]   mark GuestOS version V bad (all subnets if none given)
//	POST /_/admin/fault?version=V&clear=1 clear that fault
//
// The admin endpoints answer only requests from loopback addresses.
package localnet
