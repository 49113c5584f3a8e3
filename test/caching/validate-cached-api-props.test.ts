import { App, CfnParameter, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import { Construct } from 'constructs';
import { CachedApiProps } from '../../lib/caching/cached-api';
import {
  API_CACHE_SIZES, API_CACHE_TTL, CACHE_DATA_STORAGE_GB, CACHE_ECPU_PER_SECOND, FUNCTION_TIMEOUT, PERCENT, ResolvedCachedApiValues,
  validateCachedApiProps,
} from '../../lib/caching/validate-cached-api-props';
import { ConfigErrors } from '../../lib/private/config-errors';
import { checkNumber, describeRange, NumericRange } from '../../lib/private/ranges';

// The documented ranges CachedApi checks its numbers against, each at its limits and one past them.

/** The problem lines checkNumber records for `value` in `range`. */
function problems(value: number, range: NumericRange): string[] {
  const errors = new ConfigErrors('CachedApi', 'Api');
  checkNumber(errors, 'prop', value, range);
  try {
    errors.throwIfAny();
  } catch (e) {
    return (e as Error).message.split('\n').slice(1);
  }
  return [];
}

test.each<[string, NumericRange, string]>([
  ['CACHE_DATA_STORAGE_GB', CACHE_DATA_STORAGE_GB, 'a whole number from 1 to 5000 GB (ElastiCache API DataStorage, Maximum)'],
  ['CACHE_ECPU_PER_SECOND', CACHE_ECPU_PER_SECOND, 'a whole number from 1000 to 15000000 ECPUs per second (ElastiCache API ECPUPerSecond, Maximum)'],
  ['API_CACHE_TTL', API_CACHE_TTL, 'a whole number from 0 to 3600 seconds (API Gateway developer guide, "Enable API caching", TTL)'],
  ['PERCENT', PERCENT, 'from 0 to 100 percent (a share of reads)'],
])('%s is %s', (_name, range, described) => {
  expect(describeRange(range)).toBe(described);
});

test.each<[string, NumericRange, number[], number[]]>([
  ['CACHE_DATA_STORAGE_GB', CACHE_DATA_STORAGE_GB, [1, 5000], [0, 5001, 1.5]],
  ['CACHE_ECPU_PER_SECOND', CACHE_ECPU_PER_SECOND, [1000, 15_000_000], [999, 15_000_001]],
  ['API_CACHE_TTL', API_CACHE_TTL, [0, 3600], [-1, 3601]],
  ['PERCENT', PERCENT, [0, 50.5, 100], [-0.1, 100.1]],
])('%s accepts %j and refuses %j', (_name, range, valid, invalid) => {
  for (const value of valid) expect(problems(value, range)).toEqual([]);
  for (const value of invalid) {
    expect(problems(value, range)).toEqual([
      `  - CachedApi: prop '${value}': must be ${describeRange(range)}. Fix: use a value from ${range.min} to ${range.max}.`,
    ]);
  }
});

// validateCachedApiProps, called directly on a bare stack (no synth): every rule at its documented limits and one
// past them, a valid value accepted, a token skipped, each message asserted whole once.

/** A construct in another stack that can stand in for an API Gateway authorizer. */
class StubAuthorizer extends Construct implements apigateway.IAuthorizer {
  public readonly authorizerId = 'stub';
  public readonly authorizationType = apigateway.AuthorizationType.CUSTOM;
}

interface Fixture {
  readonly app: App;
  readonly stack: Stack;
  /** The CachedApi stand-in: its path, 'Stack/Api', is in every message. */
  readonly scope: Construct;
}

function fixture(): Fixture {
  const app = new App();
  const stack = new Stack(app, 'Stack');
  return { app, stack, scope: new Construct(stack, 'Api') };
}

/** The name of the function's own cache user in these tests. */
const API_USER = 'stack-api-api';

/** The values as CachedApi resolves them from `props` (its defaults). */
function resolvedFor(props: CachedApiProps): ResolvedCachedApiValues {
  return {
    cacheTtl: props.cacheTtl ?? Duration.minutes(5),
    cdnCacheTtl: props.cdnCacheTtl ?? Duration.seconds(60),
    maxStaleness: props.maxStaleness ?? Duration.minutes(10),
    cacheTimeout: props.cacheTimeout ?? Duration.millis(100),
    cachedPathPatterns: props.cachedPathPatterns ?? ['/items/*'],
    apiUserName: API_USER,
  };
}

/** The problem lines of the error validateCachedApiProps throws ([] when it throws none). */
function problemsOf(props: CachedApiProps, f: Fixture = fixture()): string[] {
  try {
    validateCachedApiProps(f.scope, props, resolvedFor(props));
  } catch (e) {
    const [header, ...lines] = (e as Error).message.split('\n');
    expect(header).toBe(`CachedApi at 'Stack/Api' has ${lines.length} configuration error(s):`);
    return lines;
  }
  return [];
}

/** Enough staleness budget that the TTL-sum rule stays out of a test about another rule. */
const AMPLE = { maxStaleness: Duration.hours(3) };

/** A number token, unknown until deployment. */
const numberToken = () => Lazy.number({ produce: () => 1 });

describe('validateCachedApiProps', () => {
  test('accepts the defaults', () => {
    expect(problemsOf({})).toEqual([]);
  });

  test('lists every problem in one error', () => {
    expect(problemsOf({ cacheMaxDataStorageGb: 0, cacheMaxEcpuPerSecond: 1, apiCacheSize: '1' })).toHaveLength(4);
  });

  describe('removalPolicy', () => {
    test('fails with an existing table', () => {
      const f = fixture();
      const table = dynamodb.Table.fromTableName(f.stack, 'Table', 'items');
      expect(problemsOf({ table, removalPolicy: RemovalPolicy.DESTROY }, f)).toEqual([
        "  - CachedApi: removalPolicy 'destroy': only applies to a new table, but an existing table was given. "
        + 'Fix: set the removal policy on your table and remove removalPolicy.',
      ]);
    });

    test('is accepted for a new table, and an existing table without it', () => {
      const f = fixture();
      expect(problemsOf({ removalPolicy: RemovalPolicy.DESTROY })).toEqual([]);
      expect(problemsOf({ table: dynamodb.Table.fromTableName(f.stack, 'Table', 'items') }, f)).toEqual([]);
    });
  });

  describe('vpcSubnets', () => {
    test('fails without vpc', () => {
      expect(problemsOf({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } })).toEqual([
        '  - CachedApi: vpcSubnets \'{"subnetType":"Isolated"}\': only applies to an existing vpc; the new VPC has private isolated subnets only. '
        + 'Fix: pass vpc too, or remove vpcSubnets.',
      ]);
    });

    test('is accepted with a vpc', () => {
      const f = fixture();
      const vpc = ec2.Vpc.fromVpcAttributes(f.stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['us-east-1a'] });
      expect(problemsOf({ vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }, f)).toEqual([]);
    });
  });

  describe('cacheTtl', () => {
    test('fails below 1 second and on a fraction of a second', () => {
      expect(problemsOf({ cacheTtl: Duration.millis(999) })).toEqual([
        "  - CachedApi: cacheTtl '999 millis': Valkey expiries are set in whole seconds, at least 1. "
        + 'Fix: use a whole number of seconds, e.g. Duration.seconds(30).',
      ]);
      expect(problemsOf({ cacheTtl: Duration.seconds(0) })).toHaveLength(1);
      expect(problemsOf({ cacheTtl: Duration.millis(1500) })[0]).toMatch(/^ {2}- CachedApi: cacheTtl '1 second 500 millis': Valkey expiries/);
    });

    test('accepts 1 second and whole seconds', () => {
      expect(problemsOf({ cacheTtl: Duration.seconds(1) })).toEqual([]);
      expect(problemsOf({ cacheTtl: Duration.millis(2000) })).toEqual([]);
    });

    test('skips a token in seconds, refuses one in another unit', () => {
      expect(problemsOf({ cacheTtl: Duration.seconds(numberToken()) })).toEqual([]);
      expect(problemsOf({ cacheTtl: Duration.millis(numberToken()) })).toEqual([
        '  - CachedApi: cacheTtl (token): is a token in millis, but is used in seconds, and a value unknown until deployment cannot be converted at synth. '
        + 'Fix: pass the token as Duration.seconds(token), or a concrete duration.',
      ]);
    });
  });

  describe('cacheTimeout', () => {
    test('fails at 0 and at the function timeout', () => {
      expect(FUNCTION_TIMEOUT.toSeconds()).toBe(10);
      const message = (value: string) => `  - CachedApi: cacheTimeout '${value}': must be from 1 ms to below the function timeout (10 seconds), `
        + 'or a slow cache fails requests instead of degrading to DynamoDB. Fix: use Duration.millis(50) to Duration.millis(500).';
      expect(problemsOf({ cacheTimeout: Duration.millis(0) })).toEqual([message('0 millis')]);
      expect(problemsOf({ cacheTimeout: Duration.millis(10_000) })).toEqual([message('10 seconds')]);
    });

    test('accepts 1 ms and 1 ms below the function timeout', () => {
      expect(problemsOf({ cacheTimeout: Duration.millis(1) })).toEqual([]);
      expect(problemsOf({ cacheTimeout: Duration.millis(9_999) })).toEqual([]);
    });

    test('skips a token in millis, refuses one in another unit', () => {
      expect(problemsOf({ cacheTimeout: Duration.millis(numberToken()) })).toEqual([]);
      expect(problemsOf({ cacheTimeout: Duration.seconds(numberToken()) })).toEqual([
        '  - CachedApi: cacheTimeout (token): is a token in seconds, but is used in millis, and a value unknown until deployment cannot be converted at synth. '
        + 'Fix: pass the token as Duration.millis(token), or a concrete duration.',
      ]);
    });
  });

  describe('cache limits and the hit ratio threshold', () => {
    test.each<[keyof CachedApiProps, number[], number[], string]>([
      ['cacheMaxDataStorageGb', [1, 5000], [0, 5001], 'must be a whole number from 1 to 5000 GB (ElastiCache API DataStorage, Maximum). Fix: use a value from 1 to 5000.'],
      ['cacheMaxEcpuPerSecond', [1000, 15_000_000], [999, 15_000_001],
        'must be a whole number from 1000 to 15000000 ECPUs per second (ElastiCache API ECPUPerSecond, Maximum). Fix: use a value from 1000 to 15000000.'],
      ['cacheHitRatioAlarmThreshold', [0, 0.5, 100], [-0.1, 100.1], 'must be from 0 to 100 percent (a share of reads). Fix: use e.g. 50.'],
    ])('%s accepts %j and refuses %j', (prop, valid, invalid, rule) => {
      for (const value of valid) expect(problemsOf({ [prop]: value })).toEqual([]);
      for (const value of invalid) expect(problemsOf({ [prop]: value })).toEqual([`  - CachedApi: ${prop} '${value}': ${rule}`]);
      expect(problemsOf({ [prop]: numberToken() })).toEqual([]);
    });
  });

  describe('cdnCacheTtl', () => {
    test('skips a token in seconds, refuses one in another unit', () => {
      expect(problemsOf({ cdnCacheTtl: Duration.seconds(numberToken()) })).toEqual([]);
      expect(problemsOf({ cdnCacheTtl: Duration.millis(numberToken()) })).toEqual([
        '  - CachedApi: cdnCacheTtl (token): is a token in millis, but is used in seconds, and a value unknown until deployment cannot be converted at synth. '
        + 'Fix: pass the token as Duration.seconds(token), or a concrete duration.',
      ]);
    });
  });

  describe('apiLatencyAlarmThreshold', () => {
    test('fails at 0 and above 29 s', () => {
      const message = (value: string) => `  - CachedApi: apiLatencyAlarmThreshold '${value}': API Gateway answers within its 29 s integration timeout, `
        + 'so a threshold must be above 0 and at most 29 s. Fix: use e.g. Duration.seconds(2).';
      expect(problemsOf({ apiLatencyAlarmThreshold: Duration.millis(0) })).toEqual([message('0 millis')]);
      expect(problemsOf({ apiLatencyAlarmThreshold: Duration.millis(29_001) })).toEqual([message('29 seconds 1 milli')]);
    });

    test('accepts 1 ms and 29 s', () => {
      expect(problemsOf({ apiLatencyAlarmThreshold: Duration.millis(1) })).toEqual([]);
      expect(problemsOf({ apiLatencyAlarmThreshold: Duration.seconds(29) })).toEqual([]);
    });

    test('skips a token in millis, refuses one in another unit', () => {
      expect(problemsOf({ apiLatencyAlarmThreshold: Duration.millis(numberToken()) })).toEqual([]);
      expect(problemsOf({ apiLatencyAlarmThreshold: Duration.seconds(numberToken()) })).toEqual([
        '  - CachedApi: apiLatencyAlarmThreshold (token): is a token in seconds, but is used in millis, and a value unknown until deployment '
        + 'cannot be converted at synth. Fix: pass the token as Duration.millis(token), or a concrete duration.',
      ]);
    });
  });

  describe('apiCacheTtl', () => {
    test('accepts 0 and 3600 seconds', () => {
      expect(problemsOf({ ...AMPLE, apiCacheTtl: Duration.seconds(0) })).toEqual([]);
      expect(problemsOf({ ...AMPLE, apiCacheTtl: Duration.seconds(3600) })).toEqual([]);
    });

    test('fails above 3600 seconds and on a fraction of a second', () => {
      expect(problemsOf({ ...AMPLE, apiCacheTtl: Duration.seconds(3601) })).toEqual([
        "  - CachedApi: apiCacheTtl '1 hour 1 second': must be a whole number from 0 to 3600 seconds "
        + '(API Gateway developer guide, "Enable API caching", TTL). Fix: use Duration.seconds(3600) or less.',
      ]);
      expect(problemsOf({ ...AMPLE, apiCacheTtl: Duration.millis(1500) })).toHaveLength(1);
    });

    test('skips a token in seconds, refuses one in another unit', () => {
      expect(problemsOf({ apiCacheTtl: Duration.seconds(numberToken()) })).toEqual([]);
      expect(problemsOf({ apiCacheTtl: Duration.millis(numberToken()) })).toEqual([
        '  - CachedApi: apiCacheTtl (token): is a token in millis, but is used in seconds, and a value unknown until deployment cannot be converted at synth. '
        + 'Fix: pass the token as Duration.seconds(token), or a concrete duration.',
      ]);
    });
  });

  describe('apiCacheSize', () => {
    test('fails without apiCacheTtl', () => {
      expect(problemsOf({ apiCacheSize: '0.5' })).toEqual([
        "  - CachedApi: apiCacheSize '0.5': only applies with a stage cache. Fix: set apiCacheTtl too, or remove apiCacheSize.",
      ]);
    });

    test('accepts every size API Gateway offers', () => {
      expect(API_CACHE_SIZES).toEqual(['0.5', '1.6', '6.1', '13.5', '28.4', '58.2', '118', '237']);
      for (const size of API_CACHE_SIZES) expect(problemsOf({ ...AMPLE, apiCacheTtl: Duration.seconds(60), apiCacheSize: size })).toEqual([]);
    });

    test('fails on another size, skips a token', () => {
      expect(problemsOf({ ...AMPLE, apiCacheTtl: Duration.seconds(60), apiCacheSize: '1' })).toEqual([
        "  - CachedApi: apiCacheSize '1': API Gateway offers 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237 GB. Fix: use one of them, e.g. '0.5'.",
      ]);
      expect(problemsOf({ ...AMPLE, apiCacheTtl: Duration.seconds(60), apiCacheSize: Lazy.string({ produce: () => '1' }) })).toEqual([]);
    });
  });

  describe('cachedPathPatterns', () => {
    test('fails when empty', () => {
      expect(problemsOf({ cachedPathPatterns: [] })).toEqual([
        "  - CachedApi: cachedPathPatterns '[]': at least one path must be cacheable, or the distribution caches nothing. "
        + 'Fix: list the GET routes to cache, or set cdnCacheTtl: Duration.seconds(0) to keep one pattern uncached.',
      ]);
    });

    test.each(['*', '/*', '', ' '])('fails on the default behavior %j', (pattern) => {
      expect(problemsOf({ cachedPathPatterns: ['/items/*', pattern] })).toEqual([
        `  - CachedApi: cachedPathPatterns '${pattern}': the default behavior (everything else) is the uncached route and cannot be listed. `
        + "Fix: name the cacheable routes, e.g. '/items/*'.",
      ]);
    });

    test('accepts named routes and token elements', () => {
      expect(problemsOf({ cachedPathPatterns: ['/items/*', '/*.json', '*.css', Lazy.string({ produce: () => '*' })] })).toEqual([]);
    });

    test('fails when the list is a token', () => {
      const f = fixture();
      const list = new CfnParameter(f.stack, 'Patterns', { type: 'CommaDelimitedList' }).valueAsList;
      expect(problemsOf({ cachedPathPatterns: list }, f)).toEqual([
        "  - CachedApi: cachedPathPatterns '(token)': each pattern becomes its own CloudFront cache behavior, so the list must be known at synth "
        + '(its elements may be tokens). Fix: pass an array, e.g. [parameter.valueAsString].',
      ]);
    });
  });

  describe('domainNames and certificate', () => {
    const certificate = (f: Fixture) => acm.Certificate.fromCertificateArn(f.stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');

    test('fails with domain names and no certificate', () => {
      expect(problemsOf({ domainNames: ['a.example.com', 'b.example.com'] })).toEqual([
        "  - CachedApi: domainNames 'a.example.com, b.example.com': CloudFront needs a certificate exactly when custom domain names are set. "
        + 'Fix: set both domainNames and certificate, or neither.',
      ]);
    });

    test('fails with a certificate and no (or no listed) domain names', () => {
      const message = "  - CachedApi: certificate '(certificate)': CloudFront needs a certificate exactly when custom domain names are set. "
        + 'Fix: set both domainNames and certificate, or neither.';
      const f = fixture();
      expect(problemsOf({ certificate: certificate(f) }, f)).toEqual([message]);
      const g = fixture();
      expect(problemsOf({ certificate: certificate(g), domainNames: [] }, g)).toEqual([message]);
    });

    test('accepts both, or neither', () => {
      const f = fixture();
      expect(problemsOf({ certificate: certificate(f), domainNames: ['a.example.com'] }, f)).toEqual([]);
      expect(problemsOf({ domainNames: [] })).toEqual([]);
    });
  });

  describe('writeAuthorizer and writesThroughCloudFront', () => {
    test('fails with an authorizer in another stack', () => {
      const f = fixture();
      const writeAuthorizer = new StubAuthorizer(new Stack(f.app, 'Auth'), 'Authorizer');
      expect(problemsOf({ writeAuthorizer }, f)).toEqual([
        "  - CachedApi: writeAuthorizer 'Auth/Authorizer': is defined in stack 'Auth', but API Gateway creates an authorizer as part of the API, "
        + "which aws-cdk-lib does in the authorizer's stack, so each stack would depend on the other. Fix: create the authorizer "
        + "(e.g. the CognitoUserPoolsAuthorizer) in the CachedApi's stack; its user pool may stay in the other stack.",
      ]);
    });

    test('accepts an authorizer in its own stack, or one that is not a construct', () => {
      const f = fixture();
      expect(problemsOf({ writeAuthorizer: new StubAuthorizer(f.stack, 'Authorizer'), writesThroughCloudFront: true }, f)).toEqual([]);
      expect(problemsOf({ writeAuthorizer: { authorizerId: 'abc', authorizationType: apigateway.AuthorizationType.CUSTOM } })).toEqual([]);
    });

    test('writesThroughCloudFront fails without an authorizer', () => {
      expect(problemsOf({ writesThroughCloudFront: true })).toEqual([
        "  - CachedApi: writesThroughCloudFront 'true': writes would be authorized with AWS_IAM, whose SigV4 signature covers the Host header "
        + 'that CloudFront replaces, so every signed write through CloudFront fails. Fix: pass a writeAuthorizer (e.g. a CognitoUserPoolsAuthorizer), '
        + 'or remove writesThroughCloudFront and sign writes against the API endpoint.',
      ]);
      expect(problemsOf({ writesThroughCloudFront: false })).toEqual([]);
    });
  });

  describe('cacheUsers', () => {
    /** A valid user of the group: password authentication, userName = userId = `id` lower-cased. */
    function user(f: Fixture, id: string, props: Partial<elasticache.CfnUserProps> = {}): elasticache.CfnUser {
      return new elasticache.CfnUser(f.stack, id, {
        engine: 'valkey', userId: id.toLowerCase(), userName: id.toLowerCase(), accessString: 'on ~* +@read',
        authenticationMode: { Type: 'password', Passwords: ['a-password-of-16-chars'] }, ...props,
      });
    }

    test('accepts users with a password or IAM and their own names', () => {
      const f = fixture();
      const users = [user(f, 'Reader'), user(f, 'Ops', { authenticationMode: { Type: 'iam' } }), user(f, 'Pw', { userName: 'other-name' })];
      expect(problemsOf({ cacheUsers: users }, f)).toEqual([]);
    });

    test('fails on a user that needs no password', () => {
      const message = (id: string) => `  - CachedApi: cacheUsers '${id}': a Valkey user group accepts only users that authenticate with a password or IAM, `
        + "and this user needs no password. Fix: give it authenticationMode { Type: 'password', Passwords: [...] } or { Type: 'iam' }.";
      const f = fixture();
      expect(problemsOf({ cacheUsers: [user(f, 'Open', { authenticationMode: { Type: 'no-password-required' } })] }, f)).toEqual([message('open')]);
      const g = fixture();
      expect(problemsOf({ cacheUsers: [user(g, 'Old', { authenticationMode: undefined, noPasswordRequired: true })] }, g)).toEqual([message('old')]);
      const h = fixture();
      expect(problemsOf({ cacheUsers: [user(h, 'Set', { authenticationMode: undefined, noPasswordRequired: false })] }, h)).toEqual([]);
    });

    test('fails on an IAM user whose name is not its id', () => {
      const f = fixture();
      expect(problemsOf({ cacheUsers: [user(f, 'Ops', { userName: 'operator', authenticationMode: { Type: 'iam' } })] }, f)).toEqual([
        "  - CachedApi: cacheUsers 'ops': IAM authentication requires userName equal to userId, but userName is 'operator'. Fix: set userName: 'ops'.",
      ]);
    });

    test("fails on a user named 'default'", () => {
      const f = fixture();
      expect(problemsOf({ cacheUsers: [user(f, 'Admin', { userName: 'default' })] }, f)).toEqual([
        "  - CachedApi: cacheUsers 'admin': the user group already has its own disabled user named 'default', and user names must be unique in a group. "
        + 'Fix: give the user another userName.',
      ]);
    });

    test("fails on a name taken by another user or the function's own user", () => {
      const message = (id: string, name: string) => `  - CachedApi: cacheUsers '${id}': another user of the group is named '${name}', `
        + 'and user names must be unique in a group. Fix: give each user its own userName.';
      const f = fixture();
      expect(problemsOf({ cacheUsers: [user(f, 'A', { userName: 'reader' }), user(f, 'B', { userName: 'reader' })] }, f)).toEqual([message('b', 'reader')]);
      const g = fixture();
      expect(problemsOf({ cacheUsers: [user(g, 'A', { userName: API_USER })] }, g)).toEqual([message('a', API_USER)]);
    });

    test('skips token names, ids and authentication modes', () => {
      const f = fixture();
      const token = (value: string) => Lazy.string({ produce: () => value });
      const sharedName = token('reader');
      const users = [
        user(f, 'A', { userName: sharedName }),
        user(f, 'Iam', { userName: token('someone-else'), authenticationMode: { Type: 'iam' } }),
        user(f, 'Twin', { userName: sharedName }),
        user(f, 'B', { userName: token('default'), authenticationMode: { Type: 'no-password-required' } }),
        user(f, 'C', { userId: token('c'), userName: 'other', authenticationMode: { Type: 'iam' } }),
        user(f, 'D', { userName: 'operator', authenticationMode: { Type: token('no-password-required') } }),
        user(f, 'E', { userName: 'operator-2', authenticationMode: Lazy.any({ produce: () => ({ Type: 'no-password-required' }) }) }),
      ];
      // names that are tokens are not compared (A and Twin, Iam); B is refused for its mode, whatever its name
      expect(problemsOf({ cacheUsers: users }, f)).toEqual([
        "  - CachedApi: cacheUsers 'b': a Valkey user group accepts only users that authenticate with a password or IAM, and this user needs no password. "
        + "Fix: give it authenticationMode { Type: 'password', Passwords: [...] } or { Type: 'iam' }.",
      ]);
      const g = fixture();
      const unnamed = user(g, 'U', { userId: token('u'), authenticationMode: { Type: 'no-password-required' } });
      expect(problemsOf({ cacheUsers: [unnamed] }, g)[0]).toMatch(/^ {2}- CachedApi: cacheUsers 'Stack\/U': a Valkey user group accepts only/);
    });
  });

  describe('maxStaleness', () => {
    test('accepts TTLs that add up to exactly maxStaleness', () => {
      expect(problemsOf({ cdnCacheTtl: Duration.seconds(60), apiCacheTtl: Duration.seconds(240), cacheTtl: Duration.seconds(300) })).toEqual([]);
    });

    test('fails one second past it, naming every layer', () => {
      expect(problemsOf({ cdnCacheTtl: Duration.seconds(61), apiCacheTtl: Duration.seconds(240), cacheTtl: Duration.seconds(300) })).toEqual([
        "  - CachedApi: maxStaleness '10 minutes': the TTLs that can stack up add to 601 s (CloudFront cdnCacheTtl 61 s + API Gateway stage cache "
        + 'apiCacheTtl 240 s + cache-aside (Valkey) cacheTtl 300 s), more than maxStaleness 600 s. Fix: lower one of those TTLs or raise maxStaleness.',
      ]);
    });

    test('counts a missing stage cache as 0 s and fractions of a second', () => {
      expect(problemsOf({ maxStaleness: Duration.seconds(60), cdnCacheTtl: Duration.millis(59_500), cacheTtl: Duration.seconds(1) })).toEqual([
        "  - CachedApi: maxStaleness '1 minute': the TTLs that can stack up add to 60.5 s (CloudFront cdnCacheTtl 59.5 s + API Gateway stage cache "
        + 'apiCacheTtl 0 s + cache-aside (Valkey) cacheTtl 1 s), more than maxStaleness 60 s. Fix: lower one of those TTLs or raise maxStaleness.',
      ]);
      expect(problemsOf({ maxStaleness: Duration.millis(60_500), cdnCacheTtl: Duration.millis(59_500), cacheTtl: Duration.seconds(1) })).toEqual([]);
    });

    test.each<[string, CachedApiProps]>([
      ['cdnCacheTtl', { cdnCacheTtl: Duration.seconds(Lazy.number({ produce: () => 3600 })) }],
      ['apiCacheTtl', { apiCacheTtl: Duration.seconds(Lazy.number({ produce: () => 3600 })) }],
      ['cacheTtl', { cacheTtl: Duration.seconds(Lazy.number({ produce: () => 3600 })) }],
      ['maxStaleness', { maxStaleness: Duration.seconds(Lazy.number({ produce: () => 1 })) }],
    ])('is skipped when %s is a token', (_prop, props) => {
      const overBudget = { cdnCacheTtl: Duration.seconds(600), cacheTtl: Duration.seconds(600), maxStaleness: Duration.seconds(1) };
      expect(problemsOf({ ...overBudget, ...props })).toEqual([]);
    });
  });
});
