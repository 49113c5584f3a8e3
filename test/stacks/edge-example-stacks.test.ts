import { Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { CloudFrontOriginMode } from '../../lib/edge/cloudfront-waf-alb';
import { createCloudFrontWafAlbStacks, DEFAULT_CLOUDFRONT_EXAMPLE_REGION } from '../../lib/stacks/cloudfront-waf-alb-stack';
import { EXAMPLE_STACKS } from '../../lib/stacks';
import { testApp } from '../support/app';
import { SYNTH_TIMEOUT_MS, synthesizedVariant, synthesizeVariants } from '../support/synth-cache';

/**
 * The edge example stacks through the same harness as `example-stacks.test.ts` (strict
 * CloudFormation validator, cdk-nag AwsSolutions, snapshot), including the us-east-1 web ACL stack
 * of CloudFrontWafAlb, which that harness builds but does not snapshot, and the defaults every
 * edge example must keep. Keys of `EXAMPLE_VARIANTS`, synthesized once for every test file
 * (`test/support/synth-cache.ts`).
 */
const STACKS = ['BlockIpPublicEc2', 'BlockIpAlb', 'BlockIpNlb', 'WafAlb', 'CloudFrontWafAlb', 'CloudFrontWafAlb -c cloudFrontOriginMode=public-alb',
  'CloudFrontWafAlbWebAcl', 'CloudFrontWafAlbWebAcl -c wafCountOnly=true', 'CloudFrontWafAlbAlarms', 'WafAlb -c wafCountOnly=true'];

/**
 * The dimensions of every metric on the stack's dashboards, with each reference rendered as
 * `${Ref:<logical ID>}`, `${GetAtt:<logical ID>}` or `${StackOutput:<stack>}`.
 */
function dashboardDimensions(template: Template): Array<{ widget: string; name: string; value: string }> {
  const render = (part: any): string => {
    if (typeof part === 'string') return part;
    if (part.Ref) return `\${Ref:${part.Ref}}`;
    if (part['Fn::GetAtt']) return `\${GetAtt:${part['Fn::GetAtt'][0]}}`;
    if (part['Fn::GetStackOutput']) return `\${StackOutput:${part['Fn::GetStackOutput'].StackName}}`;
    // a part derived from one reference (the ALB name in a listener ARN: Fn::Select of Fn::Split of a Ref)
    const inner = JSON.stringify(part).match(/\{"(?:Ref|Fn::GetAtt)":(?:"[^"]+"|\["[^"]+")/g) ?? [];
    if (inner.length === 1 && (part['Fn::Select'] || part['Fn::Split'])) return render(JSON.parse(`${inner[0]}${inner[0].includes('[') ? ',"x"]}' : '}'}`));
    throw new Error(`unexpected dashboard body part ${JSON.stringify(part)}`);
  };
  const found: Array<{ widget: string; name: string; value: string }> = [];
  for (const dashboard of Object.values(template.findResources('AWS::CloudWatch::Dashboard'))) {
    const raw = dashboard.Properties.DashboardBody;
    const body = JSON.parse(typeof raw === 'string' ? raw : raw['Fn::Join'][1].map(render).join(''));
    for (const widget of body.widgets) {
      for (const row of widget.properties.metrics ?? []) {
        const dims = row.filter((x: unknown) => typeof x === 'string').slice(2);
        for (let i = 0; i < dims.length; i += 2) found.push({ widget: widget.properties.title, name: dims[i], value: dims[i + 1] });
      }
    }
  }
  return found;
}

/** Dashboard metric dimensions whose value is not a resource of the stack (or a WAF/CloudFront constant). */
function unresolvedDimensions(template: Template): Array<{ widget: string; name: string; value: string }> {
  const resources = template.toJSON().Resources;
  const webAclNames = Object.values(template.findResources('AWS::WAFv2::WebACL')).map((acl) => acl.Properties.Name);
  const ruleNames = Object.values(template.findResources('AWS::WAFv2::WebACL')).flatMap((acl) => acl.Properties.Rules.map((r: any) => r.Name));
  const dims = dashboardDimensions(template);
  return dims.filter(({ name, value }) => {
    if (/^\$\{StackOutput:(\w+)\}$/.test(value)) return !STACK_OUTPUT_SOURCES[name]?.test(value);
    // a reference, or parts of one joined with '/' (an ALB's or target group's full name)
    const refs = [...value.matchAll(/\$\{(Ref|GetAtt):([\w:]+)\}/g)];
    if (refs.length > 0) {
      return value.replace(/\$\{(Ref|GetAtt):([\w:]+)\}/g, '').replace(/\//g, '') !== ''
        || refs.some(([, kind, id]) => !(id in resources) && !(kind === 'Ref' && id.startsWith('AWS::')));
    }
    if (name === 'WebACL') return !webAclNames.includes(value);
    if (name === 'Rule') return value !== 'ALL' && !ruleNames.includes(value);
    if (name === 'Region') return value !== 'Global';
    return true;
  });
}

/** Dimensions a dashboard may read from another stack's output: the distribution of the site stack. */
const STACK_OUTPUT_SOURCES: Record<string, RegExp> = { DistributionId: /^\$\{StackOutput:CloudFrontWafAlb\}$/ };

/** Security groups of load balancers, whose listener is the only place open to the internet. */
const PUBLIC_LISTENER_GROUP = /LoadBalancerSecurityGroup/;

beforeAll(() => synthesizeVariants(STACKS), SYNTH_TIMEOUT_MS);

describe.each(STACKS)('edge example stack %s', (name) => {
  let template: Template;
  beforeAll(() => {
    template = synthesizedVariant(name).template;
  });

  test('passes template validation and cdk-nag', () => {
    expect(template.toJSON().Resources).toBeDefined();
  });

  // The stacks bin/app.ts lists are snapshotted once, in example-stacks.test.ts; only the
  // us-east-1 web ACL stack and the non-default modes, which that test does not build, are snapshotted here.
  (name in EXAMPLE_STACKS ? test.skip : test)('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('no ingress from 0.0.0.0/0 or ::/0 except on a load balancer listener', () => {
    const offending: string[] = [];
    for (const [id, sg] of Object.entries(template.findResources('AWS::EC2::SecurityGroup'))) {
      for (const rule of sg.Properties.SecurityGroupIngress ?? []) {
        if ((rule.CidrIp === '0.0.0.0/0' || rule.CidrIpv6 === '::/0') && !PUBLIC_LISTENER_GROUP.test(id)) offending.push(id);
      }
    }
    for (const [id, rule] of Object.entries(template.findResources('AWS::EC2::SecurityGroupIngress'))) {
      if (rule.Properties.CidrIp === '0.0.0.0/0' || rule.Properties.CidrIpv6 === '::/0') offending.push(id);
    }
    expect(offending).toEqual([]);
  });

  test('every instance requires IMDSv2 and encrypts its volumes', () => {
    for (const lt of Object.values(template.findResources('AWS::EC2::LaunchTemplate'))) {
      expect(lt.Properties.LaunchTemplateData.MetadataOptions).toMatchObject({ HttpTokens: 'required' });
    }
    for (const instance of Object.values(template.findResources('AWS::EC2::Instance'))) {
      expect(instance.Properties.LaunchTemplate).toBeDefined();
      for (const device of instance.Properties.BlockDeviceMappings) {
        expect(device.Ebs.Encrypted).toBe(true);
      }
    }
  });

  test('idle cost stays low: no NAT gateway, t4g.nano instances', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    for (const instance of Object.values(template.findResources('AWS::EC2::Instance'))) {
      expect(instance.Properties.InstanceType).toBe('t4g.nano');
    }
  });

  test('log buckets are retained and encrypted', () => {
    for (const bucket of Object.values(template.findResources('AWS::S3::Bucket'))) {
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.Properties.BucketEncryption).toBeDefined();
    }
  });

  test('every alarm notifies the stack\'s alarm topic', () => {
    const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
    const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(0);
    expect(topics).toHaveLength(1);
    for (const [id, alarm] of alarms) {
      expect([id, alarm.Properties.AlarmActions]).toEqual([id, [{ Ref: topics[0] }]]);
      expect(alarm.Properties.AlarmName).toBeUndefined();
    }
  });

  test('a dashboard whose metrics resolve to this stack\'s resources (or the stack it reads them from)', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(dashboardDimensions(template).length).toBeGreaterThan(0);
    expect(unresolvedDimensions(template)).toEqual([]);
  });

  test('the dashboard shows every instance, load balancer, web ACL and distribution of the stack', () => {
    const values = dashboardDimensions(template).map((d) => d.value).join(' ');
    const resources = template.toJSON().Resources;
    const listenersOf = (lb: string) => Object.entries(template.findResources('AWS::ElasticLoadBalancingV2::Listener'))
      .filter(([, l]) => JSON.stringify(l.Properties.LoadBalancerArn) === JSON.stringify({ Ref: lb })).map(([id]) => id);
    const missing = [
      ...Object.keys(template.findResources('AWS::EC2::Instance')).filter((id) => !values.includes(`\${Ref:${id}}`)),
      ...Object.keys(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))
        .filter((id) => !values.includes(`\${GetAtt:${id}}`) && !listenersOf(id).some((l) => values.includes(`\${Ref:${l}}`))),
      ...Object.keys(template.findResources('AWS::WAFv2::WebACL')).filter((id) => !values.includes(resources[id].Properties.Name)),
      ...Object.keys(template.findResources('AWS::CloudFront::Distribution')).filter((id) => !values.includes(`\${Ref:${id}}`)),
    ];
    expect(missing).toEqual([]);
  });

  test('every load balancer writes access logs', () => {
    for (const lb of Object.values(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))) {
      expect(lb.Properties.LoadBalancerAttributes).toContainEqual({ Key: 'access_logs.s3.enabled', Value: 'true' });
    }
  });
});

describe('the dashboard check', () => {
  test('fails on a dashboard metric naming a resource that is not in the stack', () => {
    const stack = new Stack(testApp(), 'Broken');
    new cloudwatch.Dashboard(stack, 'Dashboard', {
      widgets: [[new cloudwatch.GraphWidget({ title: 'CPU', left: [new cloudwatch.Metric({ namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensionsMap: { InstanceId: 'i-0123456789abcdef0' } })] })]],
    });
    expect(unresolvedDimensions(Template.fromStack(stack))).toEqual([{ widget: 'CPU', name: 'InstanceId', value: 'i-0123456789abcdef0' }]);
  });
});

describe('CloudFrontWafAlb stacks', () => {
  test('the web ACL stack is in us-east-1 and the regional stack reads its ARN with a weak cross-region reference', () => {
    const { webAclStack, stack } = createCloudFrontWafAlbStacks(testApp(), 'CloudFrontWafAlb', 'x');
    expect(webAclStack.region).toBe('us-east-1');
    expect(stack.dependencies).toEqual([webAclStack]);
    expect(stack.region).toBe(DEFAULT_CLOUDFRONT_EXAMPLE_REGION);
    const [distribution] = Object.values(Template.fromStack(stack).findResources('AWS::CloudFront::Distribution'));
    expect(distribution.Properties.DistributionConfig.WebACLId).toEqual({
      'Fn::GetStackOutput': { StackName: 'CloudFrontWafAlbWebAcl', Region: 'us-east-1', OutputName: expect.any(String) },
    });
  });

  test('context region and account place the stacks', () => {
    const { webAclStack, stack } = createCloudFrontWafAlbStacks(testApp({ context: { region: 'ap-southeast-2', account: '111111111111' } }), 'CloudFrontWafAlb', 'x');
    expect([stack.region, stack.account, webAclStack.region, webAclStack.account]).toEqual(['ap-southeast-2', '111111111111', 'us-east-1', '111111111111']);
  });

  test('synth needs no account: without context or CDK_DEFAULT_ACCOUNT both stacks stay account-agnostic', () => {
    const saved = process.env.CDK_DEFAULT_ACCOUNT;
    delete process.env.CDK_DEFAULT_ACCOUNT;
    try {
      const app = testApp();
      const { webAclStack, stack } = createCloudFrontWafAlbStacks(app, 'CloudFrontWafAlb', 'x');
      expect(Token.isUnresolved(stack.account)).toBe(true);
      expect(Token.isUnresolved(webAclStack.account)).toBe(true);
      expect(() => app.synth()).not.toThrow();
    } finally {
      if (saved !== undefined) process.env.CDK_DEFAULT_ACCOUNT = saved;
    }
  });

  test('context cloudFrontOriginMode picks the mode: vpc-origin by default, public-alb on request', () => {
    const scheme = (context: Record<string, unknown>) => {
      const { stack } = createCloudFrontWafAlbStacks(testApp({ context }), 'CloudFrontWafAlb', 'x');
      const [lb] = Object.values(Template.fromStack(stack).findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'));
      return [stack.site.originMode, lb.Properties.Scheme];
    };
    expect(scheme({})).toEqual([CloudFrontOriginMode.VPC_ORIGIN, 'internal']);
    expect(scheme({ cloudFrontOriginMode: 'public-alb' })).toEqual([CloudFrontOriginMode.PUBLIC_ALB, 'internet-facing']);
  });

  test('fails if context cloudFrontOriginMode is not a mode', () => {
    expect(() => createCloudFrontWafAlbStacks(testApp({ context: { cloudFrontOriginMode: 'public' } }), 'CloudFrontWafAlb', 'x'))
      .toThrow(/context cloudFrontOriginMode 'public' is not an origin mode. Fix: use -c cloudFrontOriginMode=vpc-origin or -c cloudFrontOriginMode=public-alb/);
  });
});
