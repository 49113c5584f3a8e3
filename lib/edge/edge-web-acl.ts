import { Annotations, ArnFormat, Aws, Duration, Fn, Names, RemovalPolicy, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { AlarmSet } from '../private/alarm-set';
import { ConfigErrors } from '../private/config-errors';
import { WAF_DESCRIPTION, fitLabel } from '../private/labels';
import { BlocklistIpSets, IpBlocklist, WebAclScope } from './ip-blocklist';
import { CLOUDFRONT_WEB_ACL_REGION, WAF_EVALUATION_WINDOWS, WAF_LOGS_PREFIX, checkEdgeWebAclProps } from './validate-edge-web-acl-props';

/** AWS managed rule groups without a charge beyond the rule price: the default set, in priority order. */
const FREE_MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
];

/** AWS managed rule groups with a subscription and per-request fee, or that need configuration. */
const PAID_MANAGED_RULE_GROUPS: Record<string, string> = {
  AWSManagedRulesBotControlRuleSet: 'set botControl: true',
  AWSManagedRulesATPRuleSet: 'it needs a login-page configuration; add it to the web ACL yourself',
  AWSManagedRulesACFPRuleSet: 'it needs a registration-page configuration; add it to the web ACL yourself',
  AWSManagedRulesAntiDDoSRuleSet: 'it needs its own configuration; add it to the web ACL yourself',
};

/** A WAF web ACL as the edge patterns use it. */
export interface IEdgeWebAcl {
  /** ARN of the web ACL (for a distribution's `webAclId` or a web ACL association). */
  readonly webAclArn: string;
  /** Its scope; undefined when it cannot be told (an ARN that is a token). */
  readonly webAclScope?: WebAclScope;
}

/** The rules, logging and alarms of an {@link EdgeWebAcl}: every prop but its scope (see {@link WafProtectedAlbProps}). */
export interface EdgeWebAclOptions {
  /**
   * Clients to block, first of all rules. IPv4 and IPv6 go into separate IP sets.
   *
   * @default - no IP block rule
   */
  readonly blocklist?: IpBlocklist;

  /**
   * AWS managed rule groups (vendor `AWS`), in priority order after the IP block and rate rules.
   * Paid groups are refused here: Bot Control has its own prop. Each group becomes a rule, so the
   * list must be literal (an entry may be a token).
   *
   * @default EdgeWebAcl.FREE_MANAGED_RULE_GROUPS - Amazon IP reputation list, core rule set, known bad inputs
   */
  readonly managedRuleGroups?: string[];

  /**
   * Add the Bot Control rule group (common inspection level), evaluated last. It costs $10 a month
   * plus $1 per million requests inspected on top of the rule price.
   *
   * @default false
   */
  readonly botControl?: boolean;

  /**
   * Add the rate-based rule, which blocks a client IP that sends more than `rateLimit` requests per
   * `rateLimitWindow`. `false` leaves it out; `rateLimit` and `rateLimitWindow` are then refused.
   *
   * @default true
   */
  readonly rateLimitEnabled?: boolean;

  /**
   * Requests per client IP per `rateLimitWindow` above which the client is blocked, from 10 to
   * 2,000,000,000.
   *
   * @default 1000
   */
  readonly rateLimit?: number;

  /**
   * The window the rate-based rule counts over: 60, 120, 300 or 600 seconds. A token must be given
   * in seconds (`Duration.seconds(param.valueAsNumber)`).
   *
   * @default Duration.minutes(5)
   */
  readonly rateLimitWindow?: Duration;

  /**
   * Count instead of block, in every rule and rule group: for rollout, to see in the metrics and logs
   * what would be blocked before enforcing.
   *
   * @default false
   */
  readonly countOnly?: boolean;

  /**
   * Existing log group for the WAF logs, in the web ACL's region; its name must start with
   * `aws-waf-logs-`. A `logs.LogGroup` without `logGroupName` is refused (its generated name lacks
   * the prefix); a name that is a token cannot be checked and gets a warning.
   *
   * @default - a new log group named `aws-waf-logs-<unique>-<end of the stack ID>`, retained
   */
  readonly logGroup?: logs.ILogGroup;

  /**
   * Retention of the new log group. Only for a new log group.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Request headers (lower case) replaced by `REDACTED` in the WAF logs; at most 100. The list must
   * be literal (an entry may be a token).
   *
   * @default ['authorization', 'cookie']
   */
  readonly redactedHeaders?: string[];

  /**
   * What happens to the new log group when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Blocked requests per 5 minutes that are normal for this site; the blocked-requests alarm fires
   * above it. Every public endpoint gets blocked background traffic (scanners, addresses on the IP
   * reputation list, the blocklist's own clients), so the alarm watches for an attack or a rule
   * blocking real users, not for single blocks. Read the usual peak of the dashboard's blocked
   * requests over a week or two and set this above it.
   *
   * @default 1000 - as many as one client stopped by the default rate limit sends in a window
   */
  readonly blockedRequestsBaseline?: number;

  /**
   * Actions of every alarm of this web ACL (e.g. an SNS topic's `SnsAction`).
   *
   * @default - no actions; add them with addAlarmActions()
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}

/** Properties of an {@link EdgeWebAcl}. */
export interface EdgeWebAclProps extends EdgeWebAclOptions {
  /**
   * `REGIONAL` for an ALB (in the ALB's region); `CLOUDFRONT` for a distribution, which must be
   * created in a us-east-1 stack.
   *
   * @default WebAclScope.REGIONAL
   */
  readonly scope?: WebAclScope;
}

/** Most metrics a CloudWatch alarm's metric math may use; the counted-requests alarm sums one per rule. */
const MAX_ALARM_METRICS = 10;

/**
 * A WAF web ACL with secure defaults for the edge patterns: the {@link IpBlocklist} as IP sets, a
 * rate-based rule, the AWS managed rule groups that cost nothing extra, optional Bot Control,
 * CloudWatch metrics and sampled requests for every rule, logging to an `aws-waf-logs-` log group
 * with credentials redacted, and a count-only mode for rollout.
 *
 * A `CLOUDFRONT`-scope ACL outside us-east-1 is a synth-time error (it otherwise fails at deploy).
 *
 * @example
 * const acl = new EdgeWebAcl(usEast1Stack, 'WebAcl', { scope: WebAclScope.CLOUDFRONT, blocklist });
 */
export class EdgeWebAcl extends Construct implements IEdgeWebAcl {
  /** The only region a `CLOUDFRONT`-scope web ACL (and its IP sets) can be created in. */
  public static readonly CLOUDFRONT_SCOPE_REGION: string = CLOUDFRONT_WEB_ACL_REGION;

  /** WAF requires the name of a web ACL's log group to start with this prefix. */
  public static readonly LOG_GROUP_NAME_PREFIX: string = WAF_LOGS_PREFIX;

  /** Evaluation windows WAF accepts for a rate-based rule (`rateLimitWindow`), in seconds. */
  public static readonly RATE_LIMIT_WINDOWS: number[] = [...WAF_EVALUATION_WINDOWS];

  /**
   * AWS managed rule groups without a charge beyond the rule price, in priority order: the default of
   * `managedRuleGroups`.
   */
  public static readonly FREE_MANAGED_RULE_GROUPS: string[] = [...FREE_MANAGED_RULE_GROUPS];

  /**
   * An existing web ACL by ARN. Its scope is read from the ARN (`global/webacl` is CLOUDFRONT,
   * `regional/webacl` is REGIONAL) when the ARN is not a token.
   */
  public static fromWebAclArn(webAclArn: string): IEdgeWebAcl {
    let webAclScope: WebAclScope | undefined;
    if (!Token.isUnresolved(webAclArn)) {
      if (/:global\/webacl\//.test(webAclArn)) webAclScope = WebAclScope.CLOUDFRONT;
      else if (/:regional\/webacl\//.test(webAclArn)) webAclScope = WebAclScope.REGIONAL;
    }
    return { webAclArn, webAclScope };
  }

  /** The web ACL. */
  public readonly webAcl: wafv2.CfnWebACL;
  /** Its ARN. */
  public readonly webAclArn: string;
  /** Its name, also the `WebACL` dimension of its metrics. */
  public readonly webAclName: string;
  /** Its scope (always set on a web ACL created here; optional as in {@link IEdgeWebAcl}). */
  public readonly webAclScope?: WebAclScope;
  /** The IP sets of the blocklist (one per address family with entries). */
  public readonly ipSets: BlocklistIpSets;
  /** The log group receiving the WAF logs. */
  public readonly logGroup: logs.ILogGroup;
  /** The logging configuration of the web ACL. */
  public readonly loggingConfiguration: wafv2.CfnLoggingConfiguration;
  /** Whether rules only count. */
  public readonly countOnly: boolean;
  /** Names of the rules, in priority order (also their metric names). */
  public readonly ruleNames: string[] = [];
  /** Alarm: blocked requests above `blockedRequestsBaseline` in 5 minutes. */
  public readonly blockedRequestsAlarm: cloudwatch.Alarm;
  /** Alarm: any rule counted a request (count-only mode); undefined unless `countOnly`. */
  public readonly countedRequestsAlarm?: cloudwatch.Alarm;
  /** The blocked-requests baseline the alarm compares with. */
  public readonly blockedRequestsBaseline: number;
  private readonly alarmSet: AlarmSet;

  constructor(scope: Construct, id: string, props: EdgeWebAclProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const aclScope = props.scope ?? WebAclScope.REGIONAL;
    this.webAclScope = aclScope;
    this.countOnly = props.countOnly ?? false;
    const managedGroups = props.managedRuleGroups ?? FREE_MANAGED_RULE_GROUPS;
    this.blockedRequestsBaseline = props.blockedRequestsBaseline ?? 1000;

    const errors = new ConfigErrors('EdgeWebAcl', this.node.path);
    if (aclScope === WebAclScope.CLOUDFRONT && !Token.isUnresolved(stack.region) && stack.region !== CLOUDFRONT_WEB_ACL_REGION) {
      errors.add('scope', 'CLOUDFRONT', `a CLOUDFRONT-scope web ACL and its IP sets can only be created in us-east-1, but this stack is in ${stack.region}`,
        'create it in a stack with env: { region: \'us-east-1\' } and crossRegionReferences: true, and pass it to the distribution (see CloudFrontWafAlbStack)');
    }
    const { windowSeconds } = checkEdgeWebAclProps(this, errors, props, aclScope, PAID_MANAGED_RULE_GROUPS);
    errors.throwIfAny();

    if (aclScope === WebAclScope.CLOUDFRONT && Token.isUnresolved(stack.region)) {
      Annotations.of(this).addWarningV2('cdk-reference-architectures:webAclRegionUnknown',
        'A CLOUDFRONT-scope web ACL is in an environment-agnostic stack: the deploy fails unless that stack is deployed to us-east-1. Give the stack env: { region: \'us-east-1\' }.');
    }

    this.webAclName = Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    this.ipSets = props.blocklist ? props.blocklist.createWafIpSets(this, 'Blocklist', aclScope) : {};

    const rules: wafv2.CfnWebACL.RuleProperty[] = [];
    const action = this.countOnly ? { count: {} } : { block: {} };
    const overrideAction = this.countOnly ? { count: {} } : { none: {} };
    const addRule = (name: string, rule: Omit<wafv2.CfnWebACL.RuleProperty, 'name' | 'priority' | 'visibilityConfig'>) => {
      this.ruleNames.push(name);
      rules.push({ name, priority: rules.length, visibilityConfig: this.visibility(name), ...rule });
    };
    for (const [family, set] of [['Ipv4', this.ipSets.ipv4], ['Ipv6', this.ipSets.ipv6]] as const) {
      if (set) {
        addRule(`BlockedIps${family}`, { action, statement: { ipSetReferenceStatement: { arn: set.attrArn } } });
      }
    }
    if (managedGroups.includes('AWSManagedRulesAmazonIpReputationList')) {
      addRule('AWSManagedRulesAmazonIpReputationList', { overrideAction, statement: managed('AWSManagedRulesAmazonIpReputationList') });
    }
    if (props.rateLimitEnabled ?? true) {
      addRule('RateLimitPerIp', {
        action,
        statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: props.rateLimit ?? 1000, evaluationWindowSec: windowSeconds } },
      });
    }
    for (const name of managedGroups.filter((n) => n !== 'AWSManagedRulesAmazonIpReputationList')) {
      addRule(name, { overrideAction, statement: managed(name) });
    }
    if (props.botControl) {
      addRule('AWSManagedRulesBotControlRuleSet', {
        overrideAction,
        statement: {
          managedRuleGroupStatement: {
            vendorName: 'AWS',
            name: 'AWSManagedRulesBotControlRuleSet',
            managedRuleGroupConfigs: [{ awsManagedRulesBotControlRuleSet: { inspectionLevel: 'COMMON' } }],
          },
        },
      });
    }

    this.webAcl = new wafv2.CfnWebACL(this, 'Resource', {
      name: this.webAclName,
      scope: aclScope,
      description: fitLabel(`${this.countOnly ? 'COUNT-ONLY ' : ''}web ACL of ${this.node.path}`, '', WAF_DESCRIPTION),
      defaultAction: { allow: {} },
      visibilityConfig: this.visibility(this.webAclName),
      rules,
    });
    this.webAclArn = this.webAcl.attrArn;

    // The log group is retained, so a fixed name would make the next deploy after `cdk destroy`
    // fail with "already exists": the name ends in a part of the stack ID, new with each stack.
    const stackIdSuffix = Fn.select(4, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID))));
    this.logGroup = props.logGroup ?? new logs.LogGroup(this, 'Logs', {
      logGroupName: `${WAF_LOGS_PREFIX}${Names.uniqueResourceName(this, { maxLength: 512 - WAF_LOGS_PREFIX.length - 13, separator: '-' })}-${stackIdSuffix}`,
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.loggingConfiguration = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group ARN without the ':*' suffix that the LogGroup's Arn attribute has.
      logDestinationConfigs: [stack.formatArn({
        service: 'logs', resource: 'log-group', resourceName: this.logGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        // An imported log group's own account (the check above refuses another region).
        account: this.logGroup.env.account,
      })],
      redactedFields: (props.redactedHeaders ?? ['authorization', 'cookie']).map((name) => ({ singleHeader: { Name: name } })),
    });

    this.alarmSet = new AlarmSet(props.alarmActions);
    this.blockedRequestsAlarm = this.alarmSet.add(new cloudwatch.Alarm(this, 'BlockedRequestsAlarm', {
      // Sum over 5 minutes (the rate-limit window) above the baseline of normal background blocks.
      metric: this.metricBlockedRequests(),
      threshold: this.blockedRequestsBaseline,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // WAF publishes BlockedRequests only when it blocks: no data is no blocks.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `Web ACL ${this.webAclName} (${this.node.path}) blocked more than ${Tokenization.stringifyNumber(this.blockedRequestsBaseline)} requests in 5 minutes: an attack, or a rule blocking real users. Look at the per-rule BlockedRequests on the dashboard and the WAF logs in ${WAF_LOGS_PREFIX}… (terminatingRuleId, clientIp); raise blockedRequestsBaseline if this is the new normal.`,
    }));
    if (this.countOnly) {
      this.countedRequestsAlarm = this.alarmSet.add(new cloudwatch.Alarm(this, 'CountedRequestsAlarm', {
        // Any counted request in 5 minutes: in count-only mode each one would have been blocked.
        metric: this.metricCountedRequestsOfRules(),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // WAF publishes CountedRequests only when a rule matches: no data is no match.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `Web ACL ${this.webAclName} (${this.node.path}) is in count-only mode and a rule matched: these requests would be blocked once countOnly is off. Look at the per-rule CountedRequests on the dashboard and the WAF logs (nonTerminatingMatchingRules) to tell attacks from false positives before enforcing.`,
      }));
    }
  }

  /** Every alarm of this web ACL. */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.alarmSet.alarms;
  }

  /** Adds actions to every alarm of this web ACL, present and future. */
  public addAlarmActions(...actions: cloudwatch.IAlarmAction[]): void {
    this.alarmSet.addActions(...actions);
  }

  /**
   * Associates this REGIONAL web ACL with a resource (an ALB, API Gateway stage, …). A CLOUDFRONT
   * web ACL is attached through the distribution's `webAclId` instead.
   */
  public associate(id: string, resourceArn: string): wafv2.CfnWebACLAssociation {
    if (this.webAclScope !== WebAclScope.REGIONAL) {
      throw new Error(`EdgeWebAcl at '${this.node.path}': associate() is for REGIONAL web ACLs; a CLOUDFRONT web ACL is attached with the distribution's webAclId. Fix: pass this web ACL to the distribution (CloudFrontWafAlb webAcl).`);
    }
    return new wafv2.CfnWebACLAssociation(this, id, { resourceArn, webAclArn: this.webAclArn });
  }

  /**
   * A WAF metric of this web ACL (`BlockedRequests`, `AllowedRequests`, `CountedRequests`, …) for one
   * rule, or for all rules with the default `rule: 'ALL'`.
   */
  public metric(metricName: string, rule = 'ALL', props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const regional = this.webAclScope === WebAclScope.REGIONAL;
    return new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName,
      dimensionsMap: regional
        ? { WebACL: this.webAclName, Rule: rule, Region: Stack.of(this).region }
        : { WebACL: this.webAclName, Rule: rule },
      statistic: 'Sum',
      period: Duration.minutes(5),
      // CLOUDFRONT-scope metrics exist in us-east-1 only; a dashboard elsewhere must ask there.
      ...(regional ? {} : { region: CLOUDFRONT_WEB_ACL_REGION }),
      ...props,
    });
  }

  /** Requests the web ACL let through (default action or an allow rule). */
  public metricAllowedRequests(rule = 'ALL', props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('AllowedRequests', rule, props);
  }

  /** Requests blocked by the web ACL (or by one rule). */
  public metricBlockedRequests(rule = 'ALL', props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('BlockedRequests', rule, props);
  }

  /** Requests counted (the would-be blocks of count-only mode). */
  public metricCountedRequests(rule = 'ALL', props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('CountedRequests', rule, props);
  }

  /**
   * Requests counted by any rule, as the sum of each rule's `CountedRequests` (WAF publishes a
   * rule's counted matches under the rule's metric name). With more rules than an alarm's metric
   * math takes, the web ACL's `ALL` metric instead.
   */
  public metricCountedRequestsOfRules(props?: cloudwatch.MathExpressionOptions): cloudwatch.IMetric {
    if (this.ruleNames.length === 0 || this.ruleNames.length > MAX_ALARM_METRICS) {
      return this.metricCountedRequests('ALL', props);
    }
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    this.ruleNames.forEach((rule, i) => { usingMetrics[`r${i}`] = this.metricCountedRequests(rule); });
    return new cloudwatch.MathExpression({
      expression: `SUM([${Object.keys(usingMetrics).join(', ')}])`,
      usingMetrics,
      label: 'Requests counted by any rule',
      period: Duration.minutes(5),
      ...props,
    });
  }

  private visibility(metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty {
    return { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName };
  }
}

function managed(name: string): wafv2.CfnWebACL.StatementProperty {
  return { managedRuleGroupStatement: { vendorName: 'AWS', name } };
}
