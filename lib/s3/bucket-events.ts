import { Annotations, Aspects, CfnResource, Duration, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { AlarmSet } from '../private/alarm-set';
import { ConfigErrors } from '../private/config-errors';
import { fitLabel, LabelRule } from '../private/labels';
import { bucketNotifications } from '../private/notification-filters';
import { createAccessLogsBucket, createSecureBucket } from '../private/secure-bucket';
import { eventBridgePattern } from './eventbridge-patterns';
import { describeRoute, validateBucketEventsProps, validateRoute } from './validate-bucket-events-props';

/** The kind of a {@link BucketEventTarget}. */
export enum BucketEventTargetKind {
  /** A standard SQS queue (S3 notification). */
  QUEUE = 'queue',
  /** A standard SNS topic (S3 notification). */
  TOPIC = 'topic',
  /** A Lambda function, invoked asynchronously (S3 notification). */
  FUNCTION = 'function',
  /** An EventBridge rule on the bucket's events. */
  EVENT_BRIDGE = 'eventBridge',
}

/** Where a route delivers S3 events. */
export class BucketEventTarget {
  /** S3 sends the event notification to a standard SQS queue (not FIFO; not on the AWS-managed key). */
  public static toQueue(queue: sqs.IQueue): BucketEventTarget {
    return new BucketEventTarget(BucketEventTargetKind.QUEUE, queue);
  }

  /** S3 publishes the event notification to a standard SNS topic (not FIFO). */
  public static toTopic(topic: sns.ITopic): BucketEventTarget {
    return new BucketEventTarget(BucketEventTargetKind.TOPIC, undefined, topic);
  }

  /** S3 invokes a Lambda function asynchronously. */
  public static toFunction(fn: lambda.IFunction): BucketEventTarget {
    return new BucketEventTarget(BucketEventTargetKind.FUNCTION, undefined, undefined, fn);
  }

  /**
   * An EventBridge rule on the bucket's events, with these targets. Turns on EventBridge delivery
   * for the bucket; unlike S3 notifications, EventBridge rules may overlap. The rule matches the
   * events the same route would receive as S3 notifications (`detail-type`, narrowed by
   * `detail.reason` and `detail.deletion-type`).
   */
  public static toEventBridge(targets: events.IRuleTarget[]): BucketEventTarget {
    return new BucketEventTarget(BucketEventTargetKind.EVENT_BRIDGE, undefined, undefined, undefined, targets);
  }

  private constructor(
    /** What kind of target this is. */
    public readonly kind: BucketEventTargetKind,
    /** The queue of a queue target. */
    public readonly queue?: sqs.IQueue,
    /** The topic of a topic target. */
    public readonly topic?: sns.ITopic,
    /** The function of a function target. */
    public readonly fn?: lambda.IFunction,
    /** The rule targets of an EventBridge target. */
    public readonly ruleTargets?: events.IRuleTarget[],
  ) {}
}

/** One routing rule: these event types, optionally filtered by key prefix/suffix, go to this target. */
export interface BucketEventRoute {
  /**
   * Construct ID of what the route creates. Required for EventBridge targets (it names the rule).
   *
   * @default - none (S3 notification routes create no construct of their own)
   */
  readonly id?: string;
  /** The S3 event types, e.g. `s3.EventType.OBJECT_CREATED`. */
  readonly events: s3.EventType[];
  /** Where the events go. */
  readonly target: BucketEventTarget;
  /**
   * Literal key prefix, e.g. `uploads/`. S3 filters are not globs: `*` is a literal character.
   *
   * @default - every key
   */
  readonly prefix?: string;
  /**
   * Literal key suffix, e.g. `.jpg` (not `*.jpg`).
   *
   * @default - every key
   */
  readonly suffix?: string;
}

/** Properties of {@link BucketEvents}. */
export interface BucketEventsProps {
  /**
   * An existing bucket. Its versioning, encryption and policies are left as they are.
   *
   * @default - a new private, TLS-only, encrypted, versioned bucket with access logs, retained
   */
  readonly bucket?: s3.IBucket;

  /**
   * Turn on versioning of the new bucket. S3 can coalesce two concurrent writes to one key of an
   * unversioned bucket into a single event notification; with versioning, every successful write
   * creates a version and gets its own notification.
   *
   * @default true
   */
  readonly versioned?: boolean;

  /**
   * Noncurrent versions of the new (versioned) bucket expire after this long, so overwrites do
   * not keep costing storage: a whole number of days, at least 1 (a token must count days).
   *
   * @default Duration.days(30)
   */
  readonly noncurrentVersionExpiration?: Duration;

  /**
   * Bucket for the new bucket's server access logs.
   *
   * @default - a new private bucket, logs expire after 90 days
   */
  readonly serverAccessLogsBucket?: s3.IBucket;

  /** The routes; more can be added with {@link BucketEvents.addRoute}. @default - none */
  readonly routes?: BucketEventRoute[];

  /**
   * Actions of every alarm of this construct (one per EventBridge route), including routes added
   * later (e.g. an `SnsAction` to your on-call topic).
   *
   * @default - no actions; add them with addAlarmActions()
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];

  /**
   * What happens to the new buckets when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Construct ID of aws-cdk-lib's singleton function that applies bucket notification configurations. */
const NOTIFICATIONS_HANDLER_ID = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

/** `Description` of an EventBridge rule (EventBridge API PutRule: at most 512 characters). */
const RULE_DESCRIPTION: LabelRule = { invalid: /[^\x20-\x7e]/g, maxLength: 512 };

/**
 * S3 event routing: a bucket's events (any type, each route with its own prefix/suffix filter) to
 * SQS, SNS, Lambda or EventBridge, as many routes as wanted, with the configurations S3 would
 * reject at deploy time (overlapping filters, FIFO destinations, glob-like filters) refused at synth.
 *
 * Delivery is usually within seconds but can take a minute or longer; consumers must not assume
 * order, and should be idempotent (S3 delivers at least once).
 *
 * @example
 * new BucketEvents(this, 'Uploads', {
 *   routes: [
 *     { events: [s3.EventType.OBJECT_CREATED], suffix: '.jpg', target: BucketEventTarget.toQueue(queue) },
 *     { events: [s3.EventType.OBJECT_REMOVED], target: BucketEventTarget.toTopic(topic) },
 *   ],
 * });
 */
export class BucketEvents extends Construct {
  /** The bucket whose events are routed. */
  public readonly bucket: s3.IBucket;
  /** The new bucket's access log bucket; undefined for an existing bucket or a given log bucket. */
  public readonly accessLogsBucket?: s3.IBucket;

  private readonly routeList: BucketEventRoute[] = [];
  private readonly rules: Record<string, events.Rule> = {};
  private readonly ruleAlarms: Record<string, cloudwatch.Alarm> = {};
  private readonly alarmSet: AlarmSet;
  private readonly boundReceivers = new Set<sqs.IQueue | sns.ITopic>();

  constructor(scope: Construct, id: string, props: BucketEventsProps = {}) {
    super(scope, id);

    const errors = new ConfigErrors('BucketEvents', this.node.path);
    validateBucketEventsProps(errors, props);
    errors.throwIfAny();
    this.alarmSet = new AlarmSet(props.alarmActions);

    if (props.bucket) {
      this.bucket = props.bucket;
    } else {
      const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
      this.accessLogsBucket = props.serverAccessLogsBucket ? undefined : createAccessLogsBucket(this, 'AccessLogs', removalPolicy);
      this.bucket = createSecureBucket(this, 'Bucket', {
        removalPolicy,
        versioned: props.versioned,
        noncurrentVersionExpiration: props.noncurrentVersionExpiration,
        serverAccessLogsBucket: props.serverAccessLogsBucket ?? this.accessLogsBucket!,
        serverAccessLogsPrefix: 'bucket/',
      });
    }

    for (const route of props.routes ?? []) {
      this.addRoute(route);
    }
  }

  /** The routes added so far. */
  public get routes(): BucketEventRoute[] {
    return [...this.routeList];
  }

  /** The EventBridge rules of EventBridge routes, by route ID. */
  public get eventBridgeRules(): Record<string, events.Rule> {
    return { ...this.rules };
  }

  /**
   * The alarms on failed target invocations of EventBridge routes, by route ID. Queue, topic and
   * function targets have no delivery metric in S3; alarm on the target instead (e.g. a
   * {@link QueueWorker}'s alarms).
   */
  public get eventBridgeRuleAlarms(): Record<string, cloudwatch.Alarm> {
    return { ...this.ruleAlarms };
  }

  /** Every alarm of this construct. */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.alarmSet.alarms;
  }

  /** Adds actions to every alarm of this construct, including alarms of routes added later. */
  public addAlarmActions(...actions: cloudwatch.IAlarmAction[]): void {
    this.alarmSet.addActions(...actions);
  }

  /**
   * Events of an EventBridge route that EventBridge failed to deliver to a target after its retries
   * (`AWS/Events` `FailedInvocations`; EventBridge reports it only when it is not zero).
   */
  public metricFailedInvocations(routeId: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.ruleMetric(routeId, 'FailedInvocations', props);
  }

  /** Events of an EventBridge route that matched its rule (`AWS/Events` `MatchedEvents`). */
  public metricMatchedEvents(routeId: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.ruleMetric(routeId, 'MatchedEvents', props);
  }

  private ruleMetric(routeId: string, metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const rule = this.rules[routeId];
    if (!rule) {
      throw new Error(`BucketEvents at '${this.node.path}': no EventBridge route with id '${routeId}' (EventBridge routes: ${Object.keys(this.rules).join(', ') || 'none'}). Fix: pass the id of a route whose target is BucketEventTarget.toEventBridge(...).`);
    }
    // Rules on the default event bus (where S3 sends its events) report with the RuleName dimension alone.
    return new cloudwatch.Metric({ namespace: 'AWS/Events', metricName, dimensionsMap: { RuleName: rule.ruleName }, statistic: 'Sum', ...props });
  }

  /**
   * Add a route. It is checked against every route added before, and nothing is created when
   * it is rejected.
   */
  public addRoute(route: BucketEventRoute): void {
    const routeErrors = new ConfigErrors('BucketEvents', this.node.path);
    validateRoute(routeErrors, route, {
      childExists: (id) => this.node.tryFindChild(id) !== undefined,
      owner: this,
      earlier: bucketNotifications(this, this.bucket.bucketName),
    });
    routeErrors.throwIfAny();
    this.routeList.push(route);
    const filter: s3.NotificationKeyFilter = { prefix: route.prefix || undefined, suffix: route.suffix || undefined };
    const filters = filter.prefix || filter.suffix ? [filter] : [];
    const target = route.target;

    switch (target.kind) {
      case BucketEventTargetKind.QUEUE:
      case BucketEventTargetKind.TOPIC:
      case BucketEventTargetKind.FUNCTION: {
        const receiver: IConstruct = target.queue ?? target.topic ?? target.fn!;
        const bucket = this.bucketInStackOf(receiver);
        const destination = target.kind === BucketEventTargetKind.FUNCTION
          ? new s3n.LambdaDestination(target.fn!)
          : this.policyDestination(target);
        for (const event of route.events) {
          bucket.addEventNotification(event, destination, ...filters);
        }
        bucketNotifications(this, this.bucket.bucketName).push({ owner: this, filter: { ...route, label: describeRoute(route) } });
        this.acknowledgeNotificationsHandler(Stack.of(bucket));
        break;
      }
      case 'eventBridge':
        this.bucket.enableEventBridgeNotification();
        this.rules[route.id!] = new events.Rule(this, route.id!, {
          description: fitLabel(`${route.events.join(', ')} events of ${this.node.path}`, '', RULE_DESCRIPTION),
          eventPattern: eventBridgePattern(route, this.bucket.bucketName),
          targets: target.ruleTargets,
        });
        // Sum >= 1 in 5 minutes: every failed invocation is an event no target received (after
        // EventBridge's retries for up to 24 hours). Missing data is not breaching: EventBridge
        // sends the metric only when it is not zero.
        this.ruleAlarms[route.id!] = this.alarmSet.add(new cloudwatch.Alarm(this, `${route.id!}FailedInvocationsAlarm`, {
          alarmDescription: `BucketEvents ${this.node.path}: EventBridge failed to deliver ${route.id} events of the bucket to a target. Check the targets' resource policies and keys, and the rule's target dead-letter queue if one is set.`,
          metric: this.metricFailedInvocations(route.id!, { period: Duration.minutes(5) }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }));
        this.acknowledgeNotificationsHandler(Stack.of(this.bucket));
        break;
    }
  }

  /**
   * The bucket as seen from the stack of a notification's receiver. S3 notification glue (the
   * notification configuration, the receiver's resource policy and key statements) goes in the
   * receiver's stack, as `SqsSubscription` puts a subscription in the queue's stack, so references
   * point one way: from the receiver's stack to the bucket's. In another stack, the bucket is
   * referenced by name and ARN, and aws-cdk-lib applies the notifications there with its custom
   * resource in its "unmanaged" mode, which keeps configurations made elsewhere.
   */
  private bucketInStackOf(receiver: IConstruct): s3.IBucket {
    const stack = Stack.of(receiver);
    if (stack === Stack.of(this.bucket)) {
      return this.bucket;
    }
    const id = `BucketEventsBucket${Names.nodeUniqueId(this.bucket.node)}`;
    const existing = stack.node.tryFindChild(id) as s3.IBucket | undefined;
    if (existing) {
      return existing;
    }
    keepNotificationsFromOtherStacks(this.bucket);
    return s3.Bucket.fromBucketAttributes(stack, id, { bucketArn: this.bucket.bucketArn, bucketName: this.bucket.bucketName });
  }

  /**
   * aws-cdk-lib applies bucket notifications with a singleton custom-resource function whose role
   * uses the AWS-managed basic execution policy; that role cannot be replaced from outside.
   */
  private acknowledgeNotificationsHandler(stack: Stack): void {
    const handler = stack.node.tryFindChild(NOTIFICATIONS_HANDLER_ID);
    if (handler) {
      Validations.of(handler).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The role of aws-cdk-lib\'s own bucket-notifications custom resource; the managed policy only lets it write its own logs, and aws-cdk-lib offers no way to replace it.',
      });
    }
  }

  /**
   * A queue or topic destination: a statement in its resource policy lets S3 deliver from this bucket
   * only, and one in its key's policy lets S3 encrypt; the notification waits for the resource policy.
   */
  private policyDestination(target: BucketEventTarget): s3.IBucketNotificationDestination {
    const queue = target.queue;
    const receiver = queue
      ? { resource: queue as sqs.IQueue | sns.ITopic, arn: queue.queueArn, name: queue.queueName, key: queue.encryptionMasterKey,
        action: 'sqs:SendMessage', type: s3.BucketNotificationDestinationType.QUEUE, kind: 'queue' }
      : { resource: target.topic!, arn: target.topic!.topicArn, name: target.topic!.topicName, key: target.topic!.masterKey,
        action: 'sns:Publish', type: s3.BucketNotificationDestinationType.TOPIC, kind: 'topic' };
    return {
      bind: () => {
        if (!this.boundReceivers.has(receiver.resource)) {
          this.boundReceivers.add(receiver.resource);
          const { statementAdded } = receiver.resource.addToResourcePolicy(new iam.PolicyStatement({
            principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
            actions: [receiver.action],
            resources: [receiver.arn],
            conditions: sourceConditions(this.bucket),
          }));
          if (!statementAdded) {
            const id = receiver.kind === 'queue' ? 'bucketEventsImportedQueue' : 'bucketEventsImportedTopic';
            Annotations.of(this).addWarningV2(`cdk-reference-architectures:${id}`,
              `The ${receiver.kind} ${receiver.name} is imported; its policy must allow s3.amazonaws.com ${receiver.action} `
              + 'from this bucket, or S3 cannot deliver.');
          }
          this.allowS3ToUseKey(receiver.key, this.bucket);
        }
        const policy = receiver.resource.node.tryFindChild('Policy');
        return { arn: receiver.arn, type: receiver.type, dependencies: policy ? [policy] : [] };
      },
    };
  }

  /** S3 encrypts what it sends with the destination's key: allow it, for this bucket only. */
  private allowS3ToUseKey(key: kms.IKey | undefined, bucket: s3.IBucket): void {
    if (!key) return;
    const { statementAdded } = key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: ['*'], // in a key policy, '*' means "this key"
      conditions: sourceConditions(bucket),
    }), true);
    if (!statementAdded) {
      Annotations.of(this).addWarningV2('cdk-reference-architectures:bucketEventsImportedKey',
        `The key ${key.keyArn} is imported; its policy must allow s3.amazonaws.com kms:GenerateDataKey* and kms:Decrypt, or S3 cannot deliver.`);
    }
  }
}

function sourceConditions(bucket: s3.IBucket): Record<string, unknown> {
  return {
    ArnEquals: { 'aws:SourceArn': bucket.bucketArn },
    StringEquals: { 'aws:SourceAccount': bucket.env.account },
  };
}

const UNMANAGED_NOTIFICATIONS = Symbol.for('cdk-reference-architectures.unmanagedNotifications');

/**
 * aws-cdk-lib applies the notifications of a bucket created in the same stack in "managed" mode:
 * each update replaces the bucket's whole configuration, which would delete the configurations a
 * receiver's stack added. Switched to "unmanaged" mode (the one aws-cdk-lib uses for imported buckets,
 * and for every bucket with the `@aws-cdk/aws-s3:keepNotificationInImportedBucket` flag), it
 * replaces only its own; the handler then also reads the configuration (s3:GetBucketNotification).
 */
function keepNotificationsFromOtherStacks(bucket: s3.IBucket): void {
  const marked = bucket as unknown as Record<symbol, boolean>;
  if (!(bucket instanceof s3.Bucket) || marked[UNMANAGED_NOTIFICATIONS]) {
    return;
  }
  marked[UNMANAGED_NOTIFICATIONS] = true;
  Aspects.of(bucket).add({
    visit(node: IConstruct): void {
      if (node instanceof CfnResource && node.cfnResourceType === 'Custom::S3BucketNotifications' && node.node.scope?.node.scope === bucket) {
        node.addPropertyOverride('Managed', false);
        const policy = node.node.scope.node.tryFindChild('HandlerPolicy');
        if (policy instanceof iam.Policy) {
          policy.addStatements(new iam.PolicyStatement({ actions: ['s3:GetBucketNotification'], resources: [bucket.bucketArn] }));
        }
      }
    },
  });
}
