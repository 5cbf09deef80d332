package proposals

// DraftFileReference returns the documentation of the draft file format:
// every key, what it means and its limits. `nnspatch draft --help` prints
// it; testdata/example-draft.yaml is a commented example.
func DraftFileReference() string { return draftFileReference }

const draftFileReference = `Draft files are YAML. Unknown keys are errors. Keys:

schema_version   required, 1.
kind             what the draft proposes, one of:
                   elect-guestos      ReviseElectedGuestosVersions (NNS function 38)
                   deploy-guestos     DeployGuestosToAllSubnetNodes (11), one subnet
                   deploy-unassigned  DeployGuestosToAllUnassignedNodes (48)
                   elect-hostos       ReviseElectedHostosVersions (50)
                   deploy-hostos      DeployHostosToSomeNodes (51)
                   upgrade-canister   InstallCode: upgrade an NNS canister
                   motion             Motion: text only
mode             regular (default) or security. Security follows the Security
                 Patch Policy (proposal 48792): the source stays private until
                 at most 10 days after the rollout; title, summary and url must
                 not link to source or diffs, name other commits, or use words
                 that hint at the fix (vulnerability, exploit, CVE-, ...).
title            5-256 bytes.
summary          markdown, at most 30000 bytes.
url              empty, or the forum post: https://forum.dfinity.org/...
launch_measurements_waiver
                 elect-guestos only: the reason to elect without launch
                 measurements. Without measurements SEV subnets halt at the
                 upgrade, so leaving them out needs a written reason.

Exactly one action section, matching kind:

elect_guestos:
  replica_version_to_elect     40-hex commit to elect; omit to only unelect.
  release_package_sha256_hex   64-hex SHA-256 of update-img.tar.zst.
  release_package_urls         list of distinct https download URLs.
  guest_launch_measurements:
    guest_launch_measurements: list of
      - measurement            96 hex characters (48-byte SEV-SNP digest).
        metadata:
          kernel_cmdline       kernel command line it was measured with.
  replica_versions_to_unelect  list of 40-hex commits to unelect.
  (The three elect fields are all set or all unset; a version may not be
  elected and unelected at once; at least one version is elected or
  unelected.)
deploy_guestos:
  subnet_id                    textual subnet principal.
  replica_version_id           40-hex commit of an elected GuestOS version.
deploy_unassigned:
  elected_replica_version      40-hex commit of an elected GuestOS version.
deploy_api_boundary_nodes:
  version                      40-hex commit of an elected GuestOS version.
  node_ids                     list of textual API boundary node principals.
elect_hostos:
  hostos_version_to_elect      40-hex commit to elect; omit to only unelect.
  release_package_sha256_hex   64-hex SHA-256 of the HostOS update image.
  release_package_urls         list of distinct https download URLs.
  hostos_versions_to_unelect   list of 40-hex commits to unelect.
deploy_hostos:
  hostos_version_id            40-hex commit of an elected HostOS version.
  node_ids                     list of textual node principals.
upgrade_canister:
  canister_id                  textual id of the NNS canister.
  install_mode                 upgrade (usual), install or reinstall.
  wasm_path                    the wasm module, relative to the draft file.
  wasm_sha256                  64-hex SHA-256 the module must have.
  arg_hex                      Candid-encoded argument as hex; may be empty.
  skip_stopping_before_installing  true to upgrade without stopping.
motion:
  motion_text                  at most 10000 bytes.
`
