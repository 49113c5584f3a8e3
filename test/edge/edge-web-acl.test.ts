import { CfnParameter, Duration, Lazy } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { EdgeWebAcl } from '../../lib/edge/edge-web-acl';
import { IpBlocklist, WebAclScope } from '../../lib/edge/ip-blocklist';
import { testStack } from '../support/app';
import { expectConsoleOutput } from '../support/console-guard';

const blocklist = new IpBlocklist({ cidrs: ['203.0.113.0/24', '2001:db8:bad::/48'] });

/** The rules of the only web ACL, by name. */
function rules(template: Template): Record<string, any> {
  const [acl] = Object.values(template.findResources('AWS::WAFv2::WebACL'));
  return Object.fromEntries(acl.Properties.Rules.map((r: any) => [r.Name, r]));
}

describe('EdgeWebAcl', () => {
  describe('defaults', () => {
    let template: Template;
    beforeAll(() => {
      const stack = testStack();
      new EdgeWebAcl(stack, 'Acl', { blocklist });
      template = Template.fromStack(stack);
    });

    test('a REGIONAL web ACL that allows by default', () => {
      template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    });

    test('rule order: blocked IPv4, blocked IPv6, IP reputation, rate limit, core rule set, known bad inputs', () => {
      expect(Object.values(rules(template)).sort((a, b) => a.Priority - b.Priority).map((r) => r.Name)).toEqual([
        'BlockedIpsIpv4', 'BlockedIpsIpv6', 'AWSManagedRulesAmazonIpReputationList', 'RateLimitPerIp',
        'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet',
      ]);
    });

    test('the IP rules block with the IP sets of their family', () => {
      const r = rules(template);
      expect(r.BlockedIpsIpv4).toMatchObject({ Action: { Block: {} }, Statement: { IPSetReferenceStatement: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/Ipv4/), 'Arn'] } } } });
      expect(r.BlockedIpsIpv6.Statement.IPSetReferenceStatement.Arn['Fn::GetAtt'][0]).toMatch(/Ipv6/);
    });

    test('the rate-based rule blocks above 1000 requests per IP per 5 minutes', () => {
      expect(rules(template).RateLimitPerIp).toMatchObject({
        Action: { Block: {} }, Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: 1000, EvaluationWindowSec: 300 } },
      });
    });

    test('only the free managed rule groups, enforced (override none), no Bot Control', () => {
      expect(EdgeWebAcl.FREE_MANAGED_RULE_GROUPS).toEqual(['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']);
      expect(Object.keys(rules(template)).filter((name) => name.startsWith('AWSManagedRules'))).toEqual(EdgeWebAcl.FREE_MANAGED_RULE_GROUPS);
      for (const name of EdgeWebAcl.FREE_MANAGED_RULE_GROUPS) {
        expect(rules(template)[name]).toMatchObject({ OverrideAction: { None: {} }, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: name } } });
      }
      expect(rules(template).AWSManagedRulesBotControlRuleSet).toBeUndefined();
    });

    test('CloudWatch metrics and sampled requests for the web ACL and every rule', () => {
      const [acl] = Object.values(template.findResources('AWS::WAFv2::WebACL'));
      for (const config of [acl.Properties.VisibilityConfig, ...acl.Properties.Rules.map((r: any) => r.VisibilityConfig)]) {
        expect(config).toMatchObject({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true, MetricName: expect.any(String) });
      }
    });

    test('logs to a retained aws-waf-logs- log group, ARN without the :* suffix, credentials redacted', () => {
      template.hasResource('AWS::Logs::LogGroup', {
        DeletionPolicy: 'Retain',
        Properties: { LogGroupName: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('^aws-waf-logs-')])] }, RetentionInDays: 90 },
      });
      template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
        ResourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Acl'), 'Arn'] },
        LogDestinationConfigs: [{ 'Fn::Join': ['', Match.arrayWith([':log-group:', { Ref: Match.stringLikeRegexp('^AclLogs') }])] }],
        RedactedFields: [{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }],
      });
    });
  });

  test('count-only mode counts in every rule and rule group', () => {
    const stack = testStack();
    new EdgeWebAcl(stack, 'Acl', { blocklist, countOnly: true, botControl: true });
    for (const rule of Object.values(rules(Template.fromStack(stack)))) {
      expect(rule.Action ?? rule.OverrideAction).toEqual({ Count: {} });
    }
  });

  test('Bot Control only when asked, last, at the common inspection level', () => {
    const stack = testStack();
    new EdgeWebAcl(stack, 'Acl', { botControl: true });
    const all = Object.values(rules(Template.fromStack(stack))).sort((a, b) => a.Priority - b.Priority);
    expect(all[all.length - 1]).toMatchObject({
      Name: 'AWSManagedRulesBotControlRuleSet',
      Statement: { ManagedRuleGroupStatement: { ManagedRuleGroupConfigs: [{ AWSManagedRulesBotControlRuleSet: { InspectionLevel: 'COMMON' } }] } },
    });
  });

  test('no blocklist and rateLimitEnabled: false leave only the managed groups', () => {
    const stack = testStack();
    new EdgeWebAcl(stack, 'Acl', { rateLimitEnabled: false, managedRuleGroups: ['AWSManagedRulesSQLiRuleSet'] });
    expect(Object.keys(rules(Template.fromStack(stack)))).toEqual(['AWSManagedRulesSQLiRuleSet']);
    Template.fromStack(stack).resourceCountIs('AWS::WAFv2::IPSet', 0);
  });

  test('a custom rate limit and window', () => {
    const stack = testStack();
    new EdgeWebAcl(stack, 'Acl', { rateLimit: 10, rateLimitWindow: Duration.minutes(1) });
    expect(rules(Template.fromStack(stack)).RateLimitPerIp.Statement.RateBasedStatement).toMatchObject({ Limit: 10, EvaluationWindowSec: 60 });
  });

  test('an existing aws-waf-logs- log group is used as is', () => {
    const stack = testStack();
    const logGroup = logs.LogGroup.fromLogGroupName(stack, 'Existing', 'aws-waf-logs-mine');
    new EdgeWebAcl(stack, 'Acl', { logGroup });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Logs::LogGroup', 0);
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      LogDestinationConfigs: [{ 'Fn::Join': ['', Match.arrayWith([':log-group:aws-waf-logs-mine'])] }],
    });
  });

  test('a token rate limit is accepted (CfnParameter)', () => {
    const stack = testStack();
    const limit = new CfnParameter(stack, 'Limit', { type: 'Number' });
    new EdgeWebAcl(stack, 'Acl', { rateLimit: limit.valueAsNumber, rateLimitWindow: Duration.seconds(Lazy.number({ produce: () => 7 })) });
    expect(rules(Template.fromStack(stack)).RateLimitPerIp.Statement.RateBasedStatement.Limit).toEqual({ Ref: 'Limit' });
  });

  describe('metrics', () => {
    test('regional metrics carry the Region dimension', () => {
      const stack = testStack({ region: 'eu-west-1' });
      const acl = new EdgeWebAcl(stack, 'Acl');
      expect(stack.resolve(acl.metricBlockedRequests().dimensions)).toEqual({ WebACL: acl.webAclName, Rule: 'ALL', Region: 'eu-west-1' });
      expect(acl.metricCountedRequests('RateLimitPerIp').metricName).toBe('CountedRequests');
    });
  });

  describe('scope and region', () => {
    test('a CLOUDFRONT web ACL and its IP sets in us-east-1', () => {
      const stack = testStack({ region: 'us-east-1' });
      new EdgeWebAcl(stack, 'Acl', { scope: WebAclScope.CLOUDFRONT, blocklist });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT' });
      template.allResourcesProperties('AWS::WAFv2::IPSet', { Scope: 'CLOUDFRONT' });
    });

    test('fails if a CLOUDFRONT web ACL is in another region', () => {
      const stack = testStack({ region: 'eu-west-1' });
      expect(() => new EdgeWebAcl(stack, 'Acl', { scope: WebAclScope.CLOUDFRONT }))
        .toThrow(/scope 'CLOUDFRONT': a CLOUDFRONT-scope web ACL and its IP sets can only be created in us-east-1, but this stack is in eu-west-1/);
    });

    test('warns about a CLOUDFRONT web ACL in an environment-agnostic stack', () => {
      const printed = expectConsoleOutput();
      const stack = testStack({ failOnWarnings: false });
      new EdgeWebAcl(stack, 'Acl', { scope: WebAclScope.CLOUDFRONT });
      Annotations.fromStack(stack).hasWarning('/TestStack/Acl', Match.stringLikeRegexp('deploy fails unless that stack is deployed to us-east-1'));
      expect(printed.text()).toContain('deploy fails unless that stack is deployed to us-east-1');
    });

    test('associate() refuses a CLOUDFRONT web ACL', () => {
      const acl = new EdgeWebAcl(testStack({ region: 'us-east-1' }), 'Acl', { scope: WebAclScope.CLOUDFRONT });
      expect(() => acl.associate('A', 'arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/x/y'))
        .toThrow(/associate\(\) is for REGIONAL web ACLs/);
    });

    test('fromWebAclArn reads the scope from the ARN', () => {
      expect(EdgeWebAcl.fromWebAclArn('arn:aws:wafv2:us-east-1:111111111111:global/webacl/a/1').webAclScope).toBe(WebAclScope.CLOUDFRONT);
      expect(EdgeWebAcl.fromWebAclArn('arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/a/1').webAclScope).toBe(WebAclScope.REGIONAL);
    });
  });

  describe('validation', () => {
    test.each([9, 0, 10.5])('fails if rateLimit is %s', (rateLimit) => {
      expect(() => new EdgeWebAcl(testStack(), 'Acl', { rateLimit }))
        .toThrow(/rateLimit '[\d.]+': must be a whole number from 10 to 2000000000 requests per window \(AWS WAF API RateBasedStatement, Limit\)/);
    });

    test.each([30, 180, 3600])('fails if rateLimitWindow is %s seconds', (seconds) => {
      expect(() => new EdgeWebAcl(testStack(), 'Acl', { rateLimitWindow: Duration.seconds(seconds) }))
        .toThrow(/rateLimitWindow '.+': WAF counts over 60, 120, 300, 600 seconds only/);
    });

    test('fails if rateLimitWindow is given without a rate-based rule', () => {
      expect(() => new EdgeWebAcl(testStack(), 'Acl', { rateLimitEnabled: false, rateLimitWindow: Duration.minutes(1) }))
        .toThrow(/rateLimitWindow '1 minute': only applies to the rate-based rule, which rateLimitEnabled: false removes/);
    });

    test('fails if rateLimit is given without a rate-based rule', () => {
      expect(() => new EdgeWebAcl(testStack(), 'Acl', { rateLimitEnabled: false, rateLimit: 500 }))
        .toThrow(/EdgeWebAcl: rateLimit '500': only applies to the rate-based rule, which rateLimitEnabled: false removes. Fix: remove rateLimit, or rateLimitEnabled: false/);
    });

    test('fails if the log group name does not start with aws-waf-logs-', () => {
      const stack = testStack();
      const logGroup = logs.LogGroup.fromLogGroupName(stack, 'Existing', 'waf');
      expect(() => new EdgeWebAcl(stack, 'Acl', { logGroup }))
        .toThrow(/logGroup 'waf': WAF only logs to log groups whose name starts with 'aws-waf-logs-'. Fix: use a log group named 'aws-waf-logs-waf'/);
    });

    test('fails if logRetention is given with an existing log group', () => {
      const stack = testStack();
      const logGroup = logs.LogGroup.fromLogGroupName(stack, 'Existing', 'aws-waf-logs-x');
      expect(() => new EdgeWebAcl(stack, 'Acl', { logGroup, logRetention: logs.RetentionDays.ONE_DAY }))
        .toThrow(/logRetention '1': only applies to a new log group/);
    });

    test('fails if a paid rule group is listed in managedRuleGroups', () => {
      expect(() => new EdgeWebAcl(testStack(), 'Acl', { managedRuleGroups: ['AWSManagedRulesBotControlRuleSet'] }))
        .toThrow(/is a paid rule group .* Fix: set botControl: true/);
    });

    test('fails if a managed rule group name is unknown or repeated', () => {
      expect(() => new EdgeWebAcl(testStack(), 'Acl', { managedRuleGroups: ['CommonRuleSet', 'AWSManagedRulesSQLiRuleSet', 'AWSManagedRulesSQLiRuleSet'] }))
        .toThrow(/'CommonRuleSet': is not the name of an AWS managed rule group[\s\S]*lists a rule group twice/);
    });
  });

  describe('redeploy after destroy', () => {
    /** Evaluates the intrinsics CloudFormation applies to a log group name, for a given stack ID. */
    function evaluate(value: any, stackId: string): any {
      if (typeof value === 'string') return value;
      if (value.Ref === 'AWS::StackId') return stackId;
      if (value['Fn::Join']) return value['Fn::Join'][1].map((v: any) => evaluate(v, stackId)).join(value['Fn::Join'][0]);
      if (value['Fn::Split']) return evaluate(value['Fn::Split'][1], stackId).split(value['Fn::Split'][0]);
      if (value['Fn::Select']) return evaluate(value['Fn::Select'][1], stackId)[value['Fn::Select'][0]];
      throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
    }

    test('the retained log group\'s name differs per stack instance, so a new stack does not hit "already exists"', () => {
      const stack = testStack();
      new EdgeWebAcl(stack, 'Acl');
      const [logGroup] = Object.values(Template.fromStack(stack).findResources('AWS::Logs::LogGroup'));
      expect(logGroup.DeletionPolicy).toBe('Retain');
      const name = logGroup.Properties.LogGroupName;
      const first = evaluate(name, 'arn:aws:cloudformation:eu-west-1:111111111111:stack/TestStack/1c2fa620-982a-11e3-aff7-50e2416294e0');
      const second = evaluate(name, 'arn:aws:cloudformation:eu-west-1:111111111111:stack/TestStack/8d1a2b30-1f00-11ef-9c3e-0a1b2c3d4e5f');
      expect(first).not.toEqual(second);
      for (const n of [first, second]) {
        expect(n).toMatch(/^aws-waf-logs-[.\-_/#A-Za-z0-9]+$/); // WAF's prefix, CloudWatch Logs' character set
        expect(n.length).toBeLessThanOrEqual(512);
      }
      expect(first).toMatch(/-50e2416294e0$/);
    });

    test('the logging configuration points at that same name', () => {
      const stack = testStack();
      new EdgeWebAcl(stack, 'Acl');
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
        LogDestinationConfigs: [{ 'Fn::Join': ['', Match.arrayWith([':log-group:', { Ref: Match.stringLikeRegexp('^AclLogs') }])] }],
      });
    });
  });
});
