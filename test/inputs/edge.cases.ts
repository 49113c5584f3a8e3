import { Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import * as lib from '../../lib';
import { ConstructInputs, TokenProp } from '../support/input-matrix';

/*
 * The edge constructs' validated props (see test/inputs/README.md). `blocklist` is given as the
 * props of an IpBlocklist (`{ cidrs, name }`), so the matrix can put tokens into the blocklist's own
 * validated props too; `instanceType` as its name; `ports` as one port. `build` turns them into the
 * construct's types.
 */

const CIDRS = ['203.0.113.0/24', '2001:db8:bad::/48'];
const US_EAST_1_CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

/** A token in a list that must be concrete (IpBlocklist cidrs) is refused with the blocklist's own message. */
const BLOCKLIST_CIDRS: TokenProp = { kind: 'stringList', valid: CIDRS, rejectsTokenWith: /IpBlocklist: cidrs '\(list token\)': the ranges must be known at synth time/ };
const BLOCKLIST_NAME: TokenProp = { kind: 'string', valid: 'Office_ranges' };
const INSTANCE_TYPE: TokenProp = { kind: 'string', valid: 't4g.nano', rejectsTokenWith: /instanceType is a token, so its CPU architecture.* is unknown at synth time/ };
const SERVER_ERROR_THRESHOLD: TokenProp = { kind: 'number', valid: 10 };

/** The props `build` receives, turned into the construct's types. */
function edgeProps(props: any): any {
  return {
    ...props,
    ...(props.blocklist ? { blocklist: new lib.IpBlocklist(props.blocklist) } : {}),
    ...(props.instanceType !== undefined ? { instanceType: new ec2.InstanceType(props.instanceType) } : {}),
    ...(props.ports !== undefined ? { ports: [props.ports] } : {}),
  };
}

const vpcOf = (scope: Construct) => new ec2.Vpc(scope, 'InputVpc', { maxAzs: 2, natGateways: 0 });

/** The web ACL props every construct that creates a web ACL validates. */
const WEB_ACL_PROPS: Record<string, TokenProp> = {
  rateLimit: { kind: 'number', valid: 1000 },
  rateLimitWindow: { kind: 'duration', valid: Duration.minutes(5) },
  managedRuleGroups: { kind: 'stringList', valid: ['AWSManagedRulesCommonRuleSet'], rejectsTokenWith: /managedRuleGroups '\(list token\)': each rule group becomes its own rule/ },
  redactedHeaders: { kind: 'stringList', valid: ['authorization'], rejectsTokenWith: /redactedHeaders '\(list token\)': each header becomes its own redacted field/ },
  blockedRequestsBaseline: { kind: 'number', valid: 1000 },
  'blocklist.cidrs': BLOCKLIST_CIDRS,
  'blocklist.name': BLOCKLIST_NAME,
};

export const INPUTS: ConstructInputs[] = [
  {
    construct: 'BlocklistNetworkAcl',
    build: (scope, id, props) => new lib.BlocklistNetworkAcl(scope, id, edgeProps(props)),
    baseProps: (scope) => ({ blocklist: { cidrs: CIDRS }, vpc: vpcOf(scope) }),
    tokenProps: {
      firstRuleNumber: { kind: 'number', valid: 100, rejectsTokenWith: /firstRuleNumber '\(token\)': the rule numbers of the entries are computed from it/ },
      allowRuleNumber: { kind: 'number', valid: 32000, rejectsTokenWith: /allowRuleNumber '\(token\)': the IPv6 allow-all entry takes the next number/ },
      'blocklist.cidrs': BLOCKLIST_CIDRS,
      'blocklist.name': BLOCKLIST_NAME,
    },
  },
  {
    construct: 'EdgeWebAcl',
    build: (scope, id, props) => new lib.EdgeWebAcl(scope, id, edgeProps(props)),
    baseProps: () => ({ blocklist: { cidrs: CIDRS } }),
    tokenProps: WEB_ACL_PROPS,
  },
  {
    construct: 'WafProtectedAlb',
    build: (scope, id, props) => {
      new lib.WafProtectedAlb(scope, id, edgeProps(props)).listener!.addAction('Default', { action: elbv2.ListenerAction.fixedResponse(200) });
    },
    baseProps: () => ({ blocklist: { cidrs: CIDRS } }),
    tokenProps: { ...WEB_ACL_PROPS, serverErrorThreshold: SERVER_ERROR_THRESHOLD },
  },
  {
    construct: 'PublicInstanceIpBlocking',
    build: (scope, id, props) => new lib.PublicInstanceIpBlocking(scope, id, edgeProps(props)),
    baseProps: () => ({ blocklist: { cidrs: CIDRS }, allowedCidrs: ['198.51.100.0/24'] }),
    tokenProps: {
      allowedCidrs: { kind: 'stringList', valid: ['198.51.100.0/24'], rejectsTokenWith: /allowedCidrs '\(list token\)': each range becomes its own security group rule/ },
      ports: { kind: 'number', valid: 80 },
      instanceType: INSTANCE_TYPE,
      'blocklist.cidrs': BLOCKLIST_CIDRS,
      'blocklist.name': BLOCKLIST_NAME,
    },
  },
  {
    construct: 'AlbIpBlocking',
    build: (scope, id, props) => new lib.AlbIpBlocking(scope, id, edgeProps(props)),
    baseProps: () => ({ blocklist: { cidrs: CIDRS } }),
    tokenProps: {
      instancePort: { kind: 'number', valid: 80 },
      serverErrorThreshold: SERVER_ERROR_THRESHOLD,
      instanceType: INSTANCE_TYPE,
      'blocklist.cidrs': BLOCKLIST_CIDRS,
      'blocklist.name': BLOCKLIST_NAME,
    },
  },
  {
    construct: 'NlbIpBlocking',
    build: (scope, id, props) => new lib.NlbIpBlocking(scope, id, edgeProps(props)),
    baseProps: () => ({ blocklist: { cidrs: CIDRS } }),
    tokenProps: {
      port: { kind: 'number', valid: 80 },
      instanceType: INSTANCE_TYPE,
      'blocklist.cidrs': BLOCKLIST_CIDRS,
      'blocklist.name': BLOCKLIST_NAME,
    },
  },
  {
    // PUBLIC_ALB with HTTPS to the origin and alternate domain names: the mode with every validated prop.
    construct: 'CloudFrontWafAlb',
    build: (scope, id, props) => new lib.CloudFrontWafAlb(scope, id, edgeProps(props)),
    baseProps: (scope) => ({
      blocklist: { cidrs: CIDRS },
      originMode: lib.CloudFrontOriginMode.PUBLIC_ALB,
      originCertificate: acm.Certificate.fromCertificateArn(scope, 'OriginCert', US_EAST_1_CERT.replace('us-east-1', Stack.of(scope).region)),
      originDomainName: 'origin.example.com',
      certificate: acm.Certificate.fromCertificateArn(scope, 'Cert', US_EAST_1_CERT),
      domainNames: ['www.example.com'],
      geoRestriction: { deny: ['KP'] },
    }),
    tokenProps: {
      originHeaderName: { kind: 'string', valid: 'X-Origin-Verify' },
      originDomainName: { kind: 'string', valid: 'origin.example.com' },
      securityGroupRuleQuota: { kind: 'number', valid: 60 },
      serverErrorThreshold: SERVER_ERROR_THRESHOLD,
      errorRateThreshold: { kind: 'number', valid: 5 },
      'geoRestriction.deny': { kind: 'stringList', valid: ['KP'] },
      domainNames: { kind: 'stringList', valid: ['www.example.com'] },
      instanceType: INSTANCE_TYPE,
      'blocklist.cidrs': BLOCKLIST_CIDRS,
      'blocklist.name': BLOCKLIST_NAME,
    },
  },
  {
    construct: 'CloudFrontDistributionAlarms',
    build: (scope, id, props) => new lib.CloudFrontDistributionAlarms(scope, id, props),
    baseProps: (scope) => ({
      distribution: cloudfront.Distribution.fromDistributionAttributes(scope, 'Distribution', { distributionId: 'E1234567890ABC', domainName: 'd111111abcdef8.cloudfront.net' }),
    }),
    tokenProps: { errorRateThreshold: { kind: 'number', valid: 5 } },
  },
];
