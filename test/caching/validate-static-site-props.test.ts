import { App, CfnParameter, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { StaticSiteProps } from '../../lib/caching/static-site';
import { CLOUDFRONT_METRICS_REGION, MAX_TTL, validateStaticSiteProps } from '../../lib/caching/validate-static-site-props';

// validateStaticSiteProps, called directly on a bare stack (no synth): every rule at its documented limits and one
// past them, a valid value accepted, a token skipped, each message asserted whole once.

interface Fixture {
  readonly app: App;
  readonly stack: Stack;
  /** The StaticSite stand-in: its path, 'Stack/Site', is in every message. */
  readonly scope: Construct;
}

/** A fixture whose stack is in `region` (environment-agnostic when undefined). */
function fixture(region?: string): Fixture {
  const app = new App();
  const stack = new Stack(app, 'Stack', region ? { env: { region } } : undefined);
  return { app, stack, scope: new Construct(stack, 'Site') };
}

/** The problem lines of the error validateStaticSiteProps throws ([] when it throws none). */
function problemsOf(props: StaticSiteProps, f: Fixture = fixture()): string[] {
  try {
    validateStaticSiteProps(f.scope, props, {
      assetTtl: props.assetTtl ?? MAX_TTL,
      htmlTtl: props.htmlTtl ?? Duration.minutes(1),
      rootObject: props.defaultRootObject ?? 'index.html',
      assetPathPatterns: props.assetPathPatterns ?? ['/assets/*'],
    });
  } catch (e) {
    const [header, ...lines] = (e as Error).message.split('\n');
    expect(header).toBe(`StaticSite at 'Stack/Site' has ${lines.length} configuration error(s):`);
    return lines;
  }
  return [];
}

/** A number token, unknown until deployment. */
const numberToken = () => Lazy.number({ produce: () => 60 });

describe('validateStaticSiteProps', () => {
  test('accepts the defaults', () => {
    expect(problemsOf({})).toEqual([]);
  });

  test('lists every problem in one error', () => {
    expect(problemsOf({ defaultRootObject: '/index.html', assetPathPatterns: ['*'] })).toHaveLength(2);
  });

  describe('bucket', () => {
    test('fails with a bucket defined in another stack', () => {
      const f = fixture();
      const bucket = new s3.Bucket(new Stack(f.app, 'Other'), 'Bucket');
      expect(problemsOf({ bucket }, f)).toEqual([
        "  - StaticSite: bucket 'Other/Bucket': is defined in stack 'Other' and the distribution in 'Stack': Origin Access Control needs the bucket's "
        + 'policy to name the distribution, and the distribution names the bucket, so each stack would depend on the other. '
        + "Fix: create the StaticSite in the bucket's stack, or pass the bucket imported into this stack (s3.Bucket.fromBucketName) "
        + 'and add the bucket policy statement for the distribution yourself after deploying (see the README).',
      ]);
    });

    test('accepts a bucket defined in its own stack, or imported in another', () => {
      const f = fixture();
      expect(problemsOf({ bucket: new s3.Bucket(f.stack, 'Bucket') }, f)).toEqual([]);
      const g = fixture();
      expect(problemsOf({ bucket: s3.Bucket.fromBucketName(new Stack(g.app, 'Other'), 'Bucket', 'site') }, g)).toEqual([]);
    });

    test('removalPolicy fails with an existing bucket, is accepted for a new one', () => {
      const f = fixture();
      const bucket = s3.Bucket.fromBucketName(f.stack, 'Bucket', 'site');
      expect(problemsOf({ bucket, removalPolicy: RemovalPolicy.DESTROY }, f)).toEqual([
        "  - StaticSite: removalPolicy 'destroy': only applies to a new bucket, but an existing bucket was given. "
        + 'Fix: set the removal policy on your bucket and remove removalPolicy.',
      ]);
      expect(problemsOf({ removalPolicy: RemovalPolicy.DESTROY })).toEqual([]);
    });
  });

  describe('defaultRootObject', () => {
    test.each(['/index.html', '', ' '])('fails on %j', (rootObject) => {
      expect(problemsOf({ defaultRootObject: rootObject })).toEqual([
        `  - StaticSite: defaultRootObject '${rootObject}': CloudFront expects an object name without a leading slash. Fix: use e.g. 'index.html'.`,
      ]);
    });

    test('accepts an object name, in a folder too', () => {
      expect(problemsOf({ defaultRootObject: 'app.html' })).toEqual([]);
      expect(problemsOf({ defaultRootObject: 'app/index.html' })).toEqual([]);
    });
  });

  describe('assetTtl and htmlTtl', () => {
    const tooLong = (prop: string, value: string) => `  - StaticSite: ${prop} '${value}': CloudFront caches at most 365 days. Fix: use Duration.days(365) or less.`;

    test('accept 365 days', () => {
      expect(MAX_TTL.toDays()).toBe(365);
      expect(problemsOf({ assetTtl: Duration.days(365), htmlTtl: Duration.days(365) })).toEqual([]);
    });

    test('fail one second past 365 days', () => {
      const over = Duration.seconds(365 * 24 * 3600 + 1);
      expect(problemsOf({ assetTtl: over })).toEqual([tooLong('assetTtl', '365 days 1 second')]);
      expect(problemsOf({ assetTtl: over, htmlTtl: over })).toEqual([tooLong('assetTtl', '365 days 1 second'), tooLong('htmlTtl', '365 days 1 second')]);
    });

    test('assetTtl fails below htmlTtl, is accepted equal to it', () => {
      expect(problemsOf({ assetTtl: Duration.seconds(59) })).toEqual([
        "  - StaticSite: assetTtl '59 seconds': is shorter than htmlTtl (1 minute), but hashed assets never change under one name and HTML does. "
        + 'Fix: raise assetTtl or lower htmlTtl.',
      ]);
      expect(problemsOf({ assetTtl: Duration.seconds(60) })).toEqual([]);
      expect(problemsOf({ assetTtl: Duration.seconds(0), htmlTtl: Duration.seconds(0) })).toEqual([]);
    });

    test.each<[string, StaticSiteProps]>([
      ['assetTtl', { assetTtl: Duration.seconds(numberToken()), htmlTtl: Duration.days(365) }],
      ['htmlTtl', { assetTtl: Duration.seconds(1), htmlTtl: Duration.seconds(numberToken()) }],
    ])('skip the comparison and the maximum when %s is a token in seconds', (_prop, props) => {
      expect(problemsOf(props)).toEqual([]);
    });

    test.each(['assetTtl', 'htmlTtl'])('%s refuses a token in another unit', (prop) => {
      expect(problemsOf({ [prop]: Duration.minutes(numberToken()) })).toEqual([
        `  - StaticSite: ${prop} (token): is a token in minutes, but is used in seconds, and a value unknown until deployment cannot be converted at synth. `
        + 'Fix: pass the token as Duration.seconds(token), or a concrete duration.',
      ]);
    });
  });

  describe('assetPathPatterns', () => {
    test.each(['*', '/*', '', ' '])('fails on the default behavior %j', (pattern) => {
      expect(problemsOf({ assetPathPatterns: ['/assets/*', pattern] })).toEqual([
        `  - StaticSite: assetPathPatterns '${pattern}': would give index.html the long asset TTL too. Fix: name the hashed-asset folders, e.g. '/assets/*'.`,
      ]);
    });

    test('accepts folders, file patterns and token elements', () => {
      expect(problemsOf({ assetPathPatterns: ['/static/*', '*.js', '/*.css', Lazy.string({ produce: () => '*' })] })).toEqual([]);
      expect(problemsOf({ assetPathPatterns: [] })).toEqual([]);
    });

    test('fails when the list is a token', () => {
      const f = fixture();
      const list = new CfnParameter(f.stack, 'Patterns', { type: 'CommaDelimitedList' }).valueAsList;
      expect(problemsOf({ assetPathPatterns: list }, f)).toEqual([
        "  - StaticSite: assetPathPatterns '(token)': each pattern becomes its own CloudFront cache behavior, so the list must be known at synth "
        + '(its elements may be tokens). Fix: pass an array, e.g. [parameter.valueAsString].',
      ]);
    });
  });

  describe('domainNames and certificate', () => {
    const certificate = (f: Fixture) => acm.Certificate.fromCertificateArn(f.stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');
    const rule = 'CloudFront needs a certificate exactly when custom domain names are set. Fix: set both domainNames and certificate, or neither.';

    test('fails with domain names and no certificate', () => {
      expect(problemsOf({ domainNames: ['example.com', 'www.example.com'] })).toEqual([
        `  - StaticSite: domainNames 'example.com, www.example.com': ${rule}`,
      ]);
    });

    test('fails with a certificate and no (or no listed) domain names', () => {
      const f = fixture();
      expect(problemsOf({ certificate: certificate(f) }, f)).toEqual([`  - StaticSite: certificate '(certificate)': ${rule}`]);
      const g = fixture();
      expect(problemsOf({ certificate: certificate(g), domainNames: [] }, g)).toEqual([`  - StaticSite: certificate '(certificate)': ${rule}`]);
    });

    test('accepts both, or neither', () => {
      const f = fixture();
      expect(problemsOf({ certificate: certificate(f), domainNames: ['example.com'] }, f)).toEqual([]);
      expect(problemsOf({ domainNames: [] })).toEqual([]);
    });
  });

  describe('contentSecurityPolicy', () => {
    test('fails with a responseHeadersPolicy', () => {
      const responseHeadersPolicy = cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS;
      expect(problemsOf({ responseHeadersPolicy, contentSecurityPolicy: "default-src 'self'" })).toEqual([
        "  - StaticSite: contentSecurityPolicy 'default-src 'self'': only applies to the default response headers policy, but responseHeadersPolicy "
        + 'was given. Fix: put the Content-Security-Policy in your policy and remove contentSecurityPolicy.',
      ]);
    });

    test('is accepted without one, and a responseHeadersPolicy alone too', () => {
      expect(problemsOf({ contentSecurityPolicy: "default-src 'self'" })).toEqual([]);
      expect(problemsOf({ responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS })).toEqual([]);
    });
  });

  describe('distributionAlarms', () => {
    test('fails when true in a stack in another Region', () => {
      expect(problemsOf({ distributionAlarms: true }, fixture('eu-west-1'))).toEqual([
        "  - StaticSite: distributionAlarms 'true': CloudFront publishes its metrics in us-east-1 only, and an alarm in eu-west-1 cannot see them. "
        + 'Fix: deploy the stack to us-east-1, or remove distributionAlarms and alarm on metric5xxErrorRate() from a stack in us-east-1.',
      ]);
    });

    test('is accepted in us-east-1, in a stack whose Region is a token, and false or unset anywhere', () => {
      expect(CLOUDFRONT_METRICS_REGION).toBe('us-east-1');
      expect(problemsOf({ distributionAlarms: true }, fixture('us-east-1'))).toEqual([]);
      expect(problemsOf({ distributionAlarms: true }, fixture())).toEqual([]);
      expect(problemsOf({ distributionAlarms: false }, fixture('eu-west-1'))).toEqual([]);
      expect(problemsOf({}, fixture('eu-west-1'))).toEqual([]);
    });
  });
});
