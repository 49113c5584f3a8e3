import { Duration, Resource, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ConfigErrors } from '../private/config-errors';
import { checkTokenUnit } from '../private/duration-units';
import { StaticSiteProps } from './static-site';

/** CloudFront's largest TTL. */
export const MAX_TTL = Duration.days(365);

/** The Region where CloudFront publishes its metrics. */
export const CLOUDFRONT_METRICS_REGION = 'us-east-1';

/** The values of a {@link StaticSite} that the validation needs as the construct resolves them (defaults applied). */
export interface ResolvedStaticSiteValues {
  readonly assetTtl: Duration;
  readonly htmlTtl: Duration;
  readonly rootObject: string;
  readonly assetPathPatterns: string[];
}

/**
 * Throws one error listing every problem of a {@link StaticSite}'s props (tokens are skipped). `scope` is the
 * StaticSite: its path names it in the message, and its stack is the distribution's stack and Region.
 */
export function validateStaticSiteProps(scope: Construct, props: StaticSiteProps, resolved: ResolvedStaticSiteValues): void {
  const errors = new ConfigErrors('StaticSite', scope.node.path);
  const { assetTtl, htmlTtl, rootObject, assetPathPatterns } = resolved;
  const stack = Stack.of(scope);
  const bucketStack = props.bucket && Stack.of(props.bucket);
  if (props.bucket && Resource.isOwnedResource(props.bucket) && bucketStack !== stack) {
    errors.add('bucket', props.bucket.node.path,
      `is defined in stack '${bucketStack!.node.path}' and the distribution in '${stack.node.path}': Origin Access Control needs the bucket's policy to name the distribution, and the distribution names the bucket, so each stack would depend on the other`,
      'create the StaticSite in the bucket\'s stack, or pass the bucket imported into this stack (s3.Bucket.fromBucketName) and add the bucket policy statement for the distribution yourself after deploying (see the README)');
  }
  checkTokenUnit(errors, 'assetTtl', props.assetTtl, 'seconds');
  checkTokenUnit(errors, 'htmlTtl', props.htmlTtl, 'seconds');
  if (Token.isUnresolved(assetPathPatterns)) {
    errors.add('assetPathPatterns', '(token)',
      'each pattern becomes its own CloudFront cache behavior, so the list must be known at synth (its elements may be tokens)',
      'pass an array, e.g. [parameter.valueAsString]');
  }
  if (props.bucket && props.removalPolicy !== undefined) {
    errors.add('removalPolicy', props.removalPolicy, 'only applies to a new bucket, but an existing bucket was given',
      'set the removal policy on your bucket and remove removalPolicy');
  }
  if (rootObject.startsWith('/') || rootObject.trim() === '') {
    errors.add('defaultRootObject', rootObject, 'CloudFront expects an object name without a leading slash', "use e.g. 'index.html'");
  }
  for (const [prop, ttl] of [['assetTtl', assetTtl], ['htmlTtl', htmlTtl]] as const) {
    if (!ttl.isUnresolved() && ttl.toMilliseconds() > MAX_TTL.toMilliseconds()) {
      errors.add(prop, ttl, 'CloudFront caches at most 365 days', 'use Duration.days(365) or less');
    }
  }
  if (!assetTtl.isUnresolved() && !htmlTtl.isUnresolved() && assetTtl.toMilliseconds() < htmlTtl.toMilliseconds()) {
    errors.add('assetTtl', assetTtl, `is shorter than htmlTtl (${htmlTtl.toHumanString()}), but hashed assets never change under one name and HTML does`,
      'raise assetTtl or lower htmlTtl');
  }
  // a token list holds one encoded string, never '*' or blank: only the check above reports it
  for (const pattern of assetPathPatterns) {
    if (pattern === '*' || pattern === '/*' || pattern.trim() === '') {
      errors.add('assetPathPatterns', pattern, 'would give index.html the long asset TTL too', "name the hashed-asset folders, e.g. '/assets/*'");
    }
  }
  if ((props.domainNames?.length ?? 0) > 0 !== (props.certificate !== undefined)) {
    errors.add(props.certificate ? 'certificate' : 'domainNames', props.certificate ? '(certificate)' : props.domainNames!.join(', '),
      'CloudFront needs a certificate exactly when custom domain names are set', 'set both domainNames and certificate, or neither');
  }
  if (props.responseHeadersPolicy && props.contentSecurityPolicy !== undefined) {
    errors.add('contentSecurityPolicy', props.contentSecurityPolicy,
      'only applies to the default response headers policy, but responseHeadersPolicy was given',
      'put the Content-Security-Policy in your policy and remove contentSecurityPolicy');
  }
  const region = stack.region;
  if (props.distributionAlarms === true && !Token.isUnresolved(region) && region !== CLOUDFRONT_METRICS_REGION) {
    errors.add('distributionAlarms', true, `CloudFront publishes its metrics in ${CLOUDFRONT_METRICS_REGION} only, and an alarm in ${region} cannot see them`,
      `deploy the stack to ${CLOUDFRONT_METRICS_REGION}, or remove distributionAlarms and alarm on metric5xxErrorRate() from a stack in ${CLOUDFRONT_METRICS_REGION}`);
  }
  errors.throwIfAny();
}
