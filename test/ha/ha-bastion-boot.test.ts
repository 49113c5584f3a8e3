import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { HaBastion } from '../../lib/ha/ha-bastion';
import { BastionMode } from '../../lib/ha/ha-bastion-props';
import { testApp } from '../support/app';
import { userDataOf } from '../support/user-data';

/**
 * Runs a bastion's real user data in bash, with /etc moved into a temporary directory and the
 * programs it calls (curl for IMDS, aws, dnf, nft, systemctl, sshd, ssh-keygen) replaced by stubs
 * that log each call. The log shows what a host does at boot, in order.
 */
const STUBS = `
log() { echo "$*" >> "$HA_LOG"; }
curl() {
  case "$*" in
    *api/token*) echo token ;;
    *meta-data/instance-id*) echo i-self ;;
    *meta-data/placement/region*) echo eu-west-1 ;;
    *) return 22 ;;
  esac
}
aws() {
  log "aws $1 $2"
  case "$1 $2" in
    "ssm get-parameter")
      if [ -f "$HA_STORE" ]; then cat "$HA_STORE"; else echo "An error occurred (ParameterNotFound)" >&2; return 254; fi ;;
    "ssm put-parameter")
      if [ -n "\${HA_SSM_DOWN:-}" ]; then echo "An error occurred (AccessDenied)" >&2; return 254; fi
      while [ $# -gt 0 ]; do if [ "$1" = --value ]; then printf '%s' "$2" > "$HA_STORE"; fi; shift; done ;;
    "autoscaling describe-auto-scaling-instances") echo my-group ;;
    "autoscaling complete-lifecycle-action")
      while [ $# -gt 0 ]; do if [ "$1" = --lifecycle-action-result ]; then log "lifecycle-action-result $2"; fi; shift; done ;;
  esac
}
dnf() { log "dnf $*"; }
nft() { log "nft $*"; }
systemctl() { log "systemctl $*"; }
sshd() { log "sshd $*"; }
logger() { :; }
chown() { :; }
ssh-keygen() {
  local file="" print=""
  while [ $# -gt 0 ]; do case "$1" in -f) file="$2"; shift ;; -y) print=1 ;; esac; shift; done
  if [ -n "$print" ]; then echo "pub-of-$(basename "$file")"; else echo "private-$(basename "$file")" > "$file"; log "ssh-keygen $(basename "$file")"; fi
}
`;

function nlbUserData(): string {
  const stack = new Stack(testApp(), 'TestStack');
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2, natGateways: 0,
    subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  new HaBastion(stack, 'Bastion', { vpc, mode: BastionMode.LOAD_BALANCER });
  return userDataOf(Template.fromStack(stack));
}

interface Boot { readonly calls: string[]; readonly root: string; readonly status: number | null; readonly stderr: string }

function boot(userData: string, dir: string, env: Record<string, string> = {}): Boot {
  const root = path.join(dir, 'root');
  fs.mkdirSync(path.join(root, 'etc', 'ssh', 'sshd_config.d'), { recursive: true });
  fs.mkdirSync(path.join(root, 'etc', 'sysconfig'), { recursive: true });
  // AL2023's sshd-keygen made host keys of this host's own before user data runs
  fs.writeFileSync(path.join(root, 'etc', 'ssh', 'ssh_host_rsa_key'), 'own-rsa');
  const log = path.join(dir, `log-${Math.random()}`);
  const script = userData.replace(/\/etc\//g, `${root}/etc/`).replace(/^#!.*\n/, '');
  const result = spawnSync('bash', ['-c', `${STUBS}\n${script}`], {
    encoding: 'utf8', env: { PATH: process.env.PATH!, HA_LOG: log, HA_STORE: path.join(dir, 'parameter'), ...env },
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
  return { calls, root, status: result.status, stderr: result.stderr };
}

describe('HaBastion boot (load balancer mode), run in bash with stubbed AWS CLI and system tools', () => {
  let userData: string;
  let dir: string;
  beforeAll(() => { userData = nlbUserData(); });
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ha-bastion-boot-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the first host: IMDS rule, then keys generated, stored and installed, then sshd restarted, then in service', () => {
    const { calls, root, status } = boot(userData, dir);
    expect(status).toBe(0);
    // (nft is "installed": the stub; otherwise dnf installs it first)
    expect(calls).toEqual([
      `nft -f ${root}/etc/nftables/ha-imds-root-only.nft`,
      'systemctl enable nftables',
      'aws ssm get-parameter',
      'ssh-keygen ssh_host_ed25519_key',
      'ssh-keygen ssh_host_ecdsa_key',
      'aws ssm put-parameter',
      'aws ssm get-parameter',
      'sshd -t',
      'systemctl restart sshd',
      'aws autoscaling describe-auto-scaling-instances',
      'aws autoscaling complete-lifecycle-action',
      'lifecycle-action-result CONTINUE',
    ]);
    // the host's own keys are gone; only the shared ones are served
    expect(fs.readdirSync(path.join(root, 'etc', 'ssh')).filter((f) => f.endsWith('_key')).sort()).toEqual(['ssh_host_ecdsa_key', 'ssh_host_ed25519_key']);
    expect(fs.readFileSync(path.join(root, 'etc', 'ssh', 'sshd_config.d', '00-ha-host-keys.conf'), 'utf8'))
      .toBe(`HostKey ${root}/etc/ssh/ssh_host_ed25519_key\nHostKey ${root}/etc/ssh/ssh_host_ecdsa_key\n`);
    expect(fs.readFileSync(path.join(root, 'etc', 'sysconfig', 'nftables.conf'), 'utf8')).toContain(`include "${root}/etc/nftables/ha-imds-root-only.nft"`);
  });

  test('a later host installs the keys the first one stored, never its own', () => {
    boot(userData, dir);
    const first = fs.readFileSync(path.join(dir, 'parameter'), 'utf8');
    const { calls, root } = boot(userData, dir);
    expect(calls).not.toContain('aws ssm put-parameter');
    expect(calls.filter((c) => c.startsWith('ssh-keygen'))).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'parameter'), 'utf8')).toBe(first);
    expect(fs.readFileSync(path.join(root, 'etc', 'ssh', 'ssh_host_ed25519_key'), 'utf8')).toBe('private-ssh_host_ed25519_key\n');
    expect(calls.slice(-1)).toEqual(['lifecycle-action-result CONTINUE']);
  });

  test('when the keys cannot be stored, sshd is never restarted and the launch is abandoned', () => {
    const { calls } = boot(userData, dir, { HA_SSM_DOWN: '1' });
    expect(calls).not.toContain('systemctl restart sshd');
    expect(calls.slice(-1)).toEqual(['lifecycle-action-result ABANDON']);
  });
});
