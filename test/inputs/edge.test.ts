import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as lib from '../../lib';
import { WAF_RATE_LIMIT } from '../../lib/edge/validate-edge-web-acl-props';
import { testApp } from '../support/app';
import { describeTokenMatrix, stackDependencies, synthesizeAll, validatingApp } from '../support/input-matrix';
import { INPUTS } from './edge.cases';

const CIDRS = ['203.0.113.0/24', '2001:db8:bad::/48'];
const blocklist = () => new lib.IpBlocklist({ cidrs: CIDRS });
const ENV = { account: '123456789012', region: 'us-east-1' };
const stackIn = (app: App, id = 'Edge', env: { account: string; region: string } = ENV) => new Stack(app, id, { env });
const quietApp = () => testApp({ failOnWarnings: false });
const isolatedVpc = (scope: Stack) => new ec2.Vpc(scope, 'IsolatedVpc', {
  maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
});
const CLOUDFRONT_ACL = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/abc';

/** The stacks each stack depends on, without asset stacks. */
function dependencies(app: App): Record<string, string[]> {
  return Object.fromEntries(Object.entries(stackDependencies(app)).map(([name, deps]) => [name, deps.filter((d) => !d.endsWith('.assets'))]));
}

/**
 * An app whose context answers `Vpc.fromLookup` for `vpcId` as a VPC with public and isolated
 * subnets in two AZs (the key is read from a first synth's missing context).
 */
function appWithLookedUpVpc(vpcId: string): App {
  const probe = testApp();
  ec2.Vpc.fromLookup(stackIn(probe), 'Vpc', { vpcId });
  const key = probe.synth().manifest.missing![0].key;
  const subnet = (id: string, az: string, cidr: string) => ({ subnetId: id, availabilityZone: az, routeTableId: `rtb-${id.slice(7)}`, cidr });
  return validatingApp({
    [key]: {
      vpcId, vpcCidrBlock: '10.0.0.0/16', availabilityZones: [], ownerAccountId: ENV.account,
      subnetGroups: [
        { name: 'Public', type: 'Public', subnets: [subnet('subnet-0a1b2c3d4e5f60001', 'us-east-1a', '10.0.0.0/24'), subnet('subnet-0a1b2c3d4e5f60002', 'us-east-1b', '10.0.1.0/24')] },
        { name: 'Isolated', type: 'Isolated', subnets: [subnet('subnet-0a1b2c3d4e5f60003', 'us-east-1a', '10.0.2.0/24'), subnet('subnet-0a1b2c3d4e5f60004', 'us-east-1b', '10.0.3.0/24')] },
      ],
    },
  });
}

/** The first line of a construct's error for `prop`, without the construct and prop names. */
function ruleFor(build: () => unknown, prop: RegExp): string {
  try {
    build();
  } catch (error) {
    const line = (error as Error).message.split('\n').find((l) => prop.test(l));
    if (line) return line.replace(/^.*?: [^ ]+ '[^']*': /, '');
  }
  throw new Error('no error for the prop');
}

describe('edge inputs matrix', () => {
  describe('every validated prop as a token', () => {
    describeTokenMatrix(INPUTS);
  });

  describe('tokens inside lists and durations', () => {
    test('an allowed range that is a token becomes an IPv4 rule; the security group description stays literal', () => {
      const stack = stackIn(quietApp());
      const cidr = new CfnParameter(stack, 'Cidr', { default: '198.51.100.0/24' }).valueAsString;
      const port = new CfnParameter(stack, 'Port', { type: 'Number', default: 8080 }).valueAsNumber;
      new lib.PublicInstanceIpBlocking(stack, 'Web', { blocklist: blocklist(), allowedCidrs: [cidr], ports: [port] });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('the given ports from the allowed ranges only') });
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        CidrIp: { Ref: 'Cidr' }, FromPort: { Ref: 'Port' }, ToPort: { Ref: 'Port' }, IpProtocol: 'tcp', Description: 'Allowed clients',
      });
      // The demo server listens on the parameter's port, not on the token's number text.
      expect(JSON.stringify(template.findResources('AWS::EC2::Instance'))).toContain('{"Ref":"Port"}');
    });

    test('a managed rule group that is a token is passed on unchecked', () => {
      const stack = stackIn(quietApp());
      const group = new CfnParameter(stack, 'Group', { default: 'AWSManagedRulesSQLiRuleSet' }).valueAsString;
      new lib.EdgeWebAcl(stack, 'Acl', { managedRuleGroups: ['AWSManagedRulesCommonRuleSet', group] });
      Template.fromStack(stack).hasResourceProperties('AWS::WAFv2::WebACL', {
        Rules: Match.arrayWith([Match.objectLike({ Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: { Ref: 'Group' } } } })]),
      });
    });

    test('fails if a token rateLimitWindow is not given in seconds, with the construct\'s own message', () => {
      const stack = stackIn(quietApp());
      const minutes = new CfnParameter(stack, 'Minutes', { type: 'Number', default: 5 }).valueAsNumber;
      expect(() => new lib.EdgeWebAcl(stack, 'Acl', { rateLimitWindow: Duration.minutes(minutes) }))
        .toThrow(/EdgeWebAcl: rateLimitWindow \(token\): a token Duration can only be passed on to WAF .* Fix: use Duration.seconds\(token\)/);
    });

    test('a blocklist name that is a token leaves the IP set descriptions at the default name, not the token\'s garbled text', () => {
      const stack = stackIn(quietApp());
      const name = new CfnParameter(stack, 'Name', { default: 'Office' }).valueAsString;
      new lib.EdgeWebAcl(stack, 'Acl', { blocklist: new lib.IpBlocklist({ name, cidrs: CIDRS }) });
      const descriptions = Object.values(Template.fromStack(stack).findResources('AWS::WAFv2::IPSet')).map((r) => r.Properties.Description);
      expect(descriptions).toEqual(['IpBlocklist: blocked IPv4 ranges', 'IpBlocklist: blocked IPv6 ranges']);
    });

    test('alarm descriptions show a token threshold as the parameter, not as its number encoding', () => {
      const stack = stackIn(quietApp());
      const threshold = new CfnParameter(stack, 'Threshold', { type: 'Number', default: 7 }).valueAsNumber;
      new lib.AlbIpBlocking(stack, 'Web', { blocklist: blocklist(), serverErrorThreshold: threshold });
      const descriptions = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).map((a) => JSON.stringify(a.Properties.AlarmDescription));
      expect(descriptions.filter((d) => d.includes('{"Ref":"Threshold"}'))).toHaveLength(2);
      expect(descriptions.join()).not.toMatch(/e\+\d{3}/);
    });
  });

  describe('issue 15: the WAF log group name, for every kind of log group', () => {
    test('fails for a LogGroup of this app created with a name lacking the aws-waf-logs- prefix', () => {
      const stack = stackIn(quietApp());
      const logGroup = new logs.LogGroup(stack, 'Logs', { logGroupName: 'my-waf-logs' });
      expect(() => new lib.EdgeWebAcl(stack, 'Acl', { logGroup }))
        .toThrow(/EdgeWebAcl: logGroup 'my-waf-logs': WAF only logs to log groups whose name starts with 'aws-waf-logs-'. Fix: use a log group named 'aws-waf-logs-my-waf-logs'/);
    });

    test('fails for a LogGroup of this app created without a name (CloudFormation generates one without the prefix)', () => {
      const stack = stackIn(quietApp());
      expect(() => new lib.EdgeWebAcl(stack, 'Acl', { logGroup: new logs.LogGroup(stack, 'Logs') }))
        .toThrow(/EdgeWebAcl: logGroup 'Edge\/Logs': was created without logGroupName, so CloudFormation generates a name, which never starts with 'aws-waf-logs-'/);
    });

    test('accepts a LogGroup of this app named aws-waf-logs-…, also from another stack', () => {
      const app = quietApp();
      const logStack = stackIn(app, 'Logs');
      const logGroup = new logs.LogGroup(logStack, 'Logs', { logGroupName: 'aws-waf-logs-site' });
      const stack = stackIn(app);
      new lib.EdgeWebAcl(stack, 'Acl', { logGroup });
      expect(dependencies(app).Edge).toEqual(['Logs']);
    });

    test('fails for an imported log group by name or ARN without the prefix', () => {
      const stack = stackIn(quietApp());
      expect(() => new lib.EdgeWebAcl(stack, 'A', { logGroup: logs.LogGroup.fromLogGroupName(stack, 'ByName', 'app-logs') }))
        .toThrow(/logGroup 'app-logs': WAF only logs to log groups whose name starts with 'aws-waf-logs-'/);
      expect(() => new lib.EdgeWebAcl(stack, 'B', { logGroup: logs.LogGroup.fromLogGroupArn(stack, 'ByArn', 'arn:aws:logs:us-east-1:123456789012:log-group:app-logs:*') }))
        .toThrow(/logGroup 'app-logs': WAF only logs to log groups whose name starts with 'aws-waf-logs-'/);
    });

    test('fails for an imported log group in another region than the web ACL', () => {
      const stack = stackIn(quietApp());
      const logGroup = logs.LogGroup.fromLogGroupArn(stack, 'ByArn', 'arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-site:*');
      expect(() => new lib.EdgeWebAcl(stack, 'Acl', { logGroup }))
        .toThrow(/logGroup 'aws-waf-logs-site': is in eu-west-1, but WAF logs only to a log group in the web ACL's region \(us-east-1\)/);
    });

    test('an imported log group logs to its own ARN (its account)', () => {
      const stack = stackIn(quietApp());
      const logGroup = logs.LogGroup.fromLogGroupArn(stack, 'ByArn', 'arn:aws:logs:us-east-1:111111111111:log-group:aws-waf-logs-central:*');
      new lib.EdgeWebAcl(stack, 'Acl', { logGroup });
      const [config] = Object.values(Template.fromStack(stack).findResources('AWS::WAFv2::LoggingConfiguration'));
      expect(config.Properties.LogDestinationConfigs).toEqual(['arn:aws:logs:us-east-1:111111111111:log-group:aws-waf-logs-central']);
    });

    test('warns (and synthesizes) when the name is a token', () => {
      const stack = stackIn(quietApp());
      const name = new CfnParameter(stack, 'LogGroupName', { default: 'aws-waf-logs-site' }).valueAsString;
      new lib.EdgeWebAcl(stack, 'Acl', { logGroup: new logs.LogGroup(stack, 'Logs', { logGroupName: name }) });
      Annotations.fromStack(stack).hasWarning('/Edge/Acl', Match.stringLikeRegexp('name of logGroup is unknown at synth time .*starts with \'aws-waf-logs-\''));
    });
  });

  describe('issue 15: a CloudFront VPC origin needs a VPC with an internet gateway', () => {
    const webAcl = lib.EdgeWebAcl.fromWebAclArn(CLOUDFRONT_ACL);

    test('fails at synth for an ec2.Vpc without an internet gateway (isolated subnets only)', () => {
      const stack = stackIn(quietApp(), 'Site', { account: ENV.account, region: 'eu-west-1' });
      expect(() => new lib.CloudFrontWafAlb(stack, 'Site', { webAcl, vpc: isolatedVpc(stack) }))
        .toThrow(/CloudFrontWafAlb: vpc 'Site\/IsolatedVpc': has no internet gateway, and CloudFront creates a VPC origin only in a VPC with an internet gateway attached/);
    });

    test('accepts an ec2.Vpc with public subnets (aws-cdk-lib attaches a gateway)', () => {
      const stack = stackIn(quietApp(), 'Site', { account: ENV.account, region: 'eu-west-1' });
      new lib.CloudFrontWafAlb(stack, 'Site', { webAcl, vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 }) });
      Template.fromStack(stack).resourceCountIs('AWS::EC2::VPCGatewayAttachment', 1);
    });

    test('warns for an imported VPC without public subnets, saying what must hold', () => {
      const stack = stackIn(quietApp(), 'Site', { account: ENV.account, region: 'eu-west-1' });
      const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
        vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['eu-west-1a', 'eu-west-1b'], isolatedSubnetIds: ['subnet-1', 'subnet-2'], isolatedSubnetRouteTableIds: ['rtb-1', 'rtb-2'],
      });
      new lib.CloudFrontWafAlb(stack, 'Site', { webAcl, vpc });
      Annotations.fromStack(stack).hasWarning('/Site/Site', Match.stringLikeRegexp('vpc-0123456789abcdef0 .*the deploy fails unless one is attached'));
    });

    test('a looked-up VPC with public subnets gets no warning', () => {
      const stack = stackIn(quietApp(), 'Site', { account: ENV.account, region: 'eu-west-1' });
      new lib.CloudFrontWafAlb(stack, 'Site', { webAcl, vpc: ec2.Vpc.fromLookup(stack, 'Looked', { vpcId: 'vpc-12345' }) });
      Annotations.fromStack(stack).hasNoWarning('/Site/Site', Match.stringLikeRegexp('internet gateway'));
    });

    test('fails for PUBLIC_ALB in a VPC without public subnets, with the construct\'s own message', () => {
      const stack = stackIn(quietApp(), 'Site', { account: ENV.account, region: 'eu-west-1' });
      expect(() => new lib.CloudFrontWafAlb(stack, 'Site', { webAcl, vpc: isolatedVpc(stack), originMode: lib.CloudFrontOriginMode.PUBLIC_ALB }))
        .toThrow(/vpc 'Site\/IsolatedVpc': has no public subnets, where originMode PUBLIC_ALB puts the internet-facing ALB/);
    });
  });

  describe('issue 15: one CIDR rule, the same message everywhere', () => {
    const blocklistError = (cidr: string) => ruleFor(() => new lib.IpBlocklist({ cidrs: [cidr] }), /cidrs\[0\]/);
    const instanceError = (cidr: string) => ruleFor(() => new lib.PublicInstanceIpBlocking(stackIn(quietApp()), 'Web', { blocklist: blocklist(), allowedCidrs: [cidr] }), /allowedCidrs\[0\]/);

    test.each(['10.0.0.5/24', '2001:db8::1/32', '10.0.0.0/33', '10.0.0/24', '010.0.0.0/8', 'x'])('%s', (cidr) => {
      expect(instanceError(cidr)).toEqual(blocklistError(cidr));
    });

    test('host bits: names the network address and the single address', () => {
      expect(blocklistError('10.0.0.5/24')).toBe("has host bits set (bits after the prefix length): WAF rejects such a range at deploy time, and EC2 uses only its network address, so it covers another range than written. Fix: use the network address '10.0.0.0/24', or '10.0.0.5/32' for the single address.");
    });

    test('fails if a blocklist range is a token (family and count must be known)', () => {
      const stack = stackIn(quietApp());
      const cidr = new CfnParameter(stack, 'Cidr', { default: '203.0.113.0/24' }).valueAsString;
      expect(() => new lib.IpBlocklist({ cidrs: [cidr] })).toThrow(/IpBlocklist: cidrs\[0\] '\(token\)': the ranges must be known at synth time/);
    });
  });

  describe('imported resources', () => {
    test('WafProtectedAlb protects an imported ALB: association and alarms on its ARN', () => {
      const stack = stackIn(quietApp());
      const loadBalancer = elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Alb', {
        loadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/site/50dc6c495c0c9188', securityGroupId: 'sg-12345',
      });
      new lib.WafProtectedAlb(stack, 'Waf', { loadBalancer });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { ResourceArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/site/50dc6c495c0c9188' });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: [{ Name: 'LoadBalancer', Value: 'app/site/50dc6c495c0c9188' }] });
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    });

    test.each(['PublicInstanceIpBlocking', 'AlbIpBlocking', 'NlbIpBlocking', 'WafProtectedAlb'])('%s builds in a looked-up VPC', (name) => {
      const vpcId = 'vpc-0a1b2c3d4e5f60000';
      const app = appWithLookedUpVpc(vpcId);
      const stack = stackIn(app);
      const vpc = ec2.Vpc.fromLookup(stack, 'Vpc', { vpcId });
      if (name === 'PublicInstanceIpBlocking') new lib.PublicInstanceIpBlocking(stack, 'C', { blocklist: blocklist(), allowedCidrs: ['198.51.100.0/24'], vpc });
      if (name === 'AlbIpBlocking') new lib.AlbIpBlocking(stack, 'C', { blocklist: blocklist(), vpc });
      if (name === 'NlbIpBlocking') new lib.NlbIpBlocking(stack, 'C', { blocklist: blocklist(), vpc });
      if (name === 'WafProtectedAlb') new lib.WafProtectedAlb(stack, 'C', { vpc }).listener!.addAction('Default', { action: elbv2.ListenerAction.fixedResponse(200) });
      expect(synthesizeAll(app)).toEqual([]);
      expect(JSON.stringify(Template.fromStack(stack).toJSON())).toContain(vpcId);
    });

    test('BlocklistNetworkAcl adds entries to an imported network ACL', () => {
      const stack = stackIn(quietApp());
      new lib.BlocklistNetworkAcl(stack, 'Acl', { blocklist: blocklist(), networkAcl: ec2.NetworkAcl.fromNetworkAclId(stack, 'Nacl', 'acl-12345') });
      Template.fromStack(stack).resourcePropertiesCountIs('AWS::EC2::NetworkAclEntry', { NetworkAclId: 'acl-12345', RuleAction: 'deny' }, 4);
    });

    test('CloudFrontWafAlb with imported certificates, buckets and web ACL', () => {
      const app = validatingApp();
      const stack = stackIn(app, 'Site', { account: ENV.account, region: 'eu-west-1' });
      new lib.CloudFrontWafAlb(stack, 'Site', {
        webAcl: lib.EdgeWebAcl.fromWebAclArn(CLOUDFRONT_ACL),
        certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc'),
        domainNames: ['www.example.com'],
        logsBucket: s3.Bucket.fromBucketName(stack, 'Logs', 'my-alb-logs'),
        distributionLogsBucket: s3.Bucket.fromBucketName(stack, 'CfLogs', 'my-cf-logs'),
      });
      expect(synthesizeAll(app)).toEqual([]);
      Annotations.fromStack(stack).hasWarning('/Site/Site', Match.stringLikeRegexp("logs bucket 'my-alb-logs' is imported, so its bucket policy cannot be changed here"));
      Annotations.fromStack(stack).hasWarning('/Site/Site', Match.stringLikeRegexp('distributionLogsBucket is imported.*must have ACLs enabled'));
    });

    test('no imported-bucket warning for a bucket of this app', () => {
      const stack = stackIn(quietApp());
      new lib.AlbIpBlocking(stack, 'Web', { blocklist: blocklist(), logsBucket: new s3.Bucket(stack, 'Logs', { enforceSSL: true }) });
      Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('is imported'));
    });

    test('CloudFrontDistributionAlarms watches an imported distribution', () => {
      const stack = stackIn(quietApp());
      new lib.CloudFrontDistributionAlarms(stack, 'Alarms', {
        distribution: cloudfront.Distribution.fromDistributionAttributes(stack, 'D', { distributionId: 'E1234567890ABC', domainName: 'd111111abcdef8.cloudfront.net' }),
      });
      Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: Match.arrayWith([{ Name: 'DistributionId', Value: 'E1234567890ABC' }]) });
    });
  });

  describe('cross-stack: each input resource in another stack, both directions, no cycle', () => {
    /** Builds the resource in stack `resourceIn` and the construct in the other one; returns the dependencies. */
    function split(build: (resources: Stack, construct: Stack) => void, resourceFirst: boolean): Record<string, string[]> {
      const app = validatingApp();
      const [a, b] = [stackIn(app, 'Producer'), stackIn(app, 'Consumer')];
      if (resourceFirst) build(a, b); else build(b, a);
      synthesizeAll(app);
      return dependencies(app);
    }
    const cases: Record<string, (resources: Stack, construct: Stack) => void> = {
      'EdgeWebAcl.logGroup': (r, c) => { new lib.EdgeWebAcl(c, 'Acl', { logGroup: new logs.LogGroup(r, 'Logs', { logGroupName: 'aws-waf-logs-x' }) }); },
      'CloudFrontWafAlb.webAcl (a us-east-1 web ACL stack)': (r, c) => {
        new lib.CloudFrontWafAlb(c, 'Site', { webAcl: new lib.EdgeWebAcl(r, 'Acl', { scope: lib.WebAclScope.CLOUDFRONT }), vpc: new ec2.Vpc(c, 'Vpc', { maxAzs: 2, natGateways: 0 }) });
      },
      'CloudFrontWafAlb.vpc and logsBucket': (r, c) => {
        const logsBucket = new s3.Bucket(r, 'Logs', { enforceSSL: true });
        new lib.CloudFrontWafAlb(c, 'Site', { vpc: new ec2.Vpc(r, 'Vpc', { maxAzs: 2, natGateways: 0 }), logsBucket, distributionLogsBucket: new s3.Bucket(r, 'CfLogs', { objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED }) });
      },
      'CloudFrontDistributionAlarms.distribution': (r, c) => {
        const site = new lib.CloudFrontWafAlb(r, 'Site');
        new lib.CloudFrontDistributionAlarms(c, 'Alarms', { distribution: site.distribution });
      },
      'WafProtectedAlb.loadBalancer': (r, c) => {
        const vpc = new ec2.Vpc(r, 'Vpc', { maxAzs: 2, natGateways: 0 });
        const alb = new elbv2.ApplicationLoadBalancer(r, 'Alb', { vpc, internetFacing: true });
        alb.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(200) });
        new lib.WafProtectedAlb(c, 'Waf', { loadBalancer: alb });
      },
      'WafProtectedAlb.vpc and logsBucket': (r, c) => {
        const waf = new lib.WafProtectedAlb(c, 'Waf', { vpc: new ec2.Vpc(r, 'Vpc', { maxAzs: 2, natGateways: 0 }), logsBucket: new s3.Bucket(r, 'Logs', { enforceSSL: true }) });
        waf.listener!.addAction('Default', { action: elbv2.ListenerAction.fixedResponse(200) });
      },
      'BlocklistNetworkAcl.networkAcl and vpc': (r, c) => {
        const vpc = new ec2.Vpc(r, 'Vpc', { maxAzs: 2, natGateways: 0 });
        new lib.BlocklistNetworkAcl(c, 'New', { blocklist: blocklist(), vpc });
        new lib.BlocklistNetworkAcl(c, 'Existing', { blocklist: blocklist(), networkAcl: new ec2.NetworkAcl(r, 'Nacl', { vpc }) });
      },
      'PublicInstanceIpBlocking.vpc': (r, c) => { new lib.PublicInstanceIpBlocking(c, 'Web', { blocklist: blocklist(), allowedCidrs: ['198.51.100.0/24'], vpc: new ec2.Vpc(r, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] }) }); },
      'AlbIpBlocking.vpc and logsBucket': (r, c) => { new lib.AlbIpBlocking(c, 'Web', { blocklist: blocklist(), vpc: new ec2.Vpc(r, 'Vpc', { maxAzs: 2, natGateways: 0 }), logsBucket: new s3.Bucket(r, 'Logs', { enforceSSL: true }) }); },
      'NlbIpBlocking.vpc and logsBucket': (r, c) => { new lib.NlbIpBlocking(c, 'Web', { blocklist: blocklist(), vpc: new ec2.Vpc(r, 'Vpc', { maxAzs: 2, natGateways: 0 }), logsBucket: new s3.Bucket(r, 'Logs', { enforceSSL: true }) }); },
    };
    test.each(Object.keys(cases))('%s: resources in the producer, construct in the consumer', (name) => {
      expect(split(cases[name], true)).toEqual({ Producer: [], Consumer: ['Producer'] });
    });
    test.each(Object.keys(cases))('%s: construct in the producer, resources in the consumer', (name) => {
      expect(split(cases[name], false)).toEqual({ Producer: ['Consumer'], Consumer: [] });
    });
  });

  describe('documented ranges: at the limit accepted, one past rejected with the prop and range', () => {
    const acl = (props: lib.EdgeWebAclProps) => () => new lib.EdgeWebAcl(stackIn(quietApp()), 'Acl', props);
    test.each([WAF_RATE_LIMIT.min, WAF_RATE_LIMIT.max])('rateLimit %d accepted', (rateLimit) => { expect(acl({ rateLimit })).not.toThrow(); });
    test.each([WAF_RATE_LIMIT.min - 1, WAF_RATE_LIMIT.max + 1])('rateLimit %d rejected', (rateLimit) => {
      expect(acl({ rateLimit })).toThrow(/rateLimit '\d+': must be a whole number from 10 to 2000000000 requests per window \(AWS WAF API RateBasedStatement, Limit\)/);
    });
    test.each([60, 600])('rateLimitWindow %d s accepted', (s) => { expect(acl({ rateLimitWindow: Duration.seconds(s) })).not.toThrow(); });
    test.each([59, 601, 180])('rateLimitWindow %d s rejected', (s) => {
      expect(acl({ rateLimitWindow: Duration.seconds(s) })).toThrow(/rateLimitWindow '.*': WAF counts over 60, 120, 300, 600 seconds only \(AWS WAF API RateBasedStatement, EvaluationWindowSec\)/);
    });
    test('100 redacted headers accepted, 101 rejected', () => {
      const headers = (n: number) => Array.from({ length: n }, (_, i) => `x-h${i}`);
      expect(acl({ redactedHeaders: headers(100) })).not.toThrow();
      expect(acl({ redactedHeaders: headers(101) })).toThrow(/redactedHeaders '101 headers': WAF redacts at most 100 fields \(AWS WAF API LoggingConfiguration, RedactedFields\)/);
    });
    test('10,000 IPv4 ranges in one IP set accepted, 10,001 rejected', () => {
      const ranges = (n: number) => Array.from({ length: n }, (_, i) => `10.${Math.floor(i / 256)}.${i % 256}.0/24`);
      expect(() => new lib.IpBlocklist({ cidrs: ranges(10_000) })).not.toThrow();
      expect(() => new lib.IpBlocklist({ cidrs: ranges(10_001) })).toThrow(/cidrs '10001 IPv4 ranges': a WAF IP set holds at most 10,000 addresses/);
    });
    test.each([1, 32766 - CIDRS.length * 1 + 1])('firstRuleNumber %d accepted (with an existing network ACL)', (firstRuleNumber) => {
      const stack = stackIn(quietApp());
      expect(() => new lib.BlocklistNetworkAcl(stack, 'Acl', { blocklist: blocklist(), firstRuleNumber, networkAcl: ec2.NetworkAcl.fromNetworkAclId(stack, 'N', 'acl-1') })).not.toThrow();
    });
    test.each([0, 32766 - CIDRS.length + 2])('firstRuleNumber %d rejected', (firstRuleNumber) => {
      const stack = stackIn(quietApp());
      expect(() => new lib.BlocklistNetworkAcl(stack, 'Acl', { blocklist: blocklist(), firstRuleNumber, networkAcl: ec2.NetworkAcl.fromNetworkAclId(stack, 'N', 'acl-1') }))
        .toThrow(/BlocklistNetworkAcl: firstRuleNumber '\d+': .*32766/);
    });
    test.each([[1, true], [65535, true], [0, false], [65536, false]])('NlbIpBlocking port %d accepted: %s', (port, ok) => {
      const build = () => new lib.NlbIpBlocking(stackIn(quietApp()), 'Nlb', { blocklist: blocklist(), port });
      if (ok) expect(build).not.toThrow(); else expect(build).toThrow(/NlbIpBlocking: port '\d+': TCP ports are whole numbers from 1 to 65535/);
    });
    test.each([[0, true], [99.9, true], [100, false], [-1, false]])('CloudFrontDistributionAlarms errorRateThreshold %d accepted: %s', (errorRateThreshold, ok) => {
      const stack = stackIn(quietApp());
      const distribution = cloudfront.Distribution.fromDistributionAttributes(stack, 'D', { distributionId: 'E1', domainName: 'd1.cloudfront.net' });
      const build = () => new lib.CloudFrontDistributionAlarms(stack, 'A', { distribution, errorRateThreshold });
      if (ok) expect(build).not.toThrow(); else expect(build).toThrow(/errorRateThreshold '-?\d+': is a percentage of requests/);
    });
  });
});
