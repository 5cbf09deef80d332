// agent_check.mjs checks the localnet replica with the official JS agent
// (@icp-sdk/core 5.4.0): root key fetched from /api/v2/status, query
// signatures verified, update calls with verified certificates, a
// read_state of /time and a time sync, for four identity kinds.
//
// Usage: node jspeer/agent_check.mjs <replica-url> <canister-id> [--expect-untrusted | --quick] [--ahead=SECONDS]
// The canister must export echo(text)->text query, get()->nat64 query,
// inc()->nat64 update and fail() update (which rejects with code 4).
// Exit status 0 means every check passed; 1 means a check failed, with the
// reason on stderr; 2 means a usage or installation problem.
//
// With --expect-untrusted (a replica whose advertised root key is not its
// signing key) the checks are inverted: a verified query, an update call and
// a read_state of /time must each fail certificate verification. With
// --quick only the ed25519 identity is checked (BLS verification in JS is
// slow, and the other identities exercise the same replica paths). With
// --ahead=SECONDS the replica's clock runs that far ahead of real time (a
// local network whose virtual clock was advanced): its certified /time must
// be that far ahead, and the agent must still work after syncing to it.

let agentMod, candidMod, principalMod, identityMod, secpMod;
try {
  agentMod = await import('@icp-sdk/core/agent');
  candidMod = await import('@icp-sdk/core/candid');
  principalMod = await import('@icp-sdk/core/principal');
  identityMod = await import('@icp-sdk/core/identity');
  secpMod = await import('@icp-sdk/core/identity/secp256k1');
} catch (err) {
  console.error(`agent_check: cannot load @icp-sdk/core (${err.message}); run: npm ci --prefix jspeer`);
  process.exit(2);
}
const { HttpAgent, Actor, Certificate, lookupResultToBuffer } = agentMod;
const { IDL } = candidMod;
const { Principal } = principalMod;
const { Ed25519KeyIdentity, ECDSAKeyIdentity } = identityMod;
const { Secp256k1KeyIdentity } = secpMod;

const [url, canisterText, ...flags] = process.argv.slice(2);
const mode = flags.find((f) => f === '--expect-untrusted' || f === '--quick');
const aheadFlag = flags.find((f) => f.startsWith('--ahead='));
const aheadMs = aheadFlag ? Number(aheadFlag.slice('--ahead='.length)) * 1000 : 0;
const unknown = flags.filter((f) => f !== mode && f !== aheadFlag);
if (!url || !canisterText || unknown.length > 0 || Number.isNaN(aheadMs)) {
  console.error('usage: node jspeer/agent_check.mjs <replica-url> <canister-id> [--expect-untrusted | --quick] [--ahead=SECONDS]');
  process.exit(2);
}
const canisterId = Principal.fromText(canisterText);

// counterIdl describes the test canister; with replicatedEcho the echo
// query is declared as an update, so it goes through /call as a
// certified query does.
const counterIdl = (replicatedEcho) => ({ IDL }) =>
  IDL.Service({
    echo: IDL.Func([IDL.Text], [IDL.Text], replicatedEcho ? [] : ['query']),
    get: IDL.Func([], [IDL.Nat64], ['query']),
    inc: IDL.Func([], [IDL.Nat64], []),
    fail: IDL.Func([], [], []),
  });

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

function decodeLeb128(bytes) {
  let v = 0n;
  let shift = 0n;
  for (const b of bytes) {
    v |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if ((b & 0x80) === 0) break;
  }
  return v;
}

// checkTime reads /time through a verified read_state and syncs the agent's clock.
async function checkTime(agent) {
  const path = [new TextEncoder().encode('time')];
  const res = await agent.readState(canisterId, { paths: [path] });
  const cert = await Certificate.create({ certificate: res.certificate, rootKey: agent.rootKey, principal: { canisterId }, agent });
  const raw = lookupResultToBuffer(cert.lookup_path(path));
  assert(raw, 'certified /time missing');
  const ms = Number(decodeLeb128(raw) / 1000000n);
  const want = Date.now() + aheadMs;
  assert(Math.abs(ms - want) < 5 * 60 * 1000, `certified time ${new Date(ms).toISOString()} is far from ${new Date(want).toISOString()}`);
  await agent.syncTime(canisterId);
  return new Date(ms).toISOString();
}

async function checkIdentity(name, identity) {
  const started = Date.now();
  const agent = await HttpAgent.create({ host: url, identity, shouldFetchRootKey: true, verifyQuerySignatures: true });
  const actor = Actor.createActor(counterIdl(false), { agent, canisterId });
  const certified = Actor.createActor(counterIdl(true), { agent, canisterId });
  const echo = await actor.echo(`hello ${name}`);
  assert(echo === `hello ${name}`, `echo returned ${echo}`);
  const n = await actor.inc();
  const got = await actor.get();
  assert(typeof n === 'bigint' && n > 0n && got >= n, `inc returned ${n}, get returned ${got}`);
  const replicated = await certified.echo('replicated');
  assert(replicated === 'replicated', `replicated echo returned ${replicated}`);
  let rejected = null;
  try {
    await actor.fail();
  } catch (err) {
    rejected = err;
  }
  assert(rejected && String(rejected.message).includes('counter says no'), `fail was not rejected: ${rejected}`);
  const time = await checkTime(agent);
  return { identity: name, inc: String(n), time, ms: Date.now() - started };
}

// expectUntrusted runs each verifying path once and requires every one to
// fail with a certificate or signature verification error.
async function expectUntrusted() {
  const identity = Ed25519KeyIdentity.generate();
  const agent = await HttpAgent.create({ host: url, identity, shouldFetchRootKey: true, verifyQuerySignatures: true });
  const actor = Actor.createActor(counterIdl(false), { agent, canisterId });
  const checks = {
    query: () => actor.echo('x'),
    call: () => actor.inc(),
    readState: () => checkTime(agent),
  };
  const results = {};
  for (const [name, run] of Object.entries(checks)) {
    try {
      await run();
      throw new Error(`${name} succeeded against an untrusted root key`);
    } catch (err) {
      const text = String(err && err.message);
      if (text.includes('succeeded against an untrusted root key')) throw err;
      assert(/signature|certificate/i.test(text), `${name} failed for another reason: ${text}`);
      results[name] = text.split('\n')[0].slice(0, 120);
    }
  }
  return results;
}

if (mode === '--expect-untrusted') {
  try {
    console.log(JSON.stringify({ ok: true, untrusted: await expectUntrusted() }));
    process.exit(0);
  } catch (err) {
    console.error(`agent_check: ${err && err.stack ? err.stack : err}`);
    process.exit(1);
  }
}

const identities = [
  ['anonymous', undefined],
  ['ed25519', Ed25519KeyIdentity.generate()],
  ['secp256k1', Secp256k1KeyIdentity.generate()],
  ['prime256v1', await ECDSAKeyIdentity.generate()],
];

try {
  const results = [];
  const selected = mode === '--quick' ? identities.filter(([name]) => name === 'ed25519') : identities;
  for (const [name, identity] of selected) {
    results.push(await checkIdentity(name, identity));
  }
  console.log(JSON.stringify({ ok: true, results }));
} catch (err) {
  console.error(`agent_check: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
}
