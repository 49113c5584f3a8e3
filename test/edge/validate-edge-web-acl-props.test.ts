import { CfnParameter, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { EdgeWebAclProps } from '../../lib/edge/edge-web-acl';
import { WebAclScope } from '../../lib/edge/ip-blocklist';
import { checkEdgeWebAclProps, CheckedWebAclInputs, WAF_REDACTED_FIELDS } from '../../lib/edge/validate-edge-web-acl-props';
import { ConfigErrors } from '../../lib/private/config-errors';
import { describeRange } from '../../lib/private/ranges';

// Fast unit tests of EdgeWebAcl's rules: checkEdgeWebAclProps called directly on a bare stack (no synth).

const PAID = { AWSManagedRulesBotControlRuleSet: 'set botControl: true' };

interface Result {
  readonly lines: string[];
  readonly checked?: CheckedWebAclInputs;
  readonly warnings: string[];
}

/** The problem lines, the checked inputs and the warnings of `props` in a stack in `region`. */
function check(props: EdgeWebAclProps | ((stack: Stack) => EdgeWebAclProps), options: { region?: string; scope?: WebAclScope } = {}): Result {
  const stack = new Stack(undefined, 'S', { env: { region: options.region ?? 'eu-west-1' } });
  const errors = new ConfigErrors('EdgeWebAcl', 'Acl');
  const checked = checkEdgeWebAclProps(stack, errors, typeof props === 'function' ? props(stack) : props, options.scope ?? WebAclScope.REGIONAL, PAID);
  const warnings = stack.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
  try {
    errors.throwIfAny();
  } catch (e) {
    return { lines: (e as Error).message.split('\n').slice(1), checked, warnings };
  }
  return { lines: [], checked, warnings };
}

test('WAF redacts up to 100 fields', () => {
  expect(describeRange(WAF_REDACTED_FIELDS)).toBe('a whole number from 0 to 100 fields (AWS WAF API LoggingConfiguration, RedactedFields)');
});

test('the defaults pass, with a 5-minute window', () => {
  expect(check({})).toEqual({ lines: [], checked: { windowSeconds: 300 }, warnings: [] });
});

describe('rateLimit', () => {
  test.each([10, 2_000_000_000])('%i is accepted', (rateLimit) => {
    expect(check({ rateLimit }).lines).toEqual([]);
  });

  test.each([9, 2_000_000_001, 10.5])('%d is refused', (rateLimit) => {
    expect(check({ rateLimit }).lines).toEqual([
      `  - EdgeWebAcl: rateLimit '${rateLimit}': must be a whole number from 10 to 2000000000 requests per window (AWS WAF API RateBasedStatement, Limit). `
      + 'Fix: use 10 or more, or rateLimitEnabled: false for no rate-based rule.',
    ]);
  });

  test('a token is accepted', () => {
    expect(check({ rateLimit: Lazy.number({ produce: () => 1 }) }).lines).toEqual([]);
  });

  test('only applies with the rate-based rule, whose range is then not checked', () => {
    expect(check({ rateLimitEnabled: false, rateLimit: 9 }).lines).toEqual([
      "  - EdgeWebAcl: rateLimit '9': only applies to the rate-based rule, which rateLimitEnabled: false removes. Fix: remove rateLimit, or rateLimitEnabled: false.",
    ]);
    expect(check({ rateLimitEnabled: false }).lines).toEqual([]);
  });
});

describe('rateLimitWindow', () => {
  test.each([60, 120, 300, 600])('%i seconds is accepted and returned', (seconds) => {
    expect(check({ rateLimitWindow: Duration.seconds(seconds) })).toEqual({ lines: [], checked: { windowSeconds: seconds }, warnings: [] });
  });

  test.each([
    ['59 seconds', Duration.seconds(59)],
    ['1 minute 1 second', Duration.seconds(61)],
    ['1 minute 30 seconds', Duration.seconds(90)],
    ['1 minute 500 millis', Duration.millis(60_500)],
  ])('%s is refused', (shown, rateLimitWindow) => {
    expect(check({ rateLimitWindow }).lines).toEqual([
      `  - EdgeWebAcl: rateLimitWindow '${shown}': WAF counts over 60, 120, 300, 600 seconds only (AWS WAF API RateBasedStatement, EvaluationWindowSec). `
      + 'Fix: use Duration.minutes(1), Duration.minutes(2), Duration.minutes(5) or Duration.minutes(10).',
    ]);
  });

  test('a token in seconds is passed on', () => {
    const token = Lazy.number({ produce: () => 60 });
    const { lines, checked } = check({ rateLimitWindow: Duration.seconds(token) });
    expect(lines).toEqual([]);
    expect(Token.isUnresolved(checked!.windowSeconds)).toBe(true);
  });

  test('a token in another unit is refused', () => {
    expect(check({ rateLimitWindow: Duration.minutes(Lazy.number({ produce: () => 1 })) }).lines).toEqual([
      '  - EdgeWebAcl: rateLimitWindow (token): a token Duration can only be passed on to WAF (which counts in seconds) when it is given in seconds. '
      + 'Fix: use Duration.seconds(token).',
    ]);
  });

  test('only applies with the rate-based rule', () => {
    expect(check({ rateLimitEnabled: false, rateLimitWindow: Duration.minutes(1) }).lines).toEqual([
      "  - EdgeWebAcl: rateLimitWindow '1 minute': only applies to the rate-based rule, which rateLimitEnabled: false removes. "
      + 'Fix: remove rateLimitWindow, or rateLimitEnabled: false.',
    ]);
  });
});

describe('managedRuleGroups', () => {
  test.each([
    ['an AWS managed rule group', ['AWSManagedRulesSQLiRuleSet']],
    ['the shortest name', ['AWSManagedRulesX']],
    ['none', []],
    ['a token entry', [Lazy.string({ produce: () => 'x' })]],
  ])('%s is accepted', (_what, managedRuleGroups) => {
    expect(check({ managedRuleGroups }).lines).toEqual([]);
  });

  test.each(['AWSManagedRules', 'MyAWSManagedRulesX', 'AWSManagedRulesX-Y', 'SQLi'])('%s is refused', (name) => {
    expect(check({ managedRuleGroups: [name] }).lines).toEqual([
      `  - EdgeWebAcl: managedRuleGroups '${name}': is not the name of an AWS managed rule group. Fix: use a name such as AWSManagedRulesSQLiRuleSet.`,
    ]);
  });

  test('a paid group is refused with its own fix', () => {
    expect(check({ managedRuleGroups: ['AWSManagedRulesBotControlRuleSet'] }).lines).toEqual([
      "  - EdgeWebAcl: managedRuleGroups 'AWSManagedRulesBotControlRuleSet': is a paid rule group (subscription and per-request fee) or needs configuration. "
      + 'Fix: set botControl: true.',
    ]);
  });

  test('a group listed twice is refused', () => {
    expect(check({ managedRuleGroups: ['AWSManagedRulesX', 'AWSManagedRulesX'] }).lines).toEqual([
      "  - EdgeWebAcl: managedRuleGroups 'AWSManagedRulesX, AWSManagedRulesX': lists a rule group twice. Fix: list each group once.",
    ]);
  });

  test('a list token is refused', () => {
    expect(check({ managedRuleGroups: Token.asList(Lazy.any({ produce: () => ['x'] })) }).lines).toEqual([
      "  - EdgeWebAcl: managedRuleGroups '(list token)': each rule group becomes its own rule of the web ACL, so the list must be known at synth time. "
      + 'Fix: pass a literal list (its entries may be tokens).',
    ]);
  });
});

describe('redactedHeaders', () => {
  test.each([0, 100])('%i headers are accepted', (n) => {
    expect(check({ redactedHeaders: Array.from({ length: n }, (_, i) => `h${i}`) }).lines).toEqual([]);
  });

  test('101 headers are refused', () => {
    expect(check({ redactedHeaders: Array.from({ length: 101 }, (_, i) => `h${i}`) }).lines).toEqual([
      "  - EdgeWebAcl: redactedHeaders '101 headers': WAF redacts at most 100 fields (AWS WAF API LoggingConfiguration, RedactedFields). "
      + 'Fix: redact only the headers that carry credentials or personal data.',
    ]);
  });

  test('a list token is refused', () => {
    expect(check({ redactedHeaders: Token.asList(Lazy.any({ produce: () => ['x'] })) }).lines).toEqual([
      "  - EdgeWebAcl: redactedHeaders '(list token)': each header becomes its own redacted field of the logging configuration, so the list must be known at synth time. "
      + 'Fix: pass a literal list (its entries may be tokens).',
    ]);
  });
});

describe('blockedRequestsBaseline', () => {
  test.each([0, 1000])('%i is accepted', (blockedRequestsBaseline) => {
    expect(check({ blockedRequestsBaseline }).lines).toEqual([]);
  });

  test.each([-1, 1.5])('%d is refused', (blockedRequestsBaseline) => {
    expect(check({ blockedRequestsBaseline }).lines).toEqual([
      `  - EdgeWebAcl: blockedRequestsBaseline '${blockedRequestsBaseline}': is a number of requests per 5 minutes. Fix: use a whole number of 0 or more, e.g. 1000.`,
    ]);
  });

  test('a token is accepted', () => {
    expect(check({ blockedRequestsBaseline: Lazy.number({ produce: () => -1 }) }).lines).toEqual([]);
  });
});

describe('logGroup', () => {
  const arn = (region: string, name: string) => `arn:aws:logs:${region}:123456789012:log-group:${name}`;

  test('an imported aws-waf-logs- group of the region is accepted', () => {
    expect(check((s) => ({ logGroup: logs.LogGroup.fromLogGroupArn(s, 'L', arn('eu-west-1', 'aws-waf-logs-app')) }))).toEqual(
      { lines: [], checked: { windowSeconds: 300 }, warnings: [] });
  });

  test('a new group named aws-waf-logs- is accepted', () => {
    expect(check((s) => ({ logGroup: new logs.LogGroup(s, 'L', { logGroupName: 'aws-waf-logs-app' }) })).lines).toEqual([]);
  });

  test('a new group without a name is refused', () => {
    expect(check((s) => ({ logGroup: new logs.LogGroup(s, 'L') })).lines).toEqual([
      "  - EdgeWebAcl: logGroup 'S/L': was created without logGroupName, so CloudFormation generates a name, which never starts with 'aws-waf-logs-' as WAF requires. "
      + "Fix: create it with logGroupName: 'aws-waf-logs-<name>', or omit logGroup to have one created.",
    ]);
  });

  test('a new group named by a token that resolves at synth is checked by that name', () => {
    expect(check((s) => ({ logGroup: new logs.LogGroup(s, 'L', { logGroupName: Lazy.string({ produce: () => 'aws-waf-logs-app' }) }) })))
      .toEqual({ lines: [], checked: { windowSeconds: 300 }, warnings: [] });
  });

  test.each([
    ['waf/app', 'aws-waf-logs-waf/app'],
    ['//waf/app', 'aws-waf-logs-waf/app'],
  ])('a group named %s is refused, suggesting %s', (name, suggested) => {
    expect(check((s) => ({ logGroup: logs.LogGroup.fromLogGroupArn(s, 'L', arn('eu-west-1', name)) })).lines).toEqual([
      `  - EdgeWebAcl: logGroup '${name}': WAF only logs to log groups whose name starts with 'aws-waf-logs-'. `
      + `Fix: use a log group named '${suggested}', or omit logGroup to have one created.`,
    ]);
  });

  test('a new group with another name is refused, suggesting one', () => {
    expect(check((s) => ({ logGroup: new logs.LogGroup(s, 'L', { logGroupName: '/waf/app' }) })).lines).toEqual([
      "  - EdgeWebAcl: logGroup '/waf/app': WAF only logs to log groups whose name starts with 'aws-waf-logs-'. "
      + "Fix: use a log group named 'aws-waf-logs-waf/app', or omit logGroup to have one created.",
    ]);
  });

  test('a new group named by a deploy-time token is a warning', () => {
    const { lines, warnings } = check((s) => ({ logGroup: new logs.LogGroup(s, 'L', { logGroupName: new CfnParameter(s, 'Name').valueAsString }) }));
    expect(lines).toEqual([]);
    expect(warnings).toEqual([
      "The name of logGroup is unknown at synth time (a token), so its 'aws-waf-logs-' prefix cannot be checked: "
      + "WAF refuses the logging configuration at deploy time unless the name starts with 'aws-waf-logs-'. "
      + '[ack: cdk-reference-architectures:wafLogGroupNameUnknown]',
    ]);
  });

  test('a group in another region is refused', () => {
    expect(check((s) => ({ logGroup: logs.LogGroup.fromLogGroupArn(s, 'L', arn('us-west-2', 'aws-waf-logs-app')) })).lines).toEqual([
      "  - EdgeWebAcl: logGroup 'aws-waf-logs-app': is in us-west-2, but WAF logs only to a log group in the web ACL's region (eu-west-1). "
      + 'Fix: use a log group in eu-west-1.',
    ]);
  });

  test('for a CLOUDFRONT web ACL the message says us-east-1', () => {
    const { lines } = check((s) => ({ logGroup: logs.LogGroup.fromLogGroupArn(s, 'L', arn('us-west-2', 'aws-waf-logs-app')) }),
      { region: 'us-east-1', scope: WebAclScope.CLOUDFRONT });
    expect(lines).toEqual([
      "  - EdgeWebAcl: logGroup 'aws-waf-logs-app': is in us-west-2, but WAF logs only to a log group in the web ACL's region "
      + '(us-east-1, us-east-1 for a CLOUDFRONT web ACL). Fix: use a log group in us-east-1.',
    ]);
  });

  test('a web ACL in an environment-agnostic stack is not compared', () => {
    const stack = new Stack();
    const errors = new ConfigErrors('EdgeWebAcl', 'Acl');
    checkEdgeWebAclProps(stack, errors, { logGroup: logs.LogGroup.fromLogGroupArn(stack, 'L', arn('us-west-2', 'aws-waf-logs-app')) }, WebAclScope.REGIONAL, PAID);
    expect(errors.count).toBe(0);
  });

  test('a group in a token region is not compared', () => {
    expect(check((s) => ({ logGroup: logs.LogGroup.fromLogGroupName(s, 'L', 'aws-waf-logs-app') }), { region: 'us-west-2' }).lines).toEqual([]);
  });

  test('logRetention only applies to a new log group', () => {
    expect(check((s) => ({ logGroup: logs.LogGroup.fromLogGroupArn(s, 'L', arn('eu-west-1', 'aws-waf-logs-app')), logRetention: logs.RetentionDays.ONE_DAY })).lines)
      .toEqual(["  - EdgeWebAcl: logRetention '1': only applies to a new log group, but logGroup was given. Fix: remove logRetention."]);
    expect(check({ logRetention: logs.RetentionDays.ONE_DAY }).lines).toEqual([]);
  });
});
