import { CfnParameter, Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as elbv2Targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AlbIpBlocking } from '../../lib/edge/alb-ip-blocking';
import { CloudFrontDistributionAlarms } from '../../lib/edge/cloudfront-distribution-alarms';
import { CloudFrontWafAlb } from '../../lib/edge/cloudfront-waf-alb';
import { EdgeWebAcl } from '../../lib/edge/edge-web-acl';
import { IpBlocklist, WebAclScope } from '../../lib/edge/ip-blocklist';
import { NlbIpBlocking } from '../../lib/edge/nlb-ip-blocking';
import { PublicInstanceIpBlocking } from '../../lib/edge/public-instance-ip-blocking';
import { WafProtectedAlb } from '../../lib/edge/waf-protected-alb';
import { testApp, testStack } from '../support/app';

const blocklist = new IpBlocklist({ cidrs: ['203.0.113.0/24'] });
const CLOUDFRONT_ACL = 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/edge/abc';

function topicAction(stack: Stack, id = 'Topic'): { action: cloudwatch.IAlarmAction; topicId: string } {
  const topic = new sns.Topic(stack, id);
  return { action: new cwActions.SnsAction(topic), topicId: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) };
}

/** The alarms of a template, keyed by the start of their logical ID (the construct path without hash). */
function alarmsOf(template: Template): Record<string, any> {
  return Object.fromEntries(Object.entries(template.findResources('AWS::CloudWatch::Alarm'))
    .map(([id, r]) => [id.replace(/[0-9A-F]{8}$/, ''), r.Properties]));
}

/** The shape of an alarm every edge alarm is checked against. */
function shape(alarm: any): Record<string, unknown> {
  return {
    metric: alarm.MetricName ?? 'math',
    statistic: alarm.Statistic,
    period: alarm.Period,
    comparison: alarm.ComparisonOperator,
    threshold: alarm.Threshold,
    evaluationPeriods: alarm.EvaluationPeriods,
    missing: alarm.TreatMissingData,
  };
}

const TARGET_5XX = { metric: 'HTTPCode_Target_5XX_Count', statistic: 'Sum', period: 300, comparison: 'GreaterThanThreshold', threshold: 10, evaluationPeriods: 1, missing: 'notBreaching' };
const ELB_5XX = { ...TARGET_5XX, metric: 'HTTPCode_ELB_5XX_Count' };
const UNHEALTHY = { metric: 'UnHealthyHostCount', statistic: 'Maximum', period: 60, comparison: 'GreaterThanOrEqualToThreshold', threshold: 1, evaluationPeriods: 3, missing: 'notBreaching' };
const STATUS = { metric: 'StatusCheckFailed', statistic: 'Maximum', period: 60, comparison: 'GreaterThanOrEqualToThreshold', threshold: 1, evaluationPeriods: 3, missing: 'missing' };

/** Every alarm of the template runs exactly the given topic. */
function expectActions(template: Template, topicId: string): void {
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
  expect(alarms.length).toBeGreaterThan(0);
  for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
}

/** Every alarm has a description saying what broke and where to look. */
function expectDescriptions(template: Template): void {
  for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
    expect(alarm.Properties.AlarmDescription).toMatch(/\. Look at /);
  }
}

describe('EdgeWebAcl alarms', () => {
  test('blocked requests above the default baseline of 1000 per 5 minutes; no count alarm unless countOnly', () => {
    const stack = testStack();
    const acl = new EdgeWebAcl(stack, 'Acl', { blocklist });
    const template = Template.fromStack(stack);
    const alarms = alarmsOf(template);
    expect(Object.keys(alarms)).toEqual(['AclBlockedRequestsAlarm']);
    expect(shape(alarms.AclBlockedRequestsAlarm)).toEqual({
      metric: 'BlockedRequests', statistic: 'Sum', period: 300, comparison: 'GreaterThanThreshold', threshold: 1000, evaluationPeriods: 1, missing: 'notBreaching',
    });
    expect(alarms.AclBlockedRequestsAlarm.Dimensions).toEqual(expect.arrayContaining([
      { Name: 'WebACL', Value: acl.webAclName }, { Name: 'Rule', Value: 'ALL' }, { Name: 'Region', Value: { Ref: 'AWS::Region' } },
    ]));
    expect(acl.countedRequestsAlarm).toBeUndefined();
    expect(acl.alarms).toEqual([acl.blockedRequestsAlarm]);
    expectDescriptions(template);
  });

  test('blockedRequestsBaseline sets the threshold; a token is accepted', () => {
    const stack = testStack();
    new EdgeWebAcl(stack, 'Acl', { blockedRequestsBaseline: 50 });
    new EdgeWebAcl(stack, 'Tokens', { blockedRequestsBaseline: new CfnParameter(stack, 'Baseline', { type: 'Number' }).valueAsNumber });
    const alarms = alarmsOf(Template.fromStack(stack));
    expect(alarms.AclBlockedRequestsAlarm.Threshold).toBe(50);
    expect(alarms.TokensBlockedRequestsAlarm.Threshold).toEqual({ Ref: 'Baseline' });
  });

  test('fails if blockedRequestsBaseline is negative or fractional', () => {
    expect(() => new EdgeWebAcl(testStack(), 'Acl', { blockedRequestsBaseline: -1 })).toThrow(/blockedRequestsBaseline.*-1.*whole number/);
    expect(() => new EdgeWebAcl(testStack(), 'Acl', { blockedRequestsBaseline: 2.5 })).toThrow(/blockedRequestsBaseline.*2\.5/);
  });

  test('countOnly: any request counted by any rule (the sum of each rule\'s CountedRequests) alarms', () => {
    const stack = testStack();
    const acl = new EdgeWebAcl(stack, 'Acl', { blocklist, countOnly: true });
    const alarm = alarmsOf(Template.fromStack(stack)).AclCountedRequestsAlarm;
    expect(shape(alarm)).toEqual({ metric: 'math', statistic: undefined, period: undefined, comparison: 'GreaterThanThreshold', threshold: 0, evaluationPeriods: 1, missing: 'notBreaching' });
    const [sum, ...rules] = alarm.Metrics;
    expect(sum.Expression).toBe(`SUM([${acl.ruleNames.map((_, i) => `r${i}`).join(', ')}])`);
    expect(rules.map((m: any) => m.MetricStat.Metric.Dimensions.find((d: any) => d.Name === 'Rule').Value)).toEqual(acl.ruleNames);
    expect(rules.every((m: any) => m.MetricStat.Metric.MetricName === 'CountedRequests' && m.MetricStat.Period === 300)).toBe(true);
    expect(acl.alarms).toEqual([acl.blockedRequestsAlarm, acl.countedRequestsAlarm]);
  });

  test('alarmActions reach every alarm; addAlarmActions adds to every alarm', () => {
    const stack = testStack();
    const { action, topicId } = topicAction(stack);
    new EdgeWebAcl(stack, 'Acl', { countOnly: true, alarmActions: [action] });
    expectActions(Template.fromStack(stack), topicId);

    const later = testStack();
    const acl = new EdgeWebAcl(later, 'Acl', { countOnly: true });
    const added = topicAction(later);
    acl.addAlarmActions(added.action);
    expectActions(Template.fromStack(later), added.topicId);
  });

  test('CLOUDFRONT scope: metrics carry no Region dimension and are read from us-east-1', () => {
    const stack = testStack({ region: 'us-east-1' });
    const acl = new EdgeWebAcl(stack, 'Acl', { scope: WebAclScope.CLOUDFRONT });
    expect(acl.metricBlockedRequests().region).toBe('us-east-1');
    expect(acl.metricBlockedRequests().dimensions).toEqual({ WebACL: acl.webAclName, Rule: 'ALL' });
    expect(acl.metricAllowedRequests().metricName).toBe('AllowedRequests');
  });
});

describe('WafProtectedAlb alarms', () => {
  test('the web ACL\'s alarm and the ALB\'s 5xx alarms (targets, load balancer); unhealthy hosts per target group added', () => {
    const stack = testStack();
    const { action, topicId } = topicAction(stack);
    const waf = new WafProtectedAlb(stack, 'Web', { blocklist, alarmActions: [action] });
    const tg = waf.listener!.addTargets('App', { port: 80, targets: [new elbv2Targets.IpTarget('10.0.0.10')] });
    const unhealthy = waf.addUnhealthyHostsAlarm(tg);
    const template = Template.fromStack(stack);
    const alarms = alarmsOf(template);
    expect(Object.keys(alarms).sort()).toEqual([
      'WebAppGroupUnhealthyHostsAlarm', 'WebLoadBalancerServerErrorsAlarm', 'WebTargetServerErrorsAlarm', 'WebWebAclBlockedRequestsAlarm',
    ]);
    expect(shape(alarms.WebTargetServerErrorsAlarm)).toEqual(TARGET_5XX);
    expect(shape(alarms.WebLoadBalancerServerErrorsAlarm)).toEqual(ELB_5XX);
    expect(shape(alarms.WebAppGroupUnhealthyHostsAlarm)).toEqual(UNHEALTHY);
    expect(alarms.WebAppGroupUnhealthyHostsAlarm.Dimensions).toContainEqual({ Name: 'TargetGroup', Value: { 'Fn::GetAtt': [stack.getLogicalId(tg.node.defaultChild as elbv2.CfnTargetGroup), 'TargetGroupFullName'] } });
    expect(waf.alarms).toHaveLength(4);
    expect(waf.unhealthyHostsAlarms).toEqual([unhealthy]);
    expectActions(template, topicId);
    expectDescriptions(template);
  });

  test('addAlarmActions reaches the web ACL\'s alarms and alarms added afterwards', () => {
    const stack = testStack();
    const waf = new WafProtectedAlb(stack, 'Web', {});
    const { action, topicId } = topicAction(stack);
    waf.addAlarmActions(action);
    waf.addUnhealthyHostsAlarm(waf.listener!.addTargets('App', { port: 80, targets: [new elbv2Targets.IpTarget('10.0.0.10')] }));
    expectActions(Template.fromStack(stack), topicId);
  });

  test('serverErrorThreshold sets both 5xx thresholds; an existing ALB gets them too', () => {
    const stack = testStack({ region: 'eu-west-1' });
    const existing = elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Existing', {
      loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/web/0123456789abcdef', securityGroupId: 'sg-12345678',
    });
    const waf = new WafProtectedAlb(stack, 'Web', { loadBalancer: existing, serverErrorThreshold: 3 });
    const alarms = alarmsOf(Template.fromStack(stack));
    expect([alarms.WebTargetServerErrorsAlarm.Threshold, alarms.WebLoadBalancerServerErrorsAlarm.Threshold]).toEqual([3, 3]);
    expect(alarms.WebTargetServerErrorsAlarm.Dimensions).toEqual([{ Name: 'LoadBalancer', Value: 'app/web/0123456789abcdef' }]);
    expect(waf.metricTargetServerErrors().dimensions).toEqual({ LoadBalancer: 'app/web/0123456789abcdef' });
    expect(waf.metricLoadBalancerServerErrors().metricName).toBe('HTTPCode_ELB_5XX_Count');
  });

  test('fails if serverErrorThreshold is negative', () => {
    expect(() => new WafProtectedAlb(testStack(), 'Web', { serverErrorThreshold: -1 })).toThrow(/serverErrorThreshold.*-1/);
  });
});

describe('AlbIpBlocking alarms', () => {
  test('target 5xx, ALB 5xx, unhealthy host and instance status check, all with the actions', () => {
    const stack = testStack();
    const { action, topicId } = topicAction(stack);
    const web = new AlbIpBlocking(stack, 'Web', { blocklist, alarmActions: [action], serverErrorThreshold: 20 });
    const template = Template.fromStack(stack);
    const alarms = alarmsOf(template);
    expect(Object.keys(alarms).sort()).toEqual(['WebInstanceStatusCheckAlarm', 'WebLoadBalancerServerErrorsAlarm', 'WebTargetServerErrorsAlarm', 'WebUnhealthyHostsAlarm']);
    expect(shape(alarms.WebTargetServerErrorsAlarm)).toEqual({ ...TARGET_5XX, threshold: 20 });
    expect(shape(alarms.WebLoadBalancerServerErrorsAlarm)).toEqual({ ...ELB_5XX, threshold: 20 });
    expect(shape(alarms.WebUnhealthyHostsAlarm)).toEqual(UNHEALTHY);
    expect(shape(alarms.WebInstanceStatusCheckAlarm)).toEqual(STATUS);
    expect(alarms.WebInstanceStatusCheckAlarm.Dimensions).toEqual([{ Name: 'InstanceId', Value: stack.resolve(web.instance.instanceId) }]);
    expect(web.alarms).toEqual([
      web.targetServerErrorsAlarm, web.loadBalancerServerErrorsAlarm, web.unhealthyHostsAlarm, web.instanceStatusCheckAlarm,
    ]);
    expectActions(template, topicId);
    expectDescriptions(template);
  });

  test('addAlarmActions reaches every alarm; metric methods match the alarms', () => {
    const stack = testStack();
    const web = new AlbIpBlocking(stack, 'Web', { blocklist });
    const { action, topicId } = topicAction(stack);
    web.addAlarmActions(action);
    expectActions(Template.fromStack(stack), topicId);
    expect(stack.resolve(web.metricUnhealthyHosts().dimensions)).toEqual(stack.resolve(web.targetGroup.metrics.unhealthyHostCount().dimensions));
    expect(stack.resolve(web.metricInstanceStatusCheckFailed().dimensions)).toEqual({ InstanceId: stack.resolve(web.instance.instanceId) });
    expect(web.metricTargetServerErrors().metricName).toBe('HTTPCode_Target_5XX_Count');
    expect(web.metricLoadBalancerServerErrors().metricName).toBe('HTTPCode_ELB_5XX_Count');
  });

  test('a token serverErrorThreshold synthesizes; a fractional one fails', () => {
    const stack = testStack();
    new AlbIpBlocking(stack, 'Web', { blocklist, serverErrorThreshold: Lazy.number({ produce: () => 7 }) });
    expect(alarmsOf(Template.fromStack(stack)).WebTargetServerErrorsAlarm.Threshold).toBe(7);
    expect(() => new AlbIpBlocking(testStack(), 'Web', { blocklist, serverErrorThreshold: 0.5 })).toThrow(/serverErrorThreshold.*0\.5/);
  });
});

describe('NlbIpBlocking alarms', () => {
  test('NLB unhealthy host and instance status check, with the actions', () => {
    const stack = testStack();
    const { action, topicId } = topicAction(stack);
    const web = new NlbIpBlocking(stack, 'Web', { blocklist, alarmActions: [action] });
    const template = Template.fromStack(stack);
    const alarms = alarmsOf(template);
    expect(Object.keys(alarms).sort()).toEqual(['WebInstanceStatusCheckAlarm', 'WebUnhealthyHostsAlarm']);
    expect(shape(alarms.WebUnhealthyHostsAlarm)).toEqual(UNHEALTHY);
    expect(alarms.WebUnhealthyHostsAlarm.Namespace).toBe('AWS/NetworkELB');
    expect(shape(alarms.WebInstanceStatusCheckAlarm)).toEqual(STATUS);
    expect(web.alarms).toEqual([web.unhealthyHostsAlarm, web.instanceStatusCheckAlarm]);
    expect(web.metricUnhealthyHosts().namespace).toBe('AWS/NetworkELB');
    expect(web.metricInstanceStatusCheckFailed().metricName).toBe('StatusCheckFailed');
    expectActions(template, topicId);
  });

  test('addAlarmActions reaches every alarm', () => {
    const stack = testStack();
    const web = new NlbIpBlocking(stack, 'Web', { blocklist });
    const { action, topicId } = topicAction(stack);
    web.addAlarmActions(action);
    expectActions(Template.fromStack(stack), topicId);
  });
});

describe('PublicInstanceIpBlocking alarms', () => {
  test('instance status check, with actions from the prop and from addAlarmActions', () => {
    const stack = testStack();
    const first = topicAction(stack, 'First');
    const web = new PublicInstanceIpBlocking(stack, 'Web', { blocklist, allowedCidrs: ['198.51.100.0/24'], alarmActions: [first.action] });
    const second = topicAction(stack, 'Second');
    web.addAlarmActions(second.action);
    const alarms = alarmsOf(Template.fromStack(stack));
    expect(Object.keys(alarms)).toEqual(['WebInstanceStatusCheckAlarm']);
    expect(shape(alarms.WebInstanceStatusCheckAlarm)).toEqual(STATUS);
    expect(alarms.WebInstanceStatusCheckAlarm.AlarmActions).toEqual([{ Ref: first.topicId }, { Ref: second.topicId }]);
    expect(web.alarms).toEqual([web.instanceStatusCheckAlarm]);
    expect(stack.resolve(web.metricInstanceStatusCheckFailed().dimensions)).toEqual({ InstanceId: stack.resolve(web.instance.instanceId) });
  });
});

describe('CloudFrontWafAlb alarms', () => {
  test('outside us-east-1: the ALB and instance alarms, no distribution alarm (CloudFront metrics exist in us-east-1 only)', () => {
    const stack = testStack({ region: 'eu-west-1' });
    const { action, topicId } = topicAction(stack);
    const site = new CloudFrontWafAlb(stack, 'Site', { webAcl: EdgeWebAcl.fromWebAclArn(CLOUDFRONT_ACL), alarmActions: [action] });
    const template = Template.fromStack(stack);
    const alarms = alarmsOf(template);
    expect(Object.keys(alarms).sort()).toEqual(['SiteInstanceStatusCheckAlarm', 'SiteLoadBalancerServerErrorsAlarm', 'SiteTargetServerErrorsAlarm', 'SiteUnhealthyHostsAlarm']);
    expect(shape(alarms.SiteTargetServerErrorsAlarm)).toEqual(TARGET_5XX);
    expect(shape(alarms.SiteUnhealthyHostsAlarm)).toEqual(UNHEALTHY);
    expect(site.distributionAlarms).toBeUndefined();
    expectActions(template, topicId);
    const rate = site.metric5xxErrorRate();
    expect([rate.namespace, rate.metricName, rate.statistic, rate.region]).toEqual(['AWS/CloudFront', '5xxErrorRate', 'Average', 'us-east-1']);
    expect(stack.resolve(rate.dimensions)).toEqual({ DistributionId: { Ref: stack.getLogicalId(site.distribution.node.defaultChild as any) }, Region: 'Global' });
  });

  test('fails if errorRateThreshold is given outside us-east-1', () => {
    expect(() => new CloudFrontWafAlb(testStack({ region: 'eu-west-1' }), 'Site', { webAcl: EdgeWebAcl.fromWebAclArn(CLOUDFRONT_ACL), errorRateThreshold: 2 }))
      .toThrow(/errorRateThreshold.*us-east-1 only.*CloudFrontDistributionAlarms/);
  });

  test('in us-east-1: also the distribution\'s 5xx rate and the alarms of the web ACL it creates, all with the actions added later', () => {
    const stack = testStack({ region: 'us-east-1' });
    const site = new CloudFrontWafAlb(stack, 'Site', { blocklist, errorRateThreshold: 2 });
    const { action, topicId } = topicAction(stack);
    site.addAlarmActions(action);
    const template = Template.fromStack(stack);
    const alarms = alarmsOf(template);
    expect(Object.keys(alarms)).toEqual(expect.arrayContaining(['SiteDistributionAlarmsErrorRateAlarm', 'SiteWebAclBlockedRequestsAlarm']));
    expect(site.alarms).toHaveLength(6);
    expect(alarms.SiteDistributionAlarmsErrorRateAlarm.Threshold).toBe(2);
    expectActions(template, topicId);
  });
});

describe('CloudFrontDistributionAlarms', () => {
  test('5xx rate above 5% for 2 periods of 5 minutes, with Region: Global, reading a distribution of another region', () => {
    const app = testApp();
    const site = new Stack(app, 'Site', { env: { region: 'eu-west-1' }, crossRegionReferences: true });
    const web = new CloudFrontWafAlb(site, 'Site', { webAcl: EdgeWebAcl.fromWebAclArn(CLOUDFRONT_ACL) });
    const alarmsStack = new Stack(app, 'Alarms', { env: { region: 'us-east-1' }, crossRegionReferences: true });
    const { action, topicId } = topicAction(alarmsStack);
    const alarms = new CloudFrontDistributionAlarms(alarmsStack, 'Distribution', { distribution: web.distribution, alarmActions: [action] });
    const template = Template.fromStack(alarmsStack);
    const alarm = alarmsOf(template).DistributionErrorRateAlarm;
    expect(shape(alarm)).toEqual({ metric: '5xxErrorRate', statistic: 'Average', period: 300, comparison: 'GreaterThanThreshold', threshold: 5, evaluationPeriods: 2, missing: 'notBreaching' });
    expect(alarm.Namespace).toBe('AWS/CloudFront');
    expect(alarm.Dimensions.find((d: any) => d.Name === 'Region').Value).toBe('Global');
    expect(JSON.stringify(alarm.Dimensions.find((d: any) => d.Name === 'DistributionId').Value)).toMatch(/"StackName":"Site","Region":"eu-west-1"/);
    expect(alarms.alarms).toEqual([alarms.errorRateAlarm]);
    expectActions(template, topicId);
    expectDescriptions(template);
  });

  test('fails outside us-east-1, where no CloudFront metric exists', () => {
    const stack = testStack({ region: 'eu-west-1' });
    const distribution = { distributionId: 'E123', distributionDomainName: 'x', domainName: 'x' } as any;
    expect(() => new CloudFrontDistributionAlarms(stack, 'Alarms', { distribution }))
      .toThrow(/CloudFrontDistributionAlarms.*eu-west-1.*us-east-1 only/);
  });

  test('fails if errorRateThreshold is not a percentage', () => {
    const distribution = { distributionId: 'E123' } as any;
    expect(() => new CloudFrontDistributionAlarms(testStack({ region: 'us-east-1' }), 'Alarms', { distribution, errorRateThreshold: 100 })).toThrow(/errorRateThreshold.*100.*percentage/);
  });
});
