// Package drill runs scripted rollback drills: a scenario file describes a
// network, a security patch, its staged rollout, a fault the patch causes,
// the detection expected, the rollback and assertions on the end state. Run
// plays it against a local network (an embedded localnet by default) on
// the network's virtual clock, using the same code paths as the CLI
// (governance client, rollout tracker, rollback planner and executor), and
// returns a Report: every step with its virtual and wall time, the time to
// detect and to roll back, the proposals made and each assertion's
// outcome.
//
// # Scenario files (schema_version 1)
//
// Unknown keys are errors. Durations take the units d, h, m and s (e.g.
// 1d12h). Versions are short names that are expanded to deterministic
// 40-hex commits, or 40-hex commits.
//
//	schema_version: 1                 required
//	name: stall-early-batch           required
//	kind: guestos                     guestos (default), hostos or nns-canister (see below)
//	description: ...                  free text
//	network:                          the embedded network (ignored with --network)
//	  versions: [base, old]           elected GuestOS versions at the start
//	  nns_version: base               what the NNS subnet runs (default: the first version)
//	  subnets:                        application subnets, in rollout order
//	    - {count: 6, version: base, nodes: 4}
//	  unassigned_nodes: {count: 4, version: base}
//	  api_boundary_nodes: {count: 3, version: base}   default: one, on the first version
//	  upgrade_delay: 12m              deploy executed -> replicas switch (next CUP)
//	  catch_up: 2m                    replicas behind after a switch
//	patch:
//	  version: patch-1                the release
//	  mode: security                  security (default) or regular
//	  canister: root                  nns-canister drills: the NNS canister upgraded
//	votes: [81]                       neurons (controlled by the developer) voting yes on every proposal
//	rollout: {batch_size: 3, interval: 1h, bake: 15m}
//	fault:                            the patch stalls one subnet once it runs it
//	  batch: 2                        batch number (1-based; the last batch is the NNS subnet)
//	  index: 0                        subnet index within the batch
//	fault: {target: api_boundary_nodes}
//	                                  or: the patch breaks the API boundary nodes. The plan gets an
//	                                  API boundary node stage after the unassigned nodes; a localnet
//	                                  fault on the patch naming every API boundary node takes each down
//	                                  once its record names the patch, the stage's node_up gate fails
//	                                  naming them (detect_within counts from the registry switch), and
//	                                  the rollback (function 47) covers the API boundary nodes only,
//	                                  done once the health source sees them up on the restored version
//	events:                           scripted actions between batches
//	  - {after_batch: 1, unelect_unused: true}   unelect every elected version nothing runs (but the patch)
//	expect:
//	  detect_within: 30m              virtual time from the stall to the gate failing
//	  rollback_within: 2h             virtual time from detection to every subnet healthy again
//	  reelect: [old]                  versions the rollback must re-elect first
//	  recovery_needed: false          true: the fault stalls the NNS subnet, which executes no proposal,
//	                                  so the drill must end in "subnet recovery needed", not a rollback
//	assert:                           all default to true
//	  all_healthy, no_unelected_in_use, quiet_period_not_started, nothing_disclosed, rollout_halted, texts_leak_nothing
//	tick: 5m                          virtual time per polling round
//	max_virtual: 14d                  give up after this much virtual time
//
// kind: hostos drills a HostOS release of patch.version: the nodes run the
// seed's first HostOS version, the plan has DFINITY's stages, and the fault
// takes node fault.index of HostOS batch fault.batch down on the patch; the
// drill passes when a stage exceeds its tolerance and the HostOS rollback
// brings the nodes back. kind: nns-canister upgrades patch.canister by
// InstallCode and rolls it back to its seeded module (the local network
// models no canister health: the rollback decision is scripted).
package drill
