// candid_fixtures.mjs is nnspatch's independent Candid peer for the
// proposals package: the NNS registry payload records are written out here
// with the official JS candid IDL (@icp-sdk/core), so that a bug in
// nnspatch's Go encoding cannot hide behind the same bug in its decoder.
//
//   node jspeer/candid_fixtures.mjs generate
//       prints every fixture as JSON: {name, fn, type, hex, expect}, where
//       hex is the JS encoding and expect the canonical value a correct
//       decoder of the *current* Go record type must produce.
//   node jspeer/candid_fixtures.mjs measurements < {file, elect, sha, urls}
//       reads a launch-measurements.json file (the IC build's format) and
//       prints {hex} of the ReviseElectedGuestosVersionsPayload electing
//       `elect` with those measurements: the bytes nnspatch must produce
//       from the same file.
//   node jspeer/candid_fixtures.mjs decode < [{name, type, hex}, ...]
//       decodes each hex with the named record type and prints
//       [{name, value}] with canonical values (or {name, error}). The type
//       MakeProposalRequest is taken from the governance interface shipped in
//       @icp-sdk/canisters (the argument of manage_neuron).
//
// Canonical values: opt -> null or the value, blob -> lowercase hex,
// principal -> its textual form, nat/int -> decimal string, records ->
// objects keyed by field name.
//
// Record types restate the registry.did interface facts collected in
// /work/shared/reference/domain.md §1.4–§1.5.

import { IDL } from '@icp-sdk/core/candid';
import { Principal } from '@icp-sdk/core/principal';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

// Older shape (registry.did @0057aa76): kernel_cmdline is a plain text.
const MetadataV1 = IDL.Record({ kernel_cmdline: IDL.Text });
const MeasurementV1 = IDL.Record({ metadata: IDL.Opt(MetadataV1), measurement: IDL.Vec(IDL.Nat8) });
const GuestLaunchMeasurementsV1 = IDL.Record({ guest_launch_measurements: IDL.Vec(MeasurementV1) });

// Current shape: kernel_cmdline optional (dfinity/ic #8078) plus vcpu_type
// (#10245).
const Metadata = IDL.Record({ kernel_cmdline: IDL.Opt(IDL.Text), vcpu_type: IDL.Opt(IDL.Text) });
const Measurement = IDL.Record({ metadata: IDL.Opt(Metadata), measurement: IDL.Vec(IDL.Nat8) });
const GuestLaunchMeasurements = IDL.Record({ guest_launch_measurements: IDL.Vec(Measurement) });

export const types = {
  ReviseElectedGuestosVersionsPayload: IDL.Record({
    release_package_urls: IDL.Vec(IDL.Text),
    replica_versions_to_unelect: IDL.Vec(IDL.Text),
    replica_version_to_elect: IDL.Opt(IDL.Text),
    guest_launch_measurements: IDL.Opt(GuestLaunchMeasurements),
    release_package_sha256_hex: IDL.Opt(IDL.Text),
  }),
  // The registry before dfinity/ic #8078: kernel_cmdline is a text.
  ReviseElectedGuestosVersionsPayloadTextCmdline: IDL.Record({
    release_package_urls: IDL.Vec(IDL.Text),
    replica_versions_to_unelect: IDL.Vec(IDL.Text),
    replica_version_to_elect: IDL.Opt(IDL.Text),
    guest_launch_measurements: IDL.Opt(GuestLaunchMeasurementsV1),
    release_package_sha256_hex: IDL.Opt(IDL.Text),
  }),
  // A newer registry could add fields; a decoder must ignore them.
  ReviseElectedGuestosVersionsPayloadNewer: IDL.Record({
    release_package_urls: IDL.Vec(IDL.Text),
    replica_versions_to_unelect: IDL.Vec(IDL.Text),
    replica_version_to_elect: IDL.Opt(IDL.Text),
    guest_launch_measurements: IDL.Opt(GuestLaunchMeasurements),
    release_package_sha256_hex: IDL.Opt(IDL.Text),
    future_flag: IDL.Opt(IDL.Bool),
  }),
  // Before measurements existed the field was simply absent.
  ReviseElectedGuestosVersionsPayloadNoMeasurements: IDL.Record({
    release_package_urls: IDL.Vec(IDL.Text),
    replica_versions_to_unelect: IDL.Vec(IDL.Text),
    replica_version_to_elect: IDL.Opt(IDL.Text),
    release_package_sha256_hex: IDL.Opt(IDL.Text),
  }),
  UpdateElectedReplicaVersionsPayload: IDL.Record({
    replica_version_to_elect: IDL.Opt(IDL.Text),
    release_package_sha256_hex: IDL.Opt(IDL.Text),
    release_package_urls: IDL.Vec(IDL.Text),
    guest_launch_measurement_sha256_hex: IDL.Opt(IDL.Text),
    replica_versions_to_unelect: IDL.Vec(IDL.Text),
  }),
  DeployGuestosToAllSubnetNodesPayload: IDL.Record({
    subnet_id: IDL.Principal,
    replica_version_id: IDL.Text,
  }),
  UpdateSubnetReplicaVersionPayload: IDL.Record({
    subnet_id: IDL.Principal,
    replica_version_id: IDL.Text,
  }),
  DeployGuestosToAllUnassignedNodesPayload: IDL.Record({ elected_replica_version: IDL.Text }),
  ReviseElectedHostosVersionsPayload: IDL.Record({
    release_package_urls: IDL.Vec(IDL.Text),
    hostos_version_to_elect: IDL.Opt(IDL.Text),
    hostos_versions_to_unelect: IDL.Vec(IDL.Text),
    release_package_sha256_hex: IDL.Opt(IDL.Text),
  }),
  DeployHostosToSomeNodes: IDL.Record({
    hostos_version_id: IDL.Opt(IDL.Text),
    node_ids: IDL.Vec(IDL.Principal),
  }),
  BlessReplicaVersionPayload: IDL.Record({
    replica_version_id: IDL.Text,
    binary_url: IDL.Text,
    sha256_hex: IDL.Text,
    node_manager_binary_url: IDL.Text,
    node_manager_sha256_hex: IDL.Text,
    release_package_url: IDL.Text,
    release_package_sha256_hex: IDL.Text,
    release_package_urls: IDL.Opt(IDL.Vec(IDL.Text)),
    guest_launch_measurement_sha256_hex: IDL.Opt(IDL.Text),
  }),
  RetireReplicaVersionPayload: IDL.Record({ replica_version_ids: IDL.Vec(IDL.Text) }),
  UpdateUnassignedNodesConfigPayload: IDL.Record({
    replica_version: IDL.Opt(IDL.Text),
    ssh_readonly_access: IDL.Opt(IDL.Vec(IDL.Text)),
  }),
  UpdateElectedHostosVersionsPayload: IDL.Record({
    release_package_urls: IDL.Vec(IDL.Text),
    hostos_version_to_elect: IDL.Opt(IDL.Text),
    hostos_versions_to_unelect: IDL.Vec(IDL.Text),
    release_package_sha256_hex: IDL.Opt(IDL.Text),
  }),
  UpdateNodesHostosVersionPayload: IDL.Record({
    hostos_version_id: IDL.Opt(IDL.Text),
    node_ids: IDL.Vec(IDL.Principal),
  }),
};

const V1 = 'a5e6cdef0123456789abcdef0123456789abcdef';
const V2 = 'd69648b2f5a3d69648b2f5a3d69648b2f5a3d696';
const V3 = '43670245ed6943670245ed6943670245ed694367';
const SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const url = (os, c) => [
  `https://download.dfinity.systems/ic/${c}/${os}/update-img/update-img.tar.zst`,
  `https://download.dfinity.network/ic/${c}/${os}/update-img/update-img.tar.zst`,
];
const bytes = (n, seed) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
const NNS = Principal.fromText('tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe');
const nodes = [
  Principal.fromText('rwlgt-iiaaa-aaaaa-aaaaa-cai'),
  Principal.fromText('rrkah-fqaaa-aaaaa-aaaaq-cai'),
  Principal.fromText('ryjl3-tyaaa-aaaaa-aaaba-cai'),
];

// Launch-measurements files in the IC build's JSON format, shared with the
// Go tests (proposals/artifact/testdata/README.md notes their origin).
const MAINNET_VERSION = 'bcac7ca3862fd8409d56d9dcda919a5f25acbbd4';
const MAINNET_MEASUREMENTS = 'mainnet-bcac7ca3-launch-measurements.json';
const VCPU_MEASUREMENTS = 'launch-measurements-vcpu.json';

// readMeasurements turns a launch-measurements.json file into the Candid
// value of GuestLaunchMeasurements: absent metadata fields become [].
function readMeasurements(file) {
  const path = new URL(`../proposals/artifact/testdata/${file}`, import.meta.url);
  const raw = JSON.parse(readFileSync(fileURLToPath(path), 'utf8'));
  const opt = (v) => (v === undefined || v === null ? [] : [v]);
  return {
    guest_launch_measurements: raw.guest_launch_measurements.map((m) => ({
      measurement: Uint8Array.from(m.measurement),
      metadata: m.metadata ? [{ kernel_cmdline: opt(m.metadata.kernel_cmdline), vcpu_type: opt(m.metadata.vcpu_type) }] : [],
    })),
  };
}

function electWithMeasurements(file, elect, sha, urls) {
  return {
    release_package_urls: urls, replica_versions_to_unelect: [], replica_version_to_elect: [elect],
    release_package_sha256_hex: [sha], guest_launch_measurements: [readMeasurements(file)],
  };
}

// Each fixture: name, NNS function id, record type, the value to encode and,
// when the current Go record sees it differently, what to expect.
const fixtures = [
  {
    name: 'revise_guestos_elect', fn: 38, type: 'ReviseElectedGuestosVersionsPayload',
    value: {
      release_package_urls: url('guest-os', V1), replica_versions_to_unelect: [V2, V3],
      replica_version_to_elect: [V1], release_package_sha256_hex: [SHA],
      guest_launch_measurements: [{ guest_launch_measurements: [
        { metadata: [{ kernel_cmdline: ['console=ttyS0 root=/dev/vda5'], vcpu_type: [] }], measurement: bytes(48, 1) },
        { metadata: [], measurement: bytes(48, 2) },
      ] }],
    },
  },
  {
    name: 'revise_guestos_elect_text_cmdline', fn: 38, type: 'ReviseElectedGuestosVersionsPayloadTextCmdline',
    value: {
      release_package_urls: url('guest-os', V1), replica_versions_to_unelect: [V2, V3],
      replica_version_to_elect: [V1], release_package_sha256_hex: [SHA],
      guest_launch_measurements: [{ guest_launch_measurements: [
        { metadata: [{ kernel_cmdline: 'console=ttyS0 root=/dev/vda5' }], measurement: bytes(48, 1) },
        { metadata: [], measurement: bytes(48, 2) },
      ] }],
    },
    expect: {
      release_package_urls: url('guest-os', V1), replica_versions_to_unelect: [V2, V3],
      replica_version_to_elect: V1, release_package_sha256_hex: SHA,
      guest_launch_measurements: { guest_launch_measurements: [
        { metadata: { kernel_cmdline: 'console=ttyS0 root=/dev/vda5', vcpu_type: null }, measurement: hex(bytes(48, 1)) },
        { metadata: null, measurement: hex(bytes(48, 2)) },
      ] },
    },
  },
  {
    name: 'revise_guestos_mainnet_measurements', fn: 38, type: 'ReviseElectedGuestosVersionsPayload',
    value: electWithMeasurements(MAINNET_MEASUREMENTS, MAINNET_VERSION, SHA, url('guest-os', MAINNET_VERSION)),
  },
  {
    name: 'revise_guestos_vcpu_measurements', fn: 38, type: 'ReviseElectedGuestosVersionsPayload',
    value: electWithMeasurements(VCPU_MEASUREMENTS, MAINNET_VERSION, SHA, url('guest-os', MAINNET_VERSION)),
  },
  {
    name: 'revise_guestos_unelect_only', fn: 38, type: 'ReviseElectedGuestosVersionsPayload',
    value: {
      release_package_urls: [], replica_versions_to_unelect: [V2],
      replica_version_to_elect: [], release_package_sha256_hex: [], guest_launch_measurements: [],
    },
  },
  {
    name: 'revise_guestos_newer_fields', fn: 38, type: 'ReviseElectedGuestosVersionsPayloadNewer',
    value: {
      release_package_urls: url('guest-os', V1), replica_versions_to_unelect: [],
      replica_version_to_elect: [V1], release_package_sha256_hex: [SHA], future_flag: [true],
      guest_launch_measurements: [{ guest_launch_measurements: [
        { metadata: [{ kernel_cmdline: ['quiet'], vcpu_type: ['milan'] }], measurement: bytes(48, 3) },
        { metadata: [{ kernel_cmdline: [], vcpu_type: ['genoa'] }], measurement: bytes(48, 4) },
      ] }],
    },
    expect: {
      release_package_urls: url('guest-os', V1), replica_versions_to_unelect: [],
      replica_version_to_elect: V1, release_package_sha256_hex: SHA,
      guest_launch_measurements: { guest_launch_measurements: [
        { metadata: { kernel_cmdline: 'quiet', vcpu_type: 'milan' }, measurement: hex(bytes(48, 3)) },
        { metadata: { kernel_cmdline: null, vcpu_type: 'genoa' }, measurement: hex(bytes(48, 4)) },
      ] },
    },
  },
  {
    name: 'revise_guestos_no_measurements_field', fn: 38, type: 'ReviseElectedGuestosVersionsPayloadNoMeasurements',
    value: {
      release_package_urls: url('guest-os', V1), replica_versions_to_unelect: [],
      replica_version_to_elect: [V1], release_package_sha256_hex: [SHA],
    },
    expect: {
      release_package_urls: url('guest-os', V1), replica_versions_to_unelect: [],
      replica_version_to_elect: V1, release_package_sha256_hex: SHA, guest_launch_measurements: null,
    },
  },
  {
    name: 'update_elected_replica_versions', fn: 38, type: 'UpdateElectedReplicaVersionsPayload',
    value: {
      replica_version_to_elect: [V1], release_package_sha256_hex: [SHA],
      release_package_urls: ['https://download.dfinity.systems/ic/' + V1 + '/guest-os/update-img/update-img.tar.gz'],
      guest_launch_measurement_sha256_hex: [], replica_versions_to_unelect: [V2],
    },
  },
  {
    name: 'deploy_guestos', fn: 11, type: 'DeployGuestosToAllSubnetNodesPayload',
    value: { subnet_id: NNS, replica_version_id: V1 },
  },
  {
    name: 'update_subnet_replica_version', fn: 11, type: 'UpdateSubnetReplicaVersionPayload',
    value: { subnet_id: nodes[0], replica_version_id: V2 },
  },
  {
    name: 'deploy_unassigned', fn: 48, type: 'DeployGuestosToAllUnassignedNodesPayload',
    value: { elected_replica_version: V1 },
  },
  {
    name: 'revise_hostos', fn: 50, type: 'ReviseElectedHostosVersionsPayload',
    value: {
      release_package_urls: url('host-os', V1), hostos_version_to_elect: [V1],
      hostos_versions_to_unelect: [V3], release_package_sha256_hex: [SHA],
    },
  },
  {
    name: 'deploy_hostos', fn: 51, type: 'DeployHostosToSomeNodes',
    value: { hostos_version_id: [V1], node_ids: nodes },
  },
  {
    name: 'bless_replica_version', fn: 5, type: 'BlessReplicaVersionPayload',
    value: {
      replica_version_id: V3, binary_url: '', sha256_hex: '', node_manager_binary_url: '',
      node_manager_sha256_hex: '',
      release_package_url: 'https://download.dfinity.systems/blessed/ic/' + V3 + '/guest-os/update-img/update-img.tar.gz',
      release_package_sha256_hex: SHA, release_package_urls: [[]], guest_launch_measurement_sha256_hex: [],
    },
  },
  {
    name: 'retire_replica_version', fn: 36, type: 'RetireReplicaVersionPayload',
    value: { replica_version_ids: [V2, V3] },
  },
  {
    name: 'update_unassigned_nodes_config', fn: 22, type: 'UpdateUnassignedNodesConfigPayload',
    value: { replica_version: [V2], ssh_readonly_access: [] },
  },
  {
    name: 'update_elected_hostos_versions', fn: 40, type: 'UpdateElectedHostosVersionsPayload',
    value: {
      release_package_urls: url('host-os', V2), hostos_version_to_elect: [V2],
      hostos_versions_to_unelect: [], release_package_sha256_hex: [SHA],
    },
  },
  {
    name: 'update_nodes_hostos_version', fn: 41, type: 'UpdateNodesHostosVersionPayload',
    value: { hostos_version_id: [V2], node_ids: [nodes[2]] },
  },
];

// makeProposalRequest digs the MakeProposalRequest record out of the
// official governance IDL: manage_neuron's argument, its `command` variant,
// the MakeProposal arm.
async function makeProposalRequest() {
  const url = new URL('./node_modules/@icp-sdk/canisters/declarations/nns/governance.idl.js', import.meta.url);
  const { idlFactory } = await import(url.href);
  const svc = idlFactory({ IDL });
  const manageNeuron = svc._fields.find(([n]) => n === 'manage_neuron')[1];
  const request = unrec(manageNeuron.argTypes[0]);
  const command = request._fields.find(([n]) => n === 'command')[1]._type;
  return command._fields.find(([n]) => n === 'MakeProposal')[1];
}

function unrec(t) {
  return t instanceof IDL.RecClass ? t._type : t;
}

function hex(u8) {
  return Buffer.from(u8).toString('hex');
}

// canon turns a JS candid value of type t into the canonical JSON form.
export function canon(t, v) {
  t = unrec(t);
  if (t instanceof IDL.VariantClass) {
    const [tag] = Object.keys(v);
    const [, ft] = t._fields.find(([n]) => n === tag);
    return { [tag]: canon(ft, v[tag]) };
  }
  if (t instanceof IDL.OptClass) return v.length === 0 ? null : canon(t._type, v[0]);
  if (t instanceof IDL.VecClass) {
    if (t._type instanceof IDL.FixedNatClass && t._type._bits === 8) return hex(v);
    return Array.from(v, (x) => canon(t._type, x));
  }
  if (t instanceof IDL.RecordClass) {
    const out = {};
    for (const [name, ft] of t._fields) out[name] = canon(ft, v[name]);
    return out;
  }
  if (t instanceof IDL.PrincipalClass) return v.toText();
  if (typeof v === 'bigint') return v.toString();
  return v;
}

function generate() {
  const out = fixtures.map((f) => {
    const t = types[f.type];
    const bytesOut = IDL.encode([t], [f.value]);
    return { name: f.name, fn: f.fn, type: f.type, hex: hex(bytesOut), expect: f.expect ?? canon(t, f.value) };
  });
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

async function decode() {
  const items = JSON.parse(await readStdin());
  const known = { ...types, MakeProposalRequest: await makeProposalRequest() };
  const out = items.map(({ name, type, hex: h }) => {
    const t = known[type];
    if (!t) return { name, error: `unknown type ${type}` };
    try {
      const [v] = IDL.decode([t], Uint8Array.from(Buffer.from(h, 'hex')));
      return { name, value: canon(t, v) };
    } catch (e) {
      return { name, error: String(e.message ?? e) };
    }
  });
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

// encodeMeasurements answers the `measurements` mode: the payload electing
// `elect` with the measurements of a file in proposals/artifact/testdata.
async function encodeMeasurements() {
  const { file, elect, sha, urls } = JSON.parse(await readStdin());
  const value = electWithMeasurements(basename(file), elect, sha, urls);
  const b = IDL.encode([types.ReviseElectedGuestosVersionsPayload], [value]);
  process.stdout.write(JSON.stringify({ hex: hex(b) }) + '\n');
}

const mode = process.argv[2];
if (mode === 'generate') generate();
else if (mode === 'decode') await decode();
else if (mode === 'measurements') await encodeMeasurements();
else {
  process.stderr.write('usage: node candid_fixtures.mjs generate | decode < items.json | measurements < request.json\n');
  process.exit(2);
}
