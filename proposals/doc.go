// Package proposals is what nnspatch proposes, as pure data: typed NNS
// proposal actions (IC OS elections and deployments, NNS canister upgrades,
// motions), their Candid payload codecs, the titles and summaries DFINITY
// uses (including the Security Patch Policy text for withheld-source
// releases), validation that reports every problem, and draft files.
//
// The pieces, in the order a proposal flows through them:
//
//   - Builders (NewElectGuestOS, NewDeployGuestOS, NewDeployUnassigned,
//     NewDeployAPIBoundaryNodes,
//     NewElectHostOS, NewDeployHostOS, NewUpgradeCanister, NewMotion) fill a
//     Draft with default titles and summaries from overridable Templates.
//   - Draft files: ParseDraft, LoadDraft and WriteDraft read and write YAML
//     (schema_version 1, unknown keys are errors with their line);
//     DraftFileReference documents every key.
//   - Validate and ValidateWith (with a security Policy) return every
//     Problem with its field path, message and severity.
//   - Draft.Payload, EncodePayload and DecodePayload are the Candid codecs
//     of the ExecuteNnsFunction payloads, current and historical;
//     Draft.Request builds the governance MakeProposalRequest.
//   - Render and WriteText describe a draft for `proposal render`.
//
// Nothing here touches the network.
package proposals
