// governance_list.mjs lists proposals with the official JS governance client
// (query calls, node signatures verified), paging 100 at a time from the
// newest, until it has <count> proposals or governance has no more. It
// prints one JSON line: {"count", "elapsed_ms", "first_id", "last_id"},
// where elapsed_ms covers agent creation (root key fetch) and every page,
// not node's start-up.
//
// Usage: node jspeer/governance_list.mjs <replica-url> <count>
// Exit 0 on success, 1 when a read fails, 2 on a usage or installation problem.

let agentMod, nnsMod;
try {
  agentMod = await import('@icp-sdk/core/agent');
  nnsMod = await import('@icp-sdk/canisters/nns');
} catch (err) {
  console.error(`governance_list: cannot load @icp-sdk packages (${err.message}); run: npm ci --prefix jspeer`);
  process.exit(2);
}
const { HttpAgent } = agentMod;
const { NnsGovernanceCanister } = nnsMod;

const [url, countText] = process.argv.slice(2);
if (!url || !countText) {
  console.error('usage: node jspeer/governance_list.mjs <replica-url> <count>');
  process.exit(2);
}
const want = Number(countText);

try {
  const start = performance.now();
  const agent = await HttpAgent.create({ host: url, shouldFetchRootKey: true, verifyQuerySignatures: true });
  const gov = NnsGovernanceCanister.create({ agent });
  let before;
  const ids = [];
  while (ids.length < want) {
    const request = {
      limit: Math.min(100, want - ids.length),
      beforeProposal: before,
      includeRewardStatus: [],
      excludeTopic: [],
      includeAllManageNeuronProposals: false,
      includeStatus: [],
      omitLargeFields: true,
    };
    const { proposals } = await gov.listProposals({ request, certified: false });
    for (const p of proposals) ids.push(p.id);
    if (proposals.length < request.limit) break;
    before = proposals[proposals.length - 1].id;
  }
  const elapsed = performance.now() - start;
  process.stdout.write(JSON.stringify({
    count: ids.length, elapsed_ms: elapsed,
    first_id: ids.length ? ids[0].toString() : '', last_id: ids.length ? ids[ids.length - 1].toString() : '',
  }) + '\n');
} catch (err) {
  console.error(`governance_list: ${err?.message ?? err}`);
  process.exit(1);
}
