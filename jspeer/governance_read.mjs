// governance_read.mjs reads one proposal with the official JS governance
// client (@icp-sdk/canisters NnsGovernanceCanister over @icp-sdk/core),
// once certified (an update call whose certificate the agent verifies) and
// once as a query with node signatures verified, and prints both as JSON:
//
//   {"certified": P, "query": P}
//   P = {"id", "title", "status", "topic", "proposer", "nns_function",
//        "payload_hex", "tally": {"yes", "no", "total"}}   (numbers as strings)
//
// Usage: node jspeer/governance_read.mjs <replica-url> <proposal-id>
// Exit 0 on success, 1 when a read fails (reason on stderr), 2 on a usage
// or installation problem.

let agentMod, nnsMod;
try {
  agentMod = await import('@icp-sdk/core/agent');
  nnsMod = await import('@icp-sdk/canisters/nns');
} catch (err) {
  console.error(`governance_read: cannot load @icp-sdk packages (${err.message}); run: npm ci --prefix jspeer`);
  process.exit(2);
}
const { HttpAgent } = agentMod;
const { NnsGovernanceCanister } = nnsMod;

const [url, idText] = process.argv.slice(2);
if (!url || !idText) {
  console.error('usage: node jspeer/governance_read.mjs <replica-url> <proposal-id>');
  process.exit(2);
}

const hex = (buf) => (buf ? Buffer.from(new Uint8Array(buf)).toString('hex') : '');
const str = (v) => (v === undefined || v === null ? '' : v.toString());

// view combines the converted ProposalInfo with the payload bytes, which the
// converter drops; those come from the same client's raw Candid service.
function view(p, raw) {
  if (!p) return null;
  const action = p.proposal?.action ?? {};
  const fn = action.ExecuteNnsFunction;
  const rawFn = raw?.proposal?.[0]?.action?.[0]?.ExecuteNnsFunction;
  return {
    id: str(p.id),
    title: p.proposal?.title ?? '',
    status: str(p.status),
    topic: str(p.topic),
    proposer: str(p.proposer),
    nns_function: fn ? str(fn.nnsFunctionId) : '',
    payload_hex: rawFn ? hex(rawFn.payload) : '',
    tally: { yes: str(p.latestTally?.yes), no: str(p.latestTally?.no), total: str(p.latestTally?.total) },
  };
}

try {
  const agent = await HttpAgent.create({ host: url, shouldFetchRootKey: true, verifyQuerySignatures: true });
  const gov = NnsGovernanceCanister.create({ agent });
  const proposalId = BigInt(idText);
  const read = async (certified) => {
    const service = certified ? gov.certifiedService : gov.service;
    const [raw] = await service.get_proposal_info(proposalId);
    return view(await gov.getProposal({ proposalId, certified }), raw);
  };
  const certified = await read(true);
  const query = await read(false);
  process.stdout.write(JSON.stringify({ certified, query }) + '\n');
} catch (err) {
  console.error(`governance_read: ${err?.message ?? err}`);
  process.exit(1);
}
