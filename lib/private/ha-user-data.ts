import { Tokenization } from 'aws-cdk-lib';
/**
 * Bash fragments for the user data of `HaInstance` and `HaBastion` (Amazon Linux 2023: bash, curl
 * and AWS CLI v2 are on the AMI; jq is not, so the scripts use `--query … --output text`).
 *
 * Every fragment reads the instance identity from IMDSv2 (a session token first, then the
 * metadata with the token), because the launch templates require IMDSv2 and IMDSv1 calls fail.
 * Poll intervals read `HA_POLL_SECONDS`, and the Elastic IP claim `HA_MAX_LOOKS`, so the script
 * tests can run them without sleeping and stop them after a given number of looks; neither is set on
 * an instance.
 */

/** Holder states in which the Elastic IP is left alone: the holder is alive (or about to be). */
export const EIP_HOLDER_LIVE_STATES = ['pending', 'running'] as const;
/** Holder states in which the holder is gone or going, so its association may be released. */
export const EIP_HOLDER_GONE_STATES = ['shutting-down', 'terminated', 'stopping', 'stopped'] as const;

const IMDS_FUNCTIONS = [
  'ha_imds() {',
  '  local token',
  "  token=$(curl -sS --fail --retry 5 -X PUT 'http://169.254.169.254/latest/api/token' -H 'X-aws-ec2-metadata-token-ttl-seconds: 300') || return 1",
  '  curl -sS --fail --retry 5 -H "X-aws-ec2-metadata-token: ${token}" "http://169.254.169.254/latest/meta-data/$1"',
  '}',
  'ha_log() { echo "ha-user-data: $*"; logger -t ha-user-data "$*" 2>/dev/null || true; }',
];

/** The IMDSv2 helper functions (`ha_imds <path>`, `ha_log <message>`). Render once, before the other fragments. */
export function imdsFunctions(): string[] {
  return [...IMDS_FUNCTIONS];
}

/** Options of {@link eipClaimCommands}. */
export interface EipClaimScriptOptions {
  /** Allocation ID of the Elastic IP (may be a token). */
  readonly allocationId: string;
  /** How long to wait for a live holder to go away before giving up. */
  readonly timeoutSeconds: number;
}

/**
 * Claims the Elastic IP for this instance, deterministically and idempotently:
 *
 * 1. `describe-addresses`: already ours -> done (a re-run changes nothing).
 * 2. Not associated -> `associate-address --no-allow-reassociation`. EC2 makes that check atomically,
 *    so of two instances racing for a free address exactly one wins; the other loops and waits.
 * 3. Associated with an instance that is `pending`/`running` -> wait (never steal from a live holder).
 *    Associated with something that is not an instance (a network interface) -> wait as well.
 * 4. Associated with an instance that is `shutting-down`/`terminated`/`stopping`/`stopped`, or that no
 *    longer exists (`InvalidInstanceID.NotFound`) -> `disassociate-address --association-id <the one seen>`,
 *    then step 2. Disassociating by the observed association ID is a compare-and-swap: if another
 *    instance took the address meanwhile, that ID no longer exists and the call fails harmlessly.
 *    `--allow-reassociation` is never used: it would move the address away from whoever holds it
 *    at that moment, which is the race the AWS Quick Start bastion has.
 * 5. Any other error (throttling, network) -> retry; an unknown holder state is never read as "gone".
 */
export function eipClaimCommands(options: EipClaimScriptOptions): string[] {
  return [
    'ha_claim_eip() {',
    '  local alloc="$1" timeout="$2" poll="${HA_POLL_SECONDS:-5}" max_looks="${HA_MAX_LOOKS:-0}" looks=0',
    '  local self region deadline line assoc holder state err',
    '  self=$(ha_imds instance-id) || { ha_log "EIP: cannot read instance-id from IMDSv2"; return 1; }',
    '  region=$(ha_imds placement/region) || { ha_log "EIP: cannot read the region from IMDSv2"; return 1; }',
    '  deadline=$(( $(date +%s) + timeout ))',
    '  while :; do',
    '    looks=$((looks + 1))',
    '    if ! line=$(aws ec2 describe-addresses --region "$region" --allocation-ids "$alloc" --query "Addresses[0].[AssociationId,InstanceId]" --output text 2>&1); then',
    '      ha_log "EIP: describe-addresses failed, retrying: $line"',
    '    else',
    '      read -r assoc holder <<<"$line"',
    '      if [ "$holder" = "$self" ]; then ha_log "EIP: $alloc is associated with this instance ($self)"; return 0; fi',
    '      if [ "$assoc" = "None" ] || [ -z "$assoc" ]; then',
    '        if aws ec2 associate-address --region "$region" --allocation-id "$alloc" --instance-id "$self" --no-allow-reassociation >/dev/null; then',
    '          ha_log "EIP: associated $alloc with $self"; continue',
    '        fi',
    '        ha_log "EIP: associate-address failed (another instance was faster?), checking again"',
    '      elif [ "$holder" = "None" ] || [ -z "$holder" ]; then',
    '        ha_log "EIP: $alloc is held by a network interface ($assoc), not an instance; waiting"',
    '      else',
    '        if state=$(aws ec2 describe-instances --region "$region" --instance-ids "$holder" --query "Reservations[0].Instances[0].State.Name" --output text 2>/tmp/ha-eip-err); then :',
    '        elif grep -q "InvalidInstanceID.NotFound" /tmp/ha-eip-err; then state=gone',
    '        else state=unknown; err=$(cat /tmp/ha-eip-err); ha_log "EIP: describe-instances $holder failed: $err"',
    '        fi',
    '        case "$state" in',
    `          ${[...EIP_HOLDER_GONE_STATES, 'gone'].join('|')})`,
    '            ha_log "EIP: holder $holder is $state; releasing association $assoc"',
    '            if aws ec2 disassociate-address --region "$region" --association-id "$assoc" >/dev/null; then continue; fi',
    '            ha_log "EIP: could not release $assoc (changed meanwhile?), checking again" ;;',
    '          *) ha_log "EIP: $alloc is held by $holder ($state); waiting, never taking it from a live instance" ;;',
    '        esac',
    '      fi',
    '    fi',
    '    if [ "$(date +%s)" -ge "$deadline" ] || [ "$looks" -eq "$max_looks" ]; then ha_log "EIP: gave up after ${timeout}s; $alloc still held by $holder"; return 1; fi',
    '    sleep "$poll"',
    '  done',
    '}',
    `ha_claim_eip '${options.allocationId}' ${Tokenization.stringifyNumber(options.timeoutSeconds)}`,
  ];
}

/** Options of {@link dataVolumeCommands}. */
export interface DataVolumeScriptOptions {
  /** The device name the ebs-follower attaches the volume as, e.g. `/dev/sdf`. */
  readonly deviceName: string;
  readonly mountPoint: string;
  /** File system label, used to mount by label (NVMe device numbers are not stable). */
  readonly label: string;
  readonly timeoutSeconds: number;
}

/**
 * Waits for the data volume that the ebs-follower Lambda attaches while the instance is in
 * Pending:Wait, creates a file system only if the volume has none (blkid exit code 2: a brand-new
 * volume; a volume restored from a snapshot is never formatted), mounts it by label, and installs
 * `ha-data-drain.service`: when Auto Scaling marks the instance for termination (IMDS
 * `autoscaling/target-lifecycle-state` = `Terminated`), it stops the mount (and, through
 * `RequiresMountsFor=`, the services using it), then detaches the volume, so the snapshot the
 * lifecycle hook takes next is of a cleanly unmounted file system.
 */
export function dataVolumeCommands(options: DataVolumeScriptOptions): string[] {
  const { deviceName, mountPoint, label, timeoutSeconds } = options;
  return [
    'ha_mount_data_volume() {',
    '  local device="$1" mountpoint="$2" label="$3" timeout="$4" poll="${HA_POLL_SECONDS:-2}" deadline rc',
    '  deadline=$(( $(date +%s) + timeout ))',
    '  # AL2023\'s udev rules (amazon-ec2-utils) link the NVMe device to the requested name',
    '  until [ -b "$device" ]; do',
    '    if [ "$(date +%s)" -ge "$deadline" ]; then ha_log "data volume: $device not attached after ${timeout}s"; return 1; fi',
    '    sleep "$poll"',
    '  done',
    '  blkid "$device" >/dev/null 2>&1; rc=$?',
    '  if [ "$rc" -eq 2 ]; then ha_log "data volume: $device has no file system (new volume); creating xfs"; mkfs.xfs -L "$label" "$device" || return 1',
    '  elif [ "$rc" -ne 0 ]; then ha_log "data volume: blkid $device failed ($rc); not formatting"; return 1',
    '  fi',
    '  mkdir -p "$mountpoint"',
    '  grep -q "^LABEL=$label " /etc/fstab || echo "LABEL=$label $mountpoint xfs defaults,nofail 0 2" >> /etc/fstab',
    '  systemctl daemon-reload',
    '  mountpoint -q "$mountpoint" || mount "$mountpoint"',
    '}',
    `ha_mount_data_volume '${deviceName}' '${mountPoint}' '${label}' ${Tokenization.stringifyNumber(timeoutSeconds)}`,
    "cat > /usr/local/sbin/ha-data-drain <<'HA_DRAIN'",
    '#!/bin/bash',
    '# Unmounts and detaches the data volume as soon as Auto Scaling marks this instance for termination.',
    `mountpoint='${mountPoint}'`,
    'imds() { local t; t=$(curl -sS -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60") && curl -sS --fail -H "X-aws-ec2-metadata-token: $t" "http://169.254.169.254/latest/meta-data/$1"; }',
    'while [ "$(imds autoscaling/target-lifecycle-state)" != "Terminated" ]; do sleep 5; done',
    'logger -t ha-data-drain "instance is terminating; unmounting $mountpoint"',
    'sync',
    'systemctl stop "$(systemd-escape -p --suffix=mount "$mountpoint")" || umount "$mountpoint" || exit 1',
    'self=$(imds instance-id); region=$(imds placement/region)',
    'vol=$(aws ec2 describe-volumes --region "$region" --filters "Name=attachment.instance-id,Values=$self" ' +
      `"Name=attachment.device,Values=${deviceName}" --query "Volumes[0].VolumeId" --output text)`,
    '[ "$vol" != "None" ] && aws ec2 detach-volume --region "$region" --volume-id "$vol" && logger -t ha-data-drain "detached $vol"',
    'HA_DRAIN',
    'chmod 755 /usr/local/sbin/ha-data-drain',
    "cat > /etc/systemd/system/ha-data-drain.service <<'HA_UNIT'",
    '[Unit]',
    'Description=Unmount and detach the HaInstance data volume before termination',
    'After=network-online.target',
    '[Service]',
    'ExecStart=/usr/local/sbin/ha-data-drain',
    'Restart=on-failure',
    '[Install]',
    'WantedBy=multi-user.target',
    'HA_UNIT',
    'systemctl daemon-reload && systemctl enable --now ha-data-drain.service',
  ];
}

/**
 * Lets only root reach the instance metadata service (and so the instance role's credentials): an
 * nftables rule rejects every packet to 169.254.169.254 (and fd00:ec2::254) from any other user.
 * The hop limit of 1 stops containers, not local users; without this rule any account on a shared
 * host (a bastion's SSH users, `ssm-user`) could act as the instance. The rule is written to
 * `/etc/sysconfig/nftables.conf`'s includes and `nftables.service` is enabled, so it is loaded again
 * on every boot, before the network is up. Render it before anything else that acts.
 */
export function imdsRootOnlyCommands(): string[] {
  return [
    'ha_imds_root_only() {',
    '  command -v nft >/dev/null || dnf install -y nftables || return 1',
    '  mkdir -p /etc/nftables',
    "  cat > /etc/nftables/ha-imds-root-only.nft <<'HA_NFT'",
    'table inet ha_imds_root_only',
    'delete table inet ha_imds_root_only',
    'table inet ha_imds_root_only {',
    '  chain output {',
    '    type filter hook output priority 0; policy accept;',
    '    ip daddr 169.254.169.254 meta skuid != 0 reject',
    '    ip6 daddr fd00:ec2::254 meta skuid != 0 reject',
    '  }',
    '}',
    'HA_NFT',
    '  grep -q ha-imds-root-only.nft /etc/sysconfig/nftables.conf 2>/dev/null || echo \'include "/etc/nftables/ha-imds-root-only.nft"\' >> /etc/sysconfig/nftables.conf',
    '  nft -f /etc/nftables/ha-imds-root-only.nft || return 1',
    '  systemctl enable nftables || return 1',
    '  ha_log "IMDS: reachable by root only"',
    '}',
    'ha_imds_root_only || ha_boot_failed="${ha_boot_failed:-}IMDS restriction;"',
  ];
}

/** Options of {@link completeLaunchCommands}. */
export interface CompleteLaunchScriptOptions {
  /** Name of the launch lifecycle hook that keeps the instance out of service until user data is done. */
  readonly hookName: string;
}

/**
 * Completes the launch lifecycle hook from user data: `CONTINUE` when every earlier step succeeded
 * (none set `ha_boot_failed`), else `ABANDON`, so Auto Scaling replaces the instance instead of
 * registering it with the load balancer. The group name comes from `describe-auto-scaling-instances`
 * (the launch template cannot name the group that uses it).
 */
export function completeLaunchCommands(options: CompleteLaunchScriptOptions): string[] {
  return [
    'ha_complete_launch() {',
    '  local hook="$1" result="$2" self region group',
    '  self=$(ha_imds instance-id) || return 1',
    '  region=$(ha_imds placement/region) || return 1',
    '  group=$(aws autoscaling describe-auto-scaling-instances --region "$region" --instance-ids "$self" --query "AutoScalingInstances[0].AutoScalingGroupName" --output text) || return 1',
    '  aws autoscaling complete-lifecycle-action --region "$region" --auto-scaling-group-name "$group" --lifecycle-hook-name "$hook" \\',
    '    --instance-id "$self" --lifecycle-action-result "$result" && ha_log "launch hook: $result"',
    '}',
    'if [ -z "${ha_boot_failed:-}" ]; then',
    `  ha_complete_launch '${options.hookName}' CONTINUE`,
    'else',
    '  ha_log "not putting this instance in service; failed: ${ha_boot_failed}"',
    `  ha_complete_launch '${options.hookName}' ABANDON`,
    'fi',
  ];
}

/** Options of {@link sharedHostKeyCommands}. */
export interface SharedHostKeyScriptOptions {
  /** Name of the SecureString parameter holding the host keys (may be a token). */
  readonly parameterName: string;
  /** KMS key ID or ARN used to encrypt it. */
  readonly kmsKeyId: string;
}

/**
 * Makes every bastion present the same SSH host keys, so clients behind the NLB never see a
 * host-key change. The first instance to boot generates ed25519 and ECDSA host keys and stores
 * them with `put-parameter` *without* `--overwrite`: SSM makes that create atomic, so when two
 * instances boot together exactly one write wins and the other gets `ParameterAlreadyExists`.
 * Every instance then installs what the parameter holds (never its own keys), so all converge.
 *
 * sshd starts at boot, before user data, with keys of its own; it is restarted with the shared ones
 * here. So nothing may route clients to the instance before this ran: behind a load balancer a
 * launch lifecycle hook keeps the instance out of service until {@link completeLaunchCommands}, and
 * with an Elastic IP the address is claimed only after this (render it before `eipClaimCommands`).
 * A failure sets `ha_boot_failed`.
 */
export function sharedHostKeyCommands(options: SharedHostKeyScriptOptions): string[] {
  return [
    'ha_shared_host_keys() {',
    '  local name="$1" key="$2" region tmp stored',
    '  region=$(ha_imds placement/region) || return 1',
    '  if ! stored=$(aws ssm get-parameter --region "$region" --name "$name" --with-decryption --query Parameter.Value --output text 2>/tmp/ha-hk-err); then',
    '    grep -q ParameterNotFound /tmp/ha-hk-err || { ha_log "host keys: get-parameter failed: $(cat /tmp/ha-hk-err)"; return 1; }',
    '    tmp=$(mktemp -d)',
    '    ssh-keygen -q -t ed25519 -N "" -C "" -f "$tmp/ssh_host_ed25519_key"',
    '    ssh-keygen -q -t ecdsa -b 256 -N "" -C "" -f "$tmp/ssh_host_ecdsa_key"',
    '    if aws ssm put-parameter --region "$region" --name "$name" --type SecureString --key-id "$key" --tier Standard \\',
    '        --value "$(tar -C "$tmp" -czf - ssh_host_ed25519_key ssh_host_ecdsa_key | base64 -w0)" >/dev/null 2>/tmp/ha-hk-err; then',
    '      ha_log "host keys: generated and stored in $name"',
    '    else',
    '      grep -q ParameterAlreadyExists /tmp/ha-hk-err || { ha_log "host keys: put-parameter failed: $(cat /tmp/ha-hk-err)"; return 1; }',
    '      ha_log "host keys: another instance stored them first; using those"',
    '    fi',
    '    rm -rf "$tmp"',
    '    stored=$(aws ssm get-parameter --region "$region" --name "$name" --with-decryption --query Parameter.Value --output text) || return 1',
    '  fi',
    '  rm -f /etc/ssh/ssh_host_*_key /etc/ssh/ssh_host_*_key.pub',
    '  echo "$stored" | base64 -d | tar -C /etc/ssh -xzf - || return 1',
    '  chmod 600 /etc/ssh/ssh_host_*_key; chown root:root /etc/ssh/ssh_host_*_key',
    '  for k in /etc/ssh/ssh_host_*_key; do ssh-keygen -y -f "$k" > "$k.pub"; done',
    '  # sshd-keygen would otherwise create an RSA key this host alone presents',
    '  printf "HostKey /etc/ssh/ssh_host_ed25519_key\\nHostKey /etc/ssh/ssh_host_ecdsa_key\\n" > /etc/ssh/sshd_config.d/00-ha-host-keys.conf',
    '  sshd -t || { ha_log "host keys: sshd rejects its configuration"; return 1; }',
    '  # sshd has served its own keys since boot; from here on it serves the shared ones',
    '  systemctl restart sshd || return 1',
    '  ha_log "host keys: sshd serves the shared host keys"',
    '}',
    `ha_shared_host_keys '${options.parameterName}' '${options.kmsKeyId}' || ha_boot_failed="\${ha_boot_failed:-}host keys;"`,
  ];
}
