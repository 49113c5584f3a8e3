import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { AlbIpBlocking } from '../../lib/edge/alb-ip-blocking';
import { CloudFrontOriginMode, CloudFrontWafAlb } from '../../lib/edge/cloudfront-waf-alb';
import { EdgeWebAcl } from '../../lib/edge/edge-web-acl';
import { IpBlocklist, WebAclScope } from '../../lib/edge/ip-blocklist';
import { NlbIpBlocking } from '../../lib/edge/nlb-ip-blocking';
import { PublicInstanceIpBlocking } from '../../lib/edge/public-instance-ip-blocking';
import { WafProtectedAlb } from '../../lib/edge/waf-protected-alb';
import { fitLabel, SECURITY_GROUP_DESCRIPTION, WAF_DESCRIPTION } from '../../lib/private/labels';
import { testApp } from '../support/app';

/**
 * Every string the edge constructs derive from construct paths or user-given names, built with
 * awkward IDs (underscores, a digit first, parentheses, a path over 200 characters) and checked
 * against the CloudFormation resource schemas: by aws-cdk-lib's validator at synth, and here by the
 * schemas' patterns and lengths, copied from the resource schemas (`AWS::WAFv2::IPSet` /
 * `AWS::WAFv2::WebACL` Description, `AWS::EC2::SecurityGroup` GroupDescription,
 * `AWS::Logs::LogGroup` LogGroupName) and the CloudFront API (Comment: at most 128 characters).
 */
const RULES: Array<{ type: string; field: (props: any) => unknown; pattern: RegExp; maxLength: number }> = [
  { type: 'AWS::WAFv2::IPSet', field: (p) => p.Description, pattern: /^[a-zA-Z0-9=:#@/\-,.][a-zA-Z0-9+=:#@/\-,.\s]+[a-zA-Z0-9+=:#@/\-,.]{1,256}$/, maxLength: 256 },
  { type: 'AWS::WAFv2::WebACL', field: (p) => p.Description, pattern: /^[a-zA-Z0-9=:#@/\-,.][a-zA-Z0-9+=:#@/\-,.\s]+[a-zA-Z0-9+=:#@/\-,.]{1,256}$/, maxLength: 256 },
  { type: 'AWS::WAFv2::WebACL', field: (p) => p.Name, pattern: /^[0-9A-Za-z_-]{1,128}$/, maxLength: 128 },
  { type: 'AWS::EC2::SecurityGroup', field: (p) => p.GroupDescription, pattern: /^([a-z,A-Z,0-9,. _\-:/()#,@[\]+=&;{}!$*])*$/, maxLength: 255 },
  { type: 'AWS::CloudFront::Distribution', field: (p) => p.DistributionConfig.Comment, pattern: /^[\x20-\x7e]*$/, maxLength: 128 },
];

const LONG = 'Deep_Path_0123456789'.repeat(10); // 200 characters, underscores
const AWKWARD_IDS = ['1st_Edge', 'Edge_(prod)', `${LONG}/9_Nested_Id`];
const blocklist = new IpBlocklist({ name: 'my_block list (prod) #1', cidrs: ['203.0.113.0/24', '2001:db8:bad::/48'] });

/** One stack per construct and awkward ID, so each has its own VPC and network ACL. */
function buildAll(app: App): Stack[] {
  const stacks: Stack[] = [];
  AWKWARD_IDS.forEach((id, i) => {
    const scopeFor = (name: string): Construct => {
      const stack = new Stack(app, `${name}${i}`, { env: { region: 'eu-west-1', account: '111111111111' } });
      stacks.push(stack);
      const parts = id.split('/');
      let scope: Construct = stack;
      for (const part of parts.slice(0, -1)) scope = new Construct(scope, part);
      return new Construct(scope, parts[parts.length - 1]);
    };
    new EdgeWebAcl(scopeFor('Acl'), 'Acl_1', { blocklist, countOnly: true });
    new PublicInstanceIpBlocking(scopeFor('Public'), 'Web_1', { blocklist, allowedCidrs: ['198.51.100.0/24'] });
    new AlbIpBlocking(scopeFor('Alb'), 'Web_1', { blocklist });
    new NlbIpBlocking(scopeFor('Nlb'), 'Tcp_1', { blocklist });
    const waf = new WafProtectedAlb(scopeFor('Waf'), 'Web_1', { blocklist });
    waf.listener!.addAction('Ok', { action: elbv2.ListenerAction.fixedResponse(200) });
    for (const originMode of [CloudFrontOriginMode.VPC_ORIGIN, CloudFrontOriginMode.PUBLIC_ALB]) {
      new CloudFrontWafAlb(scopeFor(`Cf${originMode === CloudFrontOriginMode.VPC_ORIGIN ? 'Vpc' : 'Public'}`), 'Site_1', {
        originMode, webAcl: EdgeWebAcl.fromWebAclArn('arn:aws:wafv2:us-east-1:111111111111:global/webacl/edge/abc'),
      });
    }
  });
  const usEast1 = new Stack(app, 'CloudFrontAcl', { env: { region: 'us-east-1', account: '111111111111' } });
  stacks.push(usEast1);
  new EdgeWebAcl(new Construct(usEast1, LONG), '0_Acl', { scope: WebAclScope.CLOUDFRONT, blocklist });
  return stacks;
}

describe('strings derived from construct paths and user names', () => {
  let app: App;
  let stacks: Stack[];
  beforeAll(() => {
    app = testApp({ validation: true });
    stacks = buildAll(app);
  });

  test('pass aws-cdk-lib\'s CloudFormation validator (the resource schemas\' patterns)', () => {
    expect(() => app.synth()).not.toThrow();
  });

  test('match each field\'s pattern and length', () => {
    const checked: Record<string, number> = {};
    const offending: string[] = [];
    for (const stack of stacks) {
      const template = Template.fromStack(stack);
      for (const rule of RULES) {
        for (const [id, resource] of Object.entries(template.findResources(rule.type))) {
          const value = rule.field(resource.Properties);
          if (typeof value !== 'string') continue;
          checked[rule.type] = (checked[rule.type] ?? 0) + 1;
          if (!rule.pattern.test(value) || value.length > rule.maxLength) offending.push(`${stack.stackName}/${id}: ${value}`);
        }
      }
    }
    expect(offending).toEqual([]);
    // every field was present: the check cannot pass by finding nothing
    expect(Object.keys(checked).sort()).toEqual(['AWS::CloudFront::Distribution', 'AWS::EC2::SecurityGroup', 'AWS::WAFv2::IPSet', 'AWS::WAFv2::WebACL']);
  });

  test('long paths stay distinct: the shortened labels keep a hash of the whole path', () => {
    const a = fitLabel(`S/${LONG}/A`, ': x', WAF_DESCRIPTION);
    const b = fitLabel(`S/${LONG.replace('0', '1')}/A`, ': x', WAF_DESCRIPTION);
    expect(a.length).toBeLessThanOrEqual(256);
    expect(a).not.toEqual(b);
    expect(fitLabel(`S/${LONG}${LONG}/Web`, ': port 80 from the load balancer only', SECURITY_GROUP_DESCRIPTION)).toMatch(/^[0-9A-F]{8}-.*\/Web: port 80 from the load balancer only$/);
  });

  test('a name with only refused characters at its start still makes a valid WAF description', () => {
    expect(fitLabel('__(x)', ': blocked IPv4 ranges', WAF_DESCRIPTION)).toBe('x-: blocked IPv4 ranges');
  });
});

test('security group descriptions keep what EC2 allows, e.g. underscores', () => {
  const stack = new Stack(testApp(), 'S');
  new AlbIpBlocking(stack, 'Web_1', { blocklist, vpc: new ec2.Vpc(stack, 'Vpc', { natGateways: 0 }) });
  Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: 'S/Web_1: port 80 from the load balancer only' });
});
