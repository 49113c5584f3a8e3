import { CfnParameter, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { CloudFrontOriginMode, CloudFrontWafAlbProps } from '../../lib/edge/cloudfront-waf-alb';
import { IpBlocklist, WebAclScope } from '../../lib/edge/ip-blocklist';
import { validateCloudFrontWafAlbProps } from '../../lib/edge/validate-cloudfront-waf-alb-props';

// Fast unit tests of CloudFrontWafAlb's rules: the validation is called directly on a bare stack (no synth).

const PUBLIC = CloudFrontOriginMode.PUBLIC_ALB;

interface Result {
  readonly lines: string[];
  readonly warnings: string[];
}

/** The problem lines and warnings of `props` in a stack in `region` (us-east-1 unless given; null for environment-agnostic). */
function check(props: CloudFrontWafAlbProps | ((stack: Stack) => CloudFrontWafAlbProps), region: string | null = 'us-east-1'): Result {
  const stack = new Stack(undefined, 'S', region === null ? {} : { env: { region } });
  const scope = new Construct(stack, 'Site');
  const warnings = () => scope.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
  try {
    validateCloudFrontWafAlbProps(scope, typeof props === 'function' ? props(stack) : props);
  } catch (e) {
    const [header, ...lines] = (e as Error).message.split('\n');
    expect(header).toBe(`CloudFrontWafAlb at 'S/Site' has ${lines.length} configuration error(s):`);
    return { lines, warnings: warnings() };
  }
  return { lines: [], warnings: warnings() };
}

const lines = (props: CloudFrontWafAlbProps | ((stack: Stack) => CloudFrontWafAlbProps), region?: string | null) => check(props, region).lines;

const cert = (stack: Stack, region: string, id = 'Cert') =>
  acm.Certificate.fromCertificateArn(stack, id, `arn:aws:acm:${region}:123456789012:certificate/abc`);

const webAcl = (scope: WebAclScope) => ({ webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/a/1', webAclScope: scope });

test('the defaults pass in us-east-1', () => {
  expect(check({})).toEqual({ lines: [], warnings: [] });
});

test('PUBLIC_ALB with every option of its own passes', () => {
  expect(lines((s) => ({
    originMode: PUBLIC, originHeaderName: 'X-Verify', securityGroupRuleQuota: 60, originCertificate: cert(s, 'us-east-1'), originDomainName: 'origin.example.com',
  }))).toEqual([]);
});

test('an unknown originMode is refused', () => {
  expect(lines({ originMode: 'bogus' as CloudFrontOriginMode })).toEqual([
    "  - CloudFrontWafAlb: originMode 'bogus': is not an origin mode. Fix: use 'vpc-origin' or 'public-alb'.",
  ]);
});

describe('options of PUBLIC_ALB only', () => {
  test('originHeaderName', () => {
    expect(lines({ originHeaderName: 'X-Verify' })).toEqual([
      "  - CloudFrontWafAlb: originHeaderName 'X-Verify': only applies to originMode PUBLIC_ALB, where the listener checks the header. "
      + 'Fix: remove originHeaderName, or set originMode: CloudFrontOriginMode.PUBLIC_ALB.',
    ]);
  });

  test('securityGroupRuleQuota', () => {
    expect(lines({ securityGroupRuleQuota: 60 })).toEqual([
      "  - CloudFrontWafAlb: securityGroupRuleQuota '60': only applies to originMode PUBLIC_ALB, whose prefix-list rule weighs on it. Fix: remove securityGroupRuleQuota.",
    ]);
  });

  test.each<[string, (s: Stack) => CloudFrontWafAlbProps]>([
    ['originCertificate', (s) => ({ originCertificate: cert(s, 'us-east-1') })],
    ['originDomainName', () => ({ originDomainName: 'origin.example.com' })],
  ])('%s', (prop, props) => {
    expect(lines(props)).toEqual([
      `  - CloudFrontWafAlb: ${prop} '(given)': only applies to originMode PUBLIC_ALB (a VPC origin reaches the internal ALB over the AWS network). `
      + 'Fix: remove it, or set originMode: CloudFrontOriginMode.PUBLIC_ALB.',
    ]);
  });
});

describe('the HTTPS origin of PUBLIC_ALB', () => {
  test.each<[string, (s: Stack) => CloudFrontWafAlbProps]>([
    ['originDomainName', (s) => ({ originMode: PUBLIC, originCertificate: cert(s, 'us-east-1') })],
    ['originCertificate', () => ({ originMode: PUBLIC, originDomainName: 'origin.example.com' })],
  ])('needs %s too', (missing, props) => {
    expect(lines(props)).toEqual([
      `  - CloudFrontWafAlb: ${missing} (not set): an HTTPS origin needs both a certificate on the ALB and the DNS name CloudFront connects to, `
      + 'which the certificate covers. Fix: pass originCertificate and originDomainName together.',
    ]);
  });

  test("needs a certificate of the stack's region", () => {
    expect(lines((s) => ({ originMode: PUBLIC, originCertificate: cert(s, 'eu-west-1'), originDomainName: 'o.example.com' }), 'us-east-1')).toEqual([
      "  - CloudFrontWafAlb: originCertificate 'arn:aws:acm:eu-west-1:123456789012:certificate/abc': an ALB only uses ACM certificates from its own region (us-east-1). "
      + 'Fix: request or import the certificate in us-east-1.',
    ]);
  });

  test('a certificate ARN or region that is a token is not compared', () => {
    expect(lines((s) => ({
      originMode: PUBLIC, originDomainName: 'o.example.com',
      originCertificate: acm.Certificate.fromCertificateArn(s, 'C', new CfnParameter(s, 'Arn').valueAsString),
    }))).toEqual([]);
    expect(lines((s) => ({ originMode: PUBLIC, originCertificate: cert(s, 'eu-west-1'), originDomainName: 'o.example.com', webAcl: webAcl(WebAclScope.CLOUDFRONT) }),
      null)).toEqual([]);
  });
});

describe('originHeaderName', () => {
  test.each([
    ['40 characters', 'X'.repeat(40)],
    ['one character', 'X'],
    ['every token character', "Aa0!#$%&'*+.^_`|~-"],
  ])('%s is accepted', (_what, originHeaderName) => {
    expect(lines({ originMode: PUBLIC, originHeaderName })).toEqual([]);
  });

  test.each([
    ['41 characters', 'X'.repeat(41)],
    ['empty', ''],
    ['a space', 'X Verify'],
    ['a bad first character', ':X'],
    ['a bad last character', 'X:'],
  ])('%s is refused', (_what, originHeaderName) => {
    expect(lines({ originMode: PUBLIC, originHeaderName })).toEqual([
      `  - CloudFrontWafAlb: originHeaderName '${originHeaderName}': an ALB header condition takes a header name of 1-40 token characters `
      + "(letters, digits, and !#$%&'*+.^_`|~-). Fix: use e.g. X-Origin-Verify.",
    ]);
  });

  test('a token is accepted', () => {
    expect(lines({ originMode: PUBLIC, originHeaderName: Lazy.string({ produce: () => ' ' }) })).toEqual([]);
  });
});

describe('alarm thresholds', () => {
  test.each([0, 10, 100])('serverErrorThreshold %d is accepted', (serverErrorThreshold) => {
    expect(lines({ serverErrorThreshold })).toEqual([]);
  });

  test.each([-1, 1.5])('serverErrorThreshold %d is refused', (serverErrorThreshold) => {
    expect(lines({ serverErrorThreshold })).toEqual([
      `  - CloudFrontWafAlb: serverErrorThreshold '${serverErrorThreshold}': is a number of 5xx responses per 5 minutes. Fix: use a whole number of 0 or more, e.g. 10.`,
    ]);
  });

  test.each([0, 0.5, 99.9])('errorRateThreshold %d is accepted', (errorRateThreshold) => {
    expect(lines({ errorRateThreshold })).toEqual([]);
  });

  test.each([-0.1, 100])('errorRateThreshold %d is refused', (errorRateThreshold) => {
    expect(lines({ errorRateThreshold })).toEqual([
      `  - CloudFrontWafAlb: errorRateThreshold '${errorRateThreshold}': is a percentage of requests. Fix: use a number from 0 to below 100, e.g. 5.`,
    ]);
  });

  test('tokens are accepted', () => {
    const token = Lazy.number({ produce: () => -1 });
    expect(lines({ serverErrorThreshold: token, errorRateThreshold: token })).toEqual([]);
  });

  test.each([
    ['eu-west-1', 'eu-west-1'],
    [null, 'an unknown region'],
  ])('errorRateThreshold needs us-east-1 (stack in %s)', (region, shown) => {
    expect(lines({ errorRateThreshold: 5, webAcl: webAcl(WebAclScope.CLOUDFRONT) }, region)).toEqual([
      `  - CloudFrontWafAlb: errorRateThreshold '5': the distribution alarm needs CloudFront's metrics, which exist in us-east-1 only, but this stack is in ${shown}. `
      + 'Fix: remove errorRateThreshold and create a CloudFrontDistributionAlarms in a us-east-1 stack (see CloudFrontWafAlbAlarmsStack).',
    ]);
  });
});

describe('securityGroupRuleQuota', () => {
  test.each([55, 1000])('%i is accepted', (securityGroupRuleQuota) => {
    expect(lines({ originMode: PUBLIC, securityGroupRuleQuota })).toEqual([]);
  });

  test.each([54, 1001, 60.5])('%d is refused', (securityGroupRuleQuota) => {
    expect(lines({ originMode: PUBLIC, securityGroupRuleQuota })).toEqual([
      `  - CloudFrontWafAlb: securityGroupRuleQuota '${securityGroupRuleQuota}': the quota is a whole number up to 1000, and the origin-facing prefix list alone counts as 55 rules. `
      + 'Fix: use your account\'s "Inbound or outbound rules per security group" quota (default 60).',
    ]);
  });

  test('a token is accepted', () => {
    expect(lines({ originMode: PUBLIC, securityGroupRuleQuota: Lazy.number({ produce: () => 1 }) })).toEqual([]);
  });
});

describe('webAcl', () => {
  test('a CLOUDFRONT web ACL is accepted in any region', () => {
    expect(lines({ webAcl: webAcl(WebAclScope.CLOUDFRONT) }, 'eu-west-1')).toEqual([]);
  });

  test('a REGIONAL web ACL is refused', () => {
    expect(lines({ webAcl: webAcl(WebAclScope.REGIONAL) })).toEqual([
      "  - CloudFrontWafAlb: webAcl 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/a/1': is a REGIONAL web ACL; "
      + 'a distribution only takes a CLOUDFRONT-scope web ACL (created in us-east-1). '
      + 'Fix: create an EdgeWebAcl with scope: WebAclScope.CLOUDFRONT in a us-east-1 stack and pass it.',
    ]);
  });

  test('a blocklist only applies without one', () => {
    const blocklist = new IpBlocklist({ cidrs: ['192.0.2.0/24'], name: 'Bad' });
    expect(lines({ blocklist })).toEqual([]);
    expect(lines({ blocklist, webAcl: webAcl(WebAclScope.CLOUDFRONT) })).toEqual([
      "  - CloudFrontWafAlb: blocklist 'Bad': only applies to a web ACL created here, but webAcl was given. Fix: pass the blocklist to that EdgeWebAcl.",
    ]);
  });

  test.each([
    ['eu-west-1', 'eu-west-1'],
    [null, 'an unspecified region'],
  ])('is needed outside us-east-1 (stack in %s)', (region, shown) => {
    expect(lines({}, region)).toEqual([
      `  - CloudFrontWafAlb: webAcl (not set): a distribution's web ACL must be CLOUDFRONT-scope and live in us-east-1, but this stack is in ${shown}. `
      + 'Fix: create an EdgeWebAcl with scope: WebAclScope.CLOUDFRONT in a us-east-1 stack (crossRegionReferences: true on both stacks) and pass it as webAcl.',
    ]);
  });
});

describe('geoRestriction', () => {
  test.each([
    ['an allow-list', { allow: ['DE', 'FR'] }],
    ['a deny-list', { deny: ['KP'] }],
    ['a list token', { deny: Token.asList(Lazy.any({ produce: () => ['x'] })) }],
    ['a token entry', { allow: [Lazy.string({ produce: () => 'x' })] }],
  ])('%s is accepted', (_what, geoRestriction) => {
    expect(lines({ geoRestriction })).toEqual([]);
  });

  test.each([
    ['both lists', { allow: ['DE'], deny: ['KP'] }],
    ['no list', {}],
  ])('%s is refused', (_what, geoRestriction) => {
    expect(lines({ geoRestriction })).toEqual([
      `  - CloudFrontWafAlb: geoRestriction '${JSON.stringify(geoRestriction)}': CloudFront takes either an allow-list or a deny-list of countries. `
      + 'Fix: set exactly one of allow and deny.',
    ]);
  });

  test('an empty list is refused', () => {
    expect(lines({ geoRestriction: { allow: [] } })).toEqual([
      "  - CloudFrontWafAlb: geoRestriction '[]': an empty country list. Fix: list at least one country, or remove geoRestriction.",
    ]);
  });

  test.each([
    ['kp', 'KP'],
    ['USA', 'US'],
    ['D', 'D'],
    ['D1', 'D1'],
  ])('%s is refused', (code, suggested) => {
    expect(lines({ geoRestriction: { deny: ['FR', code] } })).toEqual([
      `  - CloudFrontWafAlb: geoRestriction '${code}': is not an ISO 3166-1 alpha-2 country code. Fix: use two upper-case letters, e.g. '${suggested}'.`,
    ]);
  });
});

describe('certificate and domainNames', () => {
  test('go together', () => {
    expect(lines((s) => ({ certificate: cert(s, 'us-east-1'), domainNames: ['www.example.com'] }))).toEqual([]);
  });

  test.each<[string, (s: Stack) => CloudFrontWafAlbProps]>([
    ['no domainNames', (s) => ({ certificate: cert(s, 'us-east-1') })],
    ['empty domainNames', (s) => ({ certificate: cert(s, 'us-east-1'), domainNames: [] })],
  ])('a certificate with %s is refused', (_what, props) => {
    expect(lines(props)).toEqual([
      '  - CloudFrontWafAlb: domainNames (not set): a certificate is only used for alternate domain names. Fix: set domainNames.',
    ]);
  });

  test('domainNames without a certificate are refused', () => {
    expect(lines({ domainNames: ['www.example.com'] })).toEqual([
      '  - CloudFrontWafAlb: certificate (not set): alternate domain names need a certificate covering them. Fix: pass a us-east-1 certificate.',
    ]);
    expect(lines({ domainNames: [] })).toEqual([]);
  });

  test('a certificate outside us-east-1 is refused', () => {
    expect(lines((s) => ({ certificate: cert(s, 'eu-west-1'), domainNames: ['www.example.com'] }))).toEqual([
      "  - CloudFrontWafAlb: certificate 'arn:aws:acm:eu-west-1:123456789012:certificate/abc': CloudFront only uses ACM certificates from us-east-1. "
      + 'Fix: request or import the certificate in us-east-1.',
    ]);
  });

  test('a certificate ARN that is a token is not checked', () => {
    expect(lines((s) => ({
      certificate: acm.Certificate.fromCertificateArn(s, 'C', new CfnParameter(s, 'Arn').valueAsString), domainNames: ['www.example.com'],
    }))).toEqual([]);
  });
});

describe('vpc', () => {
  const isolatedOnly = [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }];
  const imported = (s: Stack, vpcId: string, publicSubnetIds?: string[]) => ec2.Vpc.fromVpcAttributes(s, 'Imported', {
    vpcId, availabilityZones: ['us-east-1a'], privateSubnetIds: ['subnet-1'], publicSubnetIds,
  });

  test('a VPC with public subnets is accepted in both modes', () => {
    expect(check((s) => ({ vpc: new ec2.Vpc(s, 'Vpc', { maxAzs: 1 }) }))).toEqual({ lines: [], warnings: [] });
    expect(lines((s) => ({ originMode: PUBLIC, vpc: new ec2.Vpc(s, 'Vpc', { maxAzs: 1 }) }))).toEqual([]);
  });

  test('PUBLIC_ALB needs public subnets', () => {
    expect(lines((s) => ({ originMode: PUBLIC, vpc: imported(s, 'vpc-1') }))).toEqual([
      "  - CloudFrontWafAlb: vpc 'S/Imported': has no public subnets, where originMode PUBLIC_ALB puts the internet-facing ALB. "
      + 'Fix: pass a VPC with public subnets, or use originMode VPC_ORIGIN (an internal ALB).',
    ]);
  });

  test('a VPC origin needs an internet gateway', () => {
    expect(lines((s) => ({ vpc: new ec2.Vpc(s, 'Vpc', { maxAzs: 1, subnetConfiguration: isolatedOnly }) }))).toEqual([
      "  - CloudFrontWafAlb: vpc 'S/Vpc': has no internet gateway, and CloudFront creates a VPC origin only in a VPC with an internet gateway attached "
      + '(the origin stays private; the gateway carries none of its traffic). Fix: add a public subnet group to the VPC (aws-cdk-lib attaches an internet '
      + 'gateway only then; it may stay empty of instances), or attach a gateway with ec2.CfnInternetGateway and ec2.CfnVPCGatewayAttachment.',
    ]);
  });

  test('an imported VPC with public subnets is accepted without a warning', () => {
    expect(check((s) => ({ vpc: imported(s, 'vpc-1', ['subnet-2']) }))).toEqual({ lines: [], warnings: [] });
  });

  test.each([
    ['vpc-1', 'The imported VPC vpc-1 has'],
    ['(token)', 'The imported VPC has'],
  ])('an imported VPC %s without public subnets is a warning', (vpcId, start) => {
    expect(check((s) => ({ vpc: imported(s, vpcId === '(token)' ? new CfnParameter(s, 'VpcId').valueAsString : vpcId) }))).toEqual({
      lines: [],
      warnings: [
        `${start} no public subnets here, so whether it has an internet gateway is unknown at synth time: CloudFront creates a VPC origin only in a VPC `
        + 'with an internet gateway attached (the origin stays private), so the deploy fails unless one is attached to it. '
        + '[ack: cdk-reference-architectures:vpcOriginInternetGateway]',
      ],
    });
  });
});
