import { Lazy } from 'aws-cdk-lib';
import { AlbIpBlockingProps } from '../../lib/edge/alb-ip-blocking';
import { IpBlocklist } from '../../lib/edge/ip-blocklist';
import { CheckedAlbIpBlockingInputs, checkAlbIpBlockingProps } from '../../lib/edge/validate-alb-ip-blocking-props';
import { ConfigErrors } from '../../lib/private/config-errors';

// Fast unit tests of AlbIpBlocking's rules: the check called directly (no synth).

const P = '  - AlbIpBlocking: ';

/** The problem lines and the checked inputs of `props` (with a one-range blocklist). */
function check(props: Omit<AlbIpBlockingProps, 'blocklist'> = {}): { lines: string[]; checked: CheckedAlbIpBlockingInputs } {
  const errors = new ConfigErrors('AlbIpBlocking', 'Web');
  const checked = checkAlbIpBlockingProps(errors, { ...props, blocklist: new IpBlocklist({ cidrs: ['203.0.113.0/24'] }) });
  try {
    errors.throwIfAny();
  } catch (e) {
    return { lines: (e as Error).message.split('\n').slice(1), checked };
  }
  return { lines: [], checked };
}

test('the defaults pass: port 80, a threshold of 10', () => {
  expect(check()).toEqual({ lines: [], checked: { port: 80, serverErrorThreshold: 10 } });
});

describe('instancePort', () => {
  test.each([1, 8080, 65535])('%i is accepted and returned', (instancePort) => {
    expect(check({ instancePort })).toEqual({ lines: [], checked: { port: instancePort, serverErrorThreshold: 10 } });
  });

  test('a token is accepted', () => {
    expect(check({ instancePort: Lazy.number({ produce: () => 0 }) }).lines).toEqual([]);
  });

  test.each([0, 65536, 80.5])('%d is refused', (instancePort) => {
    expect(check({ instancePort }).lines).toEqual([
      `${P}instancePort '${instancePort}': TCP ports are whole numbers from 1 to 65535. Fix: use e.g. 80 or 8080.`,
    ]);
  });
});

describe('serverErrorThreshold', () => {
  test.each([0, 20])('%i is accepted and returned', (serverErrorThreshold) => {
    expect(check({ serverErrorThreshold })).toEqual({ lines: [], checked: { port: 80, serverErrorThreshold } });
  });

  test.each([-1, 0.5])('%d is refused', (serverErrorThreshold) => {
    expect(check({ serverErrorThreshold }).lines).toEqual([
      `${P}serverErrorThreshold '${serverErrorThreshold}': is a number of 5xx responses per 5 minutes. Fix: use a whole number of 0 or more, e.g. 10.`,
    ]);
  });
});

test('both problems are reported together', () => {
  expect(check({ instancePort: 0, serverErrorThreshold: -1 }).lines).toHaveLength(2);
});
