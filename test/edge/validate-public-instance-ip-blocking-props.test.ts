import { Lazy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IpBlocklist } from '../../lib/edge/ip-blocklist';
import { PublicInstanceIpBlockingProps } from '../../lib/edge/public-instance-ip-blocking';
import { checkPublicInstanceIpBlockingProps } from '../../lib/edge/validate-public-instance-ip-blocking-props';
import { ConfigErrors } from '../../lib/private/config-errors';

// Fast unit tests of PublicInstanceIpBlocking's rules: the check called directly on a bare stack (no synth).

const P = '  - PublicInstanceIpBlocking: ';

type Given = Partial<Omit<PublicInstanceIpBlockingProps, 'vpc' | 'logsBucket'>> & { readonly vpc?: boolean; readonly logsBucket?: boolean };

/** The problem lines of the props `given` describes (one allowed range by default). */
function check(given: Given = {}): string[] {
  const stack = new Stack();
  const { vpc, logsBucket, ...rest } = given;
  const props: PublicInstanceIpBlockingProps = {
    blocklist: new IpBlocklist({ cidrs: ['203.0.113.0/24'] }),
    allowedCidrs: ['198.51.100.0/24'],
    ...rest,
    vpc: vpc ? ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'] }) : undefined,
    logsBucket: logsBucket ? s3.Bucket.fromBucketName(stack, 'Logs', 'logs') : undefined,
  };
  const errors = new ConfigErrors('PublicInstanceIpBlocking', 'Web');
  checkPublicInstanceIpBlockingProps(errors, props);
  try {
    errors.throwIfAny();
  } catch (e) {
    return (e as Error).message.split('\n').slice(1);
  }
  return [];
}

test('the defaults pass', () => {
  expect(check()).toEqual([]);
});

describe('allowedCidrs', () => {
  test('IPv4 and IPv6 ranges, a single address and a token range are accepted', () => {
    expect(check({ allowedCidrs: ['198.51.100.7/32', '2001:db8::/32', '0.0.0.0/1', Lazy.string({ produce: () => '10.0.0.0/8' })] })).toEqual([]);
  });

  test.each(['0.0.0.0/0', '::/0'])('%s is refused', (cidr) => {
    expect(check({ allowedCidrs: ['198.51.100.0/24', cidr] })).toEqual([
      `${P}allowedCidrs[1] '${cidr}': an instance must not be open to the whole internet; only a load balancer or distribution listener may be. `
      + 'Fix: list the client ranges, or put AlbIpBlocking or NlbIpBlocking in front.',
    ]);
  });

  test('a malformed range is refused by the shared CIDR check, once', () => {
    const problems = check({ allowedCidrs: ['198.51.100.1/24'] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^ {2}- PublicInstanceIpBlocking: allowedCidrs\[0\] '198\.51\.100\.1\/24': has host bits set/);
  });

  test('an empty list is refused', () => {
    expect(check({ allowedCidrs: [] })).toEqual([
      `${P}allowedCidrs '[]': the security group would allow no one. Fix: list the client ranges allowed to connect.`,
    ]);
  });

  test('a list token is refused', () => {
    expect(check({ allowedCidrs: Token.asList(Lazy.list({ produce: () => ['198.51.100.0/24'] })) })).toEqual([
      `${P}allowedCidrs '(list token)': each range becomes its own security group rule, so the list must be known at synth time. `
      + 'Fix: pass a literal list (its entries may be tokens).',
    ]);
  });
});

describe('ports', () => {
  test.each([1, 65535])('%i is accepted', (port) => {
    expect(check({ ports: [port] })).toEqual([]);
  });

  test('a token is accepted', () => {
    expect(check({ ports: [Lazy.number({ produce: () => 80 })] })).toEqual([]);
  });

  test.each([0, 65536, 80.5])('%d is refused', (port) => {
    expect(check({ ports: [443, port] })).toEqual([
      `${P}ports '${port}': TCP ports are whole numbers from 1 to 65535. Fix: use e.g. 80 or 443.`,
    ]);
  });

  test('every bad port is reported', () => {
    expect(check({ ports: [0, 65536] })).toHaveLength(2);
  });

  test('an empty list is refused', () => {
    expect(check({ ports: [] })).toEqual([`${P}ports '[]': the instance would accept no traffic. Fix: list at least one port, e.g. [80].`]);
  });
});

describe('logsBucket', () => {
  test('is refused with a given VPC', () => {
    expect(check({ vpc: true, logsBucket: true })).toEqual([
      `${P}logsBucket '(given)': only applies to a new VPC (its flow logs), but vpc was given. Fix: remove logsBucket.`,
    ]);
  });

  test('is accepted for a new VPC, and a VPC alone too', () => {
    expect(check({ logsBucket: true })).toEqual([]);
    expect(check({ vpc: true })).toEqual([]);
  });
});
