import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  CLOUDFRONT_COMMENT_LENGTH, CLOUDFRONT_POLICY_NAME_LENGTH, ORIGIN_ACCESS_CONTROL_NAME_LENGTH, TOKEN_REGION_LENGTH, accountUniqueName,
} from '../../lib/private/account-unique-name';

/** A construct `Edge.Cache` in stack `Stk` in eu-west-1 (9 characters of Region). */
function cacheInRegion(): Construct {
  const stack = new Stack(new App(), 'Stk', { env: { region: 'eu-west-1' } });
  return new Construct(stack, 'Edge.Cache');
}

describe('accountUniqueName', () => {
  test('the documented limits', () => {
    expect([CLOUDFRONT_POLICY_NAME_LENGTH, ORIGIN_ACCESS_CONTROL_NAME_LENGTH, CLOUDFRONT_COMMENT_LENGTH, TOKEN_REGION_LENGTH])
      .toEqual([128, 64, 128, 16]);
  });

  test('stack name, path in the stack, hash and Region, with only [A-Za-z0-9_-]', () => {
    expect(accountUniqueName(cacheInRegion(), 'Policy_1', 128)).toBe('Stk-EdgeCache-Policy_1-DA8E6565-eu-west-1');
  });

  test('a name over maxLength keeps its start and the hash, at exactly maxLength', () => {
    const name = accountUniqueName(cacheInRegion(), 'Policy_1', 30);
    expect(name).toBe('Stk-EdgeCac-DA8E6565-eu-west-1');
    expect(name).toHaveLength(30);
    expect(accountUniqueName(cacheInRegion(), 'Policy_1', 29)).toBe('Stk-EdgeCa-DA8E6565-eu-west-1');
  });

  test('the smallest maxLength leaves one readable character; one less fails with the reason', () => {
    // 9 (Region) + 8 (hash) + 2 separators + 1
    expect(accountUniqueName(cacheInRegion(), 'P', 20)).toBe('S-EF70E73F-eu-west-1');
    expect(() => accountUniqueName(cacheInRegion(), 'P', 19))
      .toThrow(new Error('accountUniqueName: maxLength 19 leaves no room for a name beside the hash and the Region'));
  });

  test(`a token Region counts as ${TOKEN_REGION_LENGTH} characters`, () => {
    const stack = new Stack(new App(), 'Tok');
    expect(accountUniqueName(stack, 'P', 64)).toBe(`Tok-P-A7C814ED-${stack.region}`);
    // 64 - 16 - 8 - 2 = 38 readable characters at most; 30 - 26 = 4
    expect(accountUniqueName(stack, 'P', 30)).toBe(`Tok--A7C814ED-${stack.region}`);
    expect(() => accountUniqueName(stack, 'P', 26)).toThrow(/maxLength 26 leaves no room/);
    expect(accountUniqueName(stack, 'P', 27)).toBe(`T-A7C814ED-${stack.region}`);
  });

  test('a nested stack, whose name is a token, is named by its path in the app', () => {
    const parent = new Stack(new App(), 'Stk', { env: { region: 'eu-west-1' } });
    const inner = new Construct(new NestedStack(parent, 'Nested'), 'Inner');
    expect(accountUniqueName(inner, 'P', 64)).toBe('Stk-Nested-Inner-P-8AB58F1F-eu-west-1');
  });

  test('the same path in two stacks or two Regions gets two names', () => {
    const app = new App();
    const a = accountUniqueName(new Stack(app, 'A', { env: { region: 'eu-west-1' } }), 'P', 64);
    const b = accountUniqueName(new Stack(app, 'B', { env: { region: 'eu-west-1' } }), 'P', 64);
    const c = accountUniqueName(new Stack(app, 'C', { stackName: 'A', env: { region: 'us-east-1' } }), 'P', 64);
    expect(new Set([a, b, c]).size).toBe(3);
  });
});
