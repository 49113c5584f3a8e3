import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { ConfigErrors, isConcrete } from '../private/config-errors';
import { CloudFrontOriginMode, CloudFrontWafAlbProps } from './cloudfront-waf-alb';
import { WebAclScope } from './ip-blocklist';
import { CLOUDFRONT_WEB_ACL_REGION } from './validate-edge-web-acl-props';

/**
 * Security-group rules the origin-facing prefix list counts as (its weight, from the VPC user guide,
 * "AWS-managed prefix list weight"): a prefix list counts as its maximum entries.
 */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST_WEIGHT = 55;

/** Default quota of inbound (or outbound) rules per security group and address family. */
export const DEFAULT_SECURITY_GROUP_RULE_QUOTA = 60;

/** Throws one error listing every problem of a {@link CloudFrontWafAlb}'s props (tokens are skipped). */
export function validateCloudFrontWafAlbProps(scope: Construct, props: CloudFrontWafAlbProps): void {
  const region = Stack.of(scope).region;
  const originMode = props.originMode ?? CloudFrontOriginMode.VPC_ORIGIN;
  const publicAlb = originMode === CloudFrontOriginMode.PUBLIC_ALB;
  const errors = new ConfigErrors('CloudFrontWafAlb', scope.node.path);
  if (!Object.values(CloudFrontOriginMode).includes(originMode)) {
    errors.add('originMode', originMode, 'is not an origin mode', `use ${Object.values(CloudFrontOriginMode).map((m) => `'${m}'`).join(' or ')}`);
  }
  if (!publicAlb && props.originHeaderName !== undefined) {
    errors.add('originHeaderName', props.originHeaderName, 'only applies to originMode PUBLIC_ALB, where the listener checks the header', 'remove originHeaderName, or set originMode: CloudFrontOriginMode.PUBLIC_ALB');
  }
  if (!publicAlb && props.securityGroupRuleQuota !== undefined) {
    errors.add('securityGroupRuleQuota', props.securityGroupRuleQuota, 'only applies to originMode PUBLIC_ALB, whose prefix-list rule weighs on it', 'remove securityGroupRuleQuota');
  }
  if (!publicAlb && (props.originCertificate || props.originDomainName !== undefined)) {
    errors.add(props.originCertificate ? 'originCertificate' : 'originDomainName', '(given)', 'only applies to originMode PUBLIC_ALB (a VPC origin reaches the internal ALB over the AWS network)',
      'remove it, or set originMode: CloudFrontOriginMode.PUBLIC_ALB');
  } else if (publicAlb && !props.originCertificate !== (props.originDomainName === undefined)) {
    errors.add(props.originCertificate ? 'originDomainName' : 'originCertificate', undefined, 'an HTTPS origin needs both a certificate on the ALB and the DNS name CloudFront connects to, which the certificate covers',
      'pass originCertificate and originDomainName together');
  }
  const originCertArn = props.originCertificate?.certificateArn;
  if (publicAlb && originCertArn && !Token.isUnresolved(originCertArn) && !Token.isUnresolved(region) && originCertArn.split(':')[3] !== region) {
    errors.add('originCertificate', originCertArn, `an ALB only uses ACM certificates from its own region (${region})`, `request or import the certificate in ${region}`);
  }
  const headerName = props.originHeaderName ?? 'X-Origin-Verify';
  if (!Token.isUnresolved(headerName) && !/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}$/.test(headerName)) {
    errors.add('originHeaderName', headerName, 'an ALB header condition takes a header name of 1-40 token characters (letters, digits, and !#$%&\'*+.^_`|~-)', 'use e.g. X-Origin-Verify');
  }
  if (props.errorRateThreshold !== undefined && region !== CLOUDFRONT_WEB_ACL_REGION) {
    errors.add('errorRateThreshold', props.errorRateThreshold, `the distribution alarm needs CloudFront's metrics, which exist in us-east-1 only, but this stack is in ${Token.isUnresolved(region) ? 'an unknown region' : region}`,
      'remove errorRateThreshold and create a CloudFrontDistributionAlarms in a us-east-1 stack (see CloudFrontWafAlbAlarmsStack)');
  }
  for (const prop of ['serverErrorThreshold', 'errorRateThreshold'] as const) {
    const value = props[prop];
    if (isConcrete(value) && (value < 0 || (prop === 'serverErrorThreshold' && !Number.isInteger(value)) || (prop === 'errorRateThreshold' && value >= 100))) {
      errors.add(prop, value, prop === 'serverErrorThreshold' ? 'is a number of 5xx responses per 5 minutes' : 'is a percentage of requests',
        prop === 'serverErrorThreshold' ? 'use a whole number of 0 or more, e.g. 10' : 'use a number from 0 to below 100, e.g. 5');
    }
  }
  const ruleQuota = props.securityGroupRuleQuota ?? DEFAULT_SECURITY_GROUP_RULE_QUOTA;
  if (isConcrete(ruleQuota) && (!Number.isInteger(ruleQuota) || ruleQuota < CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST_WEIGHT || ruleQuota > 1000)) {
    errors.add('securityGroupRuleQuota', ruleQuota, `the quota is a whole number up to 1000, and the origin-facing prefix list alone counts as ${CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST_WEIGHT} rules`,
      `use your account's "Inbound or outbound rules per security group" quota (default ${DEFAULT_SECURITY_GROUP_RULE_QUOTA})`);
  }
  if (props.webAcl?.webAclScope === WebAclScope.REGIONAL) {
    errors.add('webAcl', props.webAcl.webAclArn, 'is a REGIONAL web ACL; a distribution only takes a CLOUDFRONT-scope web ACL (created in us-east-1)',
      'create an EdgeWebAcl with scope: WebAclScope.CLOUDFRONT in a us-east-1 stack and pass it');
  }
  if (props.webAcl && props.blocklist) {
    errors.add('blocklist', props.blocklist.name, 'only applies to a web ACL created here, but webAcl was given', 'pass the blocklist to that EdgeWebAcl');
  }
  if (!props.webAcl && region !== CLOUDFRONT_WEB_ACL_REGION) {
    errors.add('webAcl', undefined,
      `a distribution's web ACL must be CLOUDFRONT-scope and live in us-east-1, but this stack is in ${Token.isUnresolved(region) ? 'an unspecified region' : region}`,
      'create an EdgeWebAcl with scope: WebAclScope.CLOUDFRONT in a us-east-1 stack (crossRegionReferences: true on both stacks) and pass it as webAcl');
  }
  const geo = props.geoRestriction;
  if (geo) {
    if ((geo.allow === undefined) === (geo.deny === undefined)) {
      errors.add('geoRestriction', JSON.stringify(geo), 'CloudFront takes either an allow-list or a deny-list of countries', 'set exactly one of allow and deny');
    }
    const list = geo.allow ?? geo.deny;
    // A list token, or tokens in the list, are checked by CloudFront at deploy time.
    const codes = list === undefined || Token.isUnresolved(list) ? [] : list.filter((c) => !Token.isUnresolved(c));
    if (list && !Token.isUnresolved(list) && list.length === 0) {
      errors.add('geoRestriction', '[]', 'an empty country list', 'list at least one country, or remove geoRestriction');
    }
    for (const code of codes.filter((c) => !/^[A-Z]{2}$/.test(c))) {
      errors.add('geoRestriction', code, 'is not an ISO 3166-1 alpha-2 country code', `use two upper-case letters, e.g. '${code.toUpperCase().slice(0, 2)}'`);
    }
  }
  if (props.certificate && !props.domainNames?.length) {
    errors.add('domainNames', undefined, 'a certificate is only used for alternate domain names', 'set domainNames');
  }
  if (props.domainNames?.length && !props.certificate) {
    errors.add('certificate', undefined, 'alternate domain names need a certificate covering them', 'pass a us-east-1 certificate');
  }
  if (props.vpc) {
    checkVpc(scope, errors, props.vpc, publicAlb);
  }
  const certArn = props.certificate?.certificateArn;
  if (certArn && !Token.isUnresolved(certArn) && certArn.split(':')[3] !== CLOUDFRONT_WEB_ACL_REGION) {
    errors.add('certificate', certArn, 'CloudFront only uses ACM certificates from us-east-1', 'request or import the certificate in us-east-1');
  }
  errors.throwIfAny();
}

/**
 * CloudFront creates a VPC origin only in a VPC with an internet gateway attached, although the
 * origin stays in private subnets and the gateway carries none of its traffic (CloudFront Developer
 * Guide, "Restrict access with VPC origins", Prerequisites). An `ec2.Vpc` of this app tells whether
 * it has one (`internetGatewayId`; aws-cdk-lib creates a gateway only with public subnets); an
 * imported VPC with public subnets has one (a public subnet routes to it); for one without, only
 * the account knows, so a warning says what must hold. PUBLIC_ALB needs public subnets for the ALB.
 */
function checkVpc(scope: Construct, errors: ConfigErrors, vpc: ec2.IVpc, publicAlb: boolean): void {
  if (publicAlb) {
    if (vpc.publicSubnets.length === 0) {
      errors.add('vpc', vpc.node.path, 'has no public subnets, where originMode PUBLIC_ALB puts the internet-facing ALB',
        'pass a VPC with public subnets, or use originMode VPC_ORIGIN (an internal ALB)');
    }
    return;
  }
  if (vpc instanceof ec2.Vpc) {
    if (vpc.internetGatewayId === undefined) {
      errors.add('vpc', vpc.node.path, 'has no internet gateway, and CloudFront creates a VPC origin only in a VPC with an internet gateway attached (the origin stays private; the gateway carries none of its traffic)',
        'add a public subnet group to the VPC (aws-cdk-lib attaches an internet gateway only then; it may stay empty of instances), or attach a gateway with ec2.CfnInternetGateway and ec2.CfnVPCGatewayAttachment');
    }
  } else if (vpc.publicSubnets.length === 0) {
    Annotations.of(scope).addWarningV2('cdk-reference-architectures:vpcOriginInternetGateway',
      `The imported VPC ${Token.isUnresolved(vpc.vpcId) ? '' : `${vpc.vpcId} `}has no public subnets here, so whether it has an internet gateway is unknown at synth time: CloudFront creates a VPC origin only in a VPC with an internet gateway attached (the origin stays private), so the deploy fails unless one is attached to it.`);
  }
}
