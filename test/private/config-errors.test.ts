import { Duration, Lazy, Token } from 'aws-cdk-lib';
import { ConfigErrors, checkTcpPort, isConcrete } from '../../lib/private/config-errors';

describe('ConfigErrors', () => {
  test('does not throw without problems', () => {
    const errors = new ConfigErrors('Widget', 'Stack/Widget');
    expect(errors.count).toBe(0);
    expect(() => errors.throwIfAny()).not.toThrow();
  });

  test('throws every problem at once: header with construct, path and count, then one line per problem', () => {
    // GIVEN
    const errors = new ConfigErrors('Widget', 'Stack/Widget');
    errors.add('size', 0, 'must be at least 1', 'use a positive size');
    errors.add('name', 'x y', 'must not contain spaces', 'remove them');
    // THEN
    expect(errors.count).toBe(2);
    expect(() => errors.throwIfAny()).toThrow(new Error([
      "Widget at 'Stack/Widget' has 2 configuration error(s):",
      "  - Widget: size '0': must be at least 1. Fix: use a positive size.",
      "  - Widget: name 'x y': must not contain spaces. Fix: remove them.",
    ].join('\n')));
  });

  // Titles name the value in words: a token's text changes from run to run, and the mutation run finds tests by title.
  test.each([
    ['unset', undefined, '(not set)'],
    ['a string', 'text', "'text'"],
    ['the empty string', '', "''"],
    ['a number', 7, "'7'"],
    ['a boolean', false, "'false'"],
    ['a duration', Duration.minutes(15), "'15 minutes'"],
    ['a token duration', Duration.seconds(Lazy.number({ produce: () => 1 })), '(token)'],
  ])('describes %s as %s', (_name, value, described) => {
    const errors = new ConfigErrors('Widget', 'W');
    errors.add('prop', value, 'rule', 'fix');
    expect(() => errors.throwIfAny()).toThrow(`  - Widget: prop ${described}: rule. Fix: fix.`);
  });
});

describe('checkTcpPort', () => {
  const problems = (port: number): number => {
    const errors = new ConfigErrors('Widget', 'W');
    checkTcpPort(errors, 'port', port, 'use 443');
    return errors.count;
  };

  test.each([1, 2, 443, 65534, 65535])('accepts port %d', (port) => {
    expect(problems(port)).toBe(0);
  });

  test.each([0, -1, 65536, 1.5, NaN])('rejects port %d', (port) => {
    expect(problems(port)).toBe(1);
  });

  test('a token port is not checked', () => {
    expect(problems(Lazy.number({ produce: () => 0 }))).toBe(0);
  });

  test('the message names prop, value, rule and fix', () => {
    const errors = new ConfigErrors('Widget', 'W');
    checkTcpPort(errors, 'listenerPort', 70000, 'use a port from 1 to 65535');
    expect(() => errors.throwIfAny())
      .toThrow("  - Widget: listenerPort '70000': TCP ports are whole numbers from 1 to 65535. Fix: use a port from 1 to 65535.");
  });
});

describe('isConcrete', () => {
  test.each([
    ['0', 0, true],
    ['-5', -5, true],
    ['unset', undefined, false],
    ['a token', Token.asNumber({ Ref: 'P' }), false],
  ])('%s: %s', (_name, value, concrete) => {
    expect(isConcrete(value)).toBe(concrete);
  });
});
