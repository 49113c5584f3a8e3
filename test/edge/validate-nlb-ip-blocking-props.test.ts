import { Lazy } from 'aws-cdk-lib';
import { IpBlocklist } from '../../lib/edge/ip-blocklist';
import { NlbIpBlockingProps } from '../../lib/edge/nlb-ip-blocking';
import { checkNlbIpBlockingProps } from '../../lib/edge/validate-nlb-ip-blocking-props';
import { ConfigErrors } from '../../lib/private/config-errors';

// Fast unit tests of NlbIpBlocking's rules: the check called directly (no synth).

/** The problem lines and the port of `props` (with a one-range blocklist). */
function check(props: Omit<NlbIpBlockingProps, 'blocklist'> = {}): { lines: string[]; port: number } {
  const errors = new ConfigErrors('NlbIpBlocking', 'Tcp');
  const port = checkNlbIpBlockingProps(errors, { ...props, blocklist: new IpBlocklist({ cidrs: ['203.0.113.0/24'] }) });
  try {
    errors.throwIfAny();
  } catch (e) {
    return { lines: (e as Error).message.split('\n').slice(1), port };
  }
  return { lines: [], port };
}

test('the default port is 80', () => {
  expect(check()).toEqual({ lines: [], port: 80 });
});

test.each([1, 443, 65535])('port %i is accepted and returned', (port) => {
  expect(check({ port })).toEqual({ lines: [], port });
});

test('a token port is accepted', () => {
  expect(check({ port: Lazy.number({ produce: () => 0 }) }).lines).toEqual([]);
});

test.each([0, 65536, 80.5])('port %d is refused', (port) => {
  expect(check({ port }).lines).toEqual([
    `  - NlbIpBlocking: port '${port}': TCP ports are whole numbers from 1 to 65535. Fix: use e.g. 80 or 443.`,
  ]);
});
