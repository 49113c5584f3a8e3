import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ConfigErrors } from '../private/config-errors';
import { NumericRange, checkNumber, isKnownNumber } from '../private/ranges';
import { WebAclScope } from './ip-blocklist';

/*
 * The documented WAF ranges the web ACL passes on, and the rules for its props. Tokens are skipped
 * (WAF checks them at deploy time); where a value must be concrete the message says why.
 */

/**
 * Rate-based rule `Limit`: 10 to 2,000,000,000 requests per evaluation window (AWS WAF API Reference,
 * RateBasedStatement `Limit`; Developer Guide "Rate-based rule high-level settings": the lowest limit is 10).
 */
export const WAF_RATE_LIMIT: NumericRange = { min: 10, max: 2_000_000_000, unit: 'requests per window', source: 'AWS WAF API RateBasedStatement, Limit' };

/**
 * Rate-based rule `EvaluationWindowSec`: 60, 120, 300 or 600 seconds (AWS WAF API Reference,
 * RateBasedStatement `EvaluationWindowSec`; Developer Guide "Rate-based rule high-level settings").
 */
export const WAF_EVALUATION_WINDOWS = [60, 120, 300, 600];

/** Logging configuration `RedactedFields`: at most 100 (AWS WAF API Reference, LoggingConfiguration). */
export const WAF_REDACTED_FIELDS: NumericRange = { min: 0, max: 100, unit: 'fields', source: 'AWS WAF API LoggingConfiguration, RedactedFields' };

/**
 * WAF logs only to destinations whose name starts with this prefix (AWS WAF API Reference,
 * LoggingConfiguration: "The name that you give the destination must start with aws-waf-logs-").
 */
export const WAF_LOGS_PREFIX = 'aws-waf-logs-';

/** The only region a `CLOUDFRONT`-scope web ACL (and its IP sets) can be created in. */
export const CLOUDFRONT_WEB_ACL_REGION = 'us-east-1';

/** What EdgeWebAcl's constructor needs from its props once they are checked. */
export interface CheckedWebAclInputs {
  /** The evaluation window in seconds (a token when the window is one). */
  readonly windowSeconds: number;
}

/** The props of EdgeWebAcl as the check reads them (EdgeWebAclProps, without a circular import). */
interface WebAclInputs {
  readonly rateLimitEnabled?: boolean;
  readonly rateLimit?: number;
  readonly rateLimitWindow?: Duration;
  readonly managedRuleGroups?: string[];
  readonly logGroup?: logs.ILogGroup;
  readonly logRetention?: logs.RetentionDays;
  readonly redactedHeaders?: string[];
  readonly blockedRequestsBaseline?: number;
}

/** Records every problem of an EdgeWebAcl's props in `errors` (the caller throws). */
export function checkEdgeWebAclProps(scope: Construct, errors: ConfigErrors, props: WebAclInputs, webAclScope: WebAclScope,
  paidGroups: Record<string, string>): CheckedWebAclInputs {
  const rateLimitEnabled = props.rateLimitEnabled ?? true;
  const window = props.rateLimitWindow ?? Duration.minutes(5);
  if (rateLimitEnabled) {
    checkNumber(errors, 'rateLimit', props.rateLimit ?? 1000, WAF_RATE_LIMIT, `use ${WAF_RATE_LIMIT.min} or more, or rateLimitEnabled: false for no rate-based rule`);
  }
  let windowSeconds = 300;
  if (window.isUnresolved()) {
    try {
      windowSeconds = window.toSeconds();
    } catch {
      errors.add('rateLimitWindow', window, 'a token Duration can only be passed on to WAF (which counts in seconds) when it is given in seconds',
        'use Duration.seconds(token)');
    }
  } else if (!WAF_EVALUATION_WINDOWS.includes(window.toSeconds({ integral: false }))) {
    errors.add('rateLimitWindow', window, `WAF counts over ${WAF_EVALUATION_WINDOWS.join(', ')} seconds only (AWS WAF API RateBasedStatement, EvaluationWindowSec)`,
      'use Duration.minutes(1), Duration.minutes(2), Duration.minutes(5) or Duration.minutes(10)');
  } else {
    windowSeconds = window.toSeconds();
  }
  if (!rateLimitEnabled) {
    if (props.rateLimit !== undefined) {
      errors.add('rateLimit', props.rateLimit, 'only applies to the rate-based rule, which rateLimitEnabled: false removes', 'remove rateLimit, or rateLimitEnabled: false');
    }
    if (props.rateLimitWindow) {
      errors.add('rateLimitWindow', props.rateLimitWindow, 'only applies to the rate-based rule, which rateLimitEnabled: false removes', 'remove rateLimitWindow, or rateLimitEnabled: false');
    }
  }

  const groups = props.managedRuleGroups;
  if (groups !== undefined && Token.isUnresolved(groups)) {
    errors.add('managedRuleGroups', '(list token)', 'each rule group becomes its own rule of the web ACL, so the list must be known at synth time',
      'pass a literal list (its entries may be tokens)');
  } else if (groups !== undefined) {
    for (const name of groups.filter((n) => !Token.isUnresolved(n))) {
      if (paidGroups[name]) {
        errors.add('managedRuleGroups', name, 'is a paid rule group (subscription and per-request fee) or needs configuration', paidGroups[name]);
      } else if (!/^AWSManagedRules\w+$/.test(name)) {
        errors.add('managedRuleGroups', name, 'is not the name of an AWS managed rule group', 'use a name such as AWSManagedRulesSQLiRuleSet');
      }
    }
    if (new Set(groups).size !== groups.length) {
      errors.add('managedRuleGroups', groups.join(', '), 'lists a rule group twice', 'list each group once');
    }
  }

  const headers = props.redactedHeaders;
  if (headers !== undefined && Token.isUnresolved(headers)) {
    errors.add('redactedHeaders', '(list token)', 'each header becomes its own redacted field of the logging configuration, so the list must be known at synth time',
      'pass a literal list (its entries may be tokens)');
  } else if (headers !== undefined && headers.length > WAF_REDACTED_FIELDS.max) {
    errors.add('redactedHeaders', `${headers.length} headers`, `WAF redacts at most ${WAF_REDACTED_FIELDS.max} fields (${WAF_REDACTED_FIELDS.source})`,
      'redact only the headers that carry credentials or personal data');
  }

  const baseline = props.blockedRequestsBaseline;
  if (isKnownNumber(baseline) && (baseline < 0 || !Number.isInteger(baseline))) {
    errors.add('blockedRequestsBaseline', baseline, 'is a number of requests per 5 minutes', 'use a whole number of 0 or more, e.g. 1000');
  }
  if (props.logGroup && props.logRetention !== undefined) {
    errors.add('logRetention', props.logRetention, 'only applies to a new log group, but logGroup was given', 'remove logRetention');
  }
  if (props.logGroup) {
    checkLogGroup(scope, errors, props.logGroup, webAclScope);
  }
  return { windowSeconds };
}

/**
 * WAF only logs to a log group named `aws-waf-logs-…` in the web ACL's account and region. The name
 * is read where the app knows it: the literal name of an imported log group, or the `logGroupName`
 * a `logs.LogGroup` of this app was created with (its `logGroupName` attribute is a reference token
 * even then). A `logs.LogGroup` without a name gets a generated one, which never has the prefix.
 */
function checkLogGroup(scope: Construct, errors: ConfigErrors, logGroup: logs.ILogGroup, webAclScope: WebAclScope): void {
  let name: string = logGroup.logGroupName;
  if (logGroup instanceof logs.LogGroup) {
    // The physical name is a lazy token that resolves to nothing when the name is left to CloudFormation.
    const cfn = logGroup.node.defaultChild as logs.CfnLogGroup;
    const resolved: unknown = Stack.of(logGroup).resolve(cfn.logGroupName);
    if (resolved === undefined) {
      errors.add('logGroup', logGroup.node.path,
        `was created without logGroupName, so CloudFormation generates a name, which never starts with '${WAF_LOGS_PREFIX}' as WAF requires`,
        `create it with logGroupName: '${WAF_LOGS_PREFIX}<name>', or omit logGroup to have one created`);
      return;
    }
    name = typeof resolved === 'string' ? resolved : cfn.logGroupName ?? name;
  }
  if (Token.isUnresolved(name)) {
    Annotations.of(scope).addWarningV2('cdk-reference-architectures:wafLogGroupNameUnknown',
      `The name of logGroup is unknown at synth time (a token), so its '${WAF_LOGS_PREFIX}' prefix cannot be checked: WAF refuses the logging configuration at deploy time unless the name starts with '${WAF_LOGS_PREFIX}'.`);
  } else if (!name.startsWith(WAF_LOGS_PREFIX)) {
    errors.add('logGroup', name, `WAF only logs to log groups whose name starts with '${WAF_LOGS_PREFIX}'`,
      `use a log group named '${WAF_LOGS_PREFIX}${name.replace(/^\/+/, '')}', or omit logGroup to have one created`);
  }
  const aclRegion = Stack.of(scope).region;
  const logRegion = logGroup.env.region;
  if (!Token.isUnresolved(aclRegion) && !Token.isUnresolved(logRegion) && aclRegion !== logRegion) {
    errors.add('logGroup', Token.isUnresolved(name) ? logGroup.node.path : name, `is in ${logRegion}, but WAF logs only to a log group in the web ACL's region (${aclRegion}${webAclScope === WebAclScope.CLOUDFRONT ? ', us-east-1 for a CLOUDFRONT web ACL' : ''})`,
      `use a log group in ${aclRegion}`);
  }
}
