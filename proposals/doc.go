// Package proposals is what nnspatch proposes, as pure data: typed NNS
// proposal actions (IC OS elections and deployments, NNS canister upgrades,
// motions), their Candid payload codecs, the titles and summaries DFINITY
// uses (including the Security Patch Policy text for withheld-source
// releases), validation that reports every problem, and draft files.
//
// Nothing here touches the network.
package proposals
