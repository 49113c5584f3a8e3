import { Duration, Names, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlarmSet } from '../private/alarm-set';
import {
  acknowledgeDeadLetterQueue, acknowledgeTerminalQueue, createDlqDepthAlarm, createQueueKey, createSecureQueue, metricDeadLetterQueueDepth,
} from '../private/secure-queue';
import { inAnotherStack } from '../private/scoped-grant';
import {
  allowTopicToSendTo, allowTopicToUseKey, createEncryptedTopic, subscribeWithDeadLetterQueue,
} from '../private/sns-key-access';
import { SubscriptionFilterOptions } from './subscription-filter';
import { validateFanOutSubscriberOptions, validateFanOutTopicProps } from './validate-fan-out-topic-props';

/** What a FanOutTopic shares with its subscribers, kept off the public API. */
interface FanOutInternals {
  readonly alarmSet: AlarmSet;
  /** The topic's ARN without a reference to the topic resource (for key and queue policies). */
  readonly topicArnForPolicies: string;
  /** Lets the topic's SNS use `key`, once per key. */
  allowTopicToUseKey(key: kms.IKey | undefined): void;
}
const INTERNALS = new WeakMap<FanOutTopic, FanOutInternals>();

/**
 * How one queue subscribes to a {@link FanOutTopic}.
 */
export interface FanOutSubscriberOptions extends SubscriptionFilterOptions {
  /**
   * An existing queue to subscribe. It must be encrypted with a customer-managed KMS key
   * (or SSE-SQS), never the AWS-managed `alias/aws/sqs` key: SNS cannot use that key and
   * silently drops every message.
   *
   * @default - a new queue encrypted with the fan-out's key, with its own dead-letter queue
   */
  readonly queue?: sqs.IQueue;

  /**
   * Deliver the published message as the SQS body, without the SNS JSON envelope.
   * Message attributes are then delivered as SQS message attributes.
   *
   * @default false
   */
  readonly rawMessageDelivery?: boolean;

  /**
   * Receives before a message moves to the queue's dead-letter queue (1-1000).
   * Only for a new queue.
   *
   * @default 5
   */
  readonly maxReceiveCount?: number;

  /**
   * Dead-letter queue for messages consumers fail to process. Must be FIFO exactly when the queue is.
   * Only for a new queue.
   *
   * @default - a new dead-letter queue of the same type, retained for 14 days
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * Visibility timeout of the new queue (0-43,200 seconds). When a Lambda consumes it, use at least
   * six times the function timeout: a {@link QueueWorker} on this queue warns below that and fails
   * below the function timeout.
   *
   * @default Duration.seconds(30)
   */
  readonly visibilityTimeout?: Duration;

  /**
   * Content-based deduplication on a new FIFO queue.
   *
   * @default false
   */
  readonly contentBasedDeduplication?: boolean;

  /**
   * Dead-letter queue of the SNS subscription: messages SNS could not deliver to the queue
   * (queue deleted, key policy wrong) land here instead of being lost.
   * Must be FIFO exactly when the topic is.
   *
   * @default - a new queue encrypted with the fan-out's key
   */
  readonly subscriptionDeadLetterQueue?: sqs.IQueue;
}

/**
 * Properties of a {@link FanOutTopic}.
 */
export interface FanOutTopicProps {
  /**
   * An existing topic to fan out from.
   *
   * @default - a new topic encrypted with `encryptionKey`, TLS-only
   */
  readonly topic?: sns.ITopic;

  /**
   * Create a FIFO topic; new subscriber queues are then FIFO too. Only for a new topic.
   *
   * @default false
   */
  readonly fifo?: boolean;

  /**
   * Content-based deduplication on a new FIFO topic.
   *
   * @default false
   */
  readonly contentBasedDeduplication?: boolean;

  /**
   * Name of a new topic: 1-256 letters, digits, hyphens and underscores (`.fifo` is appended
   * for FIFO topics when missing, and counts toward the 256).
   *
   * @default - a name derived from the construct path, unique per account and region (an explicit
   * name lets the key policy name the topic without a dependency cycle)
   */
  readonly topicName?: string;

  /**
   * Customer-managed key for a new topic and all new queues. Its policy gets a statement letting
   * only this topic's SNS use it (`aws:SourceArn`). With an existing topic, don't pass the
   * topic's own key: the key policy would name the topic that depends on the key (a cycle).
   *
   * @default - a new key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Subscribers to create now, keyed by a construct ID (stable, PascalCase; it names the
   * subscriber's resources). More can be added with {@link FanOutTopic.addSubscriber}.
   *
   * @default - none; at least one must be added before synth
   */
  readonly subscribers?: { [id: string]: FanOutSubscriberOptions };

  /**
   * Actions of every alarm of this construct, including those of subscribers added later
   * (e.g. an `SnsAction` to your on-call topic).
   *
   * @default - no actions; add them with addAlarmActions()
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];

  /**
   * What happens to the queues and the new key when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * One queue subscribed to a {@link FanOutTopic}, with its dead-letter queues and alarms.
 */
export class FanOutSubscriber extends Construct {
  /** The subscribed queue. */
  public readonly queue: sqs.IQueue;
  /** Dead-letter queue of the subscribed queue; undefined for an existing queue. */
  public readonly deadLetterQueue?: sqs.IQueue;
  /** Dead-letter queue of the SNS subscription (undeliverable messages). */
  public readonly subscriptionDeadLetterQueue: sqs.IQueue;
  /** The SNS subscription. */
  public readonly subscription: sns.Subscription;
  /** Alarm on messages in the queue's dead-letter queue; undefined for an existing queue. */
  public readonly deadLetterQueueAlarm?: cloudwatch.Alarm;
  /** Alarm on messages in the subscription's dead-letter queue. */
  public readonly subscriptionDeadLetterQueueAlarm: cloudwatch.Alarm;

  /** @internal */
  constructor(scope: FanOutTopic, id: string, options: FanOutSubscriberOptions) {
    super(scope, id);
    const internals = INTERNALS.get(scope)!;
    const fifo = scope.topic.fifo;
    const removalPolicy = scope.removalPolicy;

    if (options.queue) {
      this.queue = options.queue;
    } else {
      this.deadLetterQueue = options.deadLetterQueue ?? createSecureQueue(this, 'DeadLetterQueue', {
        fifo,
        encryptionKey: scope.encryptionKey,
        removalPolicy,
        retentionPeriod: Duration.days(14),
      });
      this.queue = createSecureQueue(this, 'Queue', {
        fifo,
        contentBasedDeduplication: options.contentBasedDeduplication,
        encryptionKey: scope.encryptionKey,
        removalPolicy,
        visibilityTimeout: options.visibilityTimeout,
        deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: options.maxReceiveCount ?? 5 },
      });
      if (!options.deadLetterQueue) {
        acknowledgeDeadLetterQueue(this.deadLetterQueue, 'the dead-letter queue of a fan-out subscriber queue');
      }
      this.deadLetterQueueAlarm = internals.alarmSet.add(createDlqDepthAlarm(this, 'DeadLetterQueueAlarm', this.deadLetterQueue,
        `FanOutTopic subscriber ${this.node.path} (its consumer failed messages maxReceiveCount times)`));
    }

    this.subscriptionDeadLetterQueue = options.subscriptionDeadLetterQueue ?? createSecureQueue(this, 'SubscriptionDeadLetterQueue', {
      fifo,
      encryptionKey: scope.encryptionKey,
      removalPolicy,
      retentionPeriod: Duration.days(14),
    });
    if (!options.subscriptionDeadLetterQueue) {
      acknowledgeTerminalQueue(this.subscriptionDeadLetterQueue, 'the dead-letter queue of an SNS subscription');
    }
    internals.allowTopicToUseKey(this.subscriptionDeadLetterQueue.encryptionMasterKey);
    this.subscriptionDeadLetterQueueAlarm = internals.alarmSet.add(createDlqDepthAlarm(this, 'SubscriptionDeadLetterQueueAlarm',
      this.subscriptionDeadLetterQueue, `FanOutTopic subscription ${this.node.path} (SNS could not deliver to the queue: check its queue and key policies)`));

    // The key statement is added here rather than left to SqsSubscription, whose equivalent
    // depends on a feature flag of the consuming app.
    internals.allowTopicToUseKey(this.queue.encryptionMasterKey);
    // A queue of another stack gets its subscription in its own stack, as SqsSubscription does,
    // so only the queue's stack references the topic's stack.
    const queueElsewhere = inAnotherStack(this, this.queue);
    this.subscription = subscribeWithDeadLetterQueue(queueElsewhere ? this.queue : this,
      queueElsewhere ? `${Names.nodeUniqueId(this.node)}Subscription` : 'Subscription', {
        topic: scope.topic,
        endpoint: this.queue.queueArn,
        protocol: sns.SubscriptionProtocol.SQS,
        rawMessageDelivery: options.rawMessageDelivery ?? false,
        filterPolicy: options.filterPolicy,
        filterPolicyWithMessageBody: options.filterPolicyWithMessageBody,
        deadLetterQueue: this.subscriptionDeadLetterQueue,
        topicArnForPolicies: internals.topicArnForPolicies,
        warningId: 'cdk-reference-architectures:fanOutImportedQueue',
        warningScope: this,
      });
    allowTopicToSendTo(this, this.queue, scope.topic.topicArn, 'cdk-reference-architectures:fanOutImportedQueue');
    // The queue policy must exist before SNS confirms the subscription, or the first messages are dropped.
    const queuePolicy = this.queue.node.tryFindChild('Policy');
    if (queuePolicy) {
      this.subscription.node.addDependency(queuePolicy);
    }
  }

  /** Messages delivered to the subscribed queue. */
  public metricNumberOfMessagesSent(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricNumberOfMessagesSent(props);
  }

  /** Messages waiting in the subscribed queue. */
  public metricApproximateNumberOfMessagesVisible(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateNumberOfMessagesVisible(props);
  }

  /** Messages in the queue's dead-letter queue. Throws for an existing queue (its dead-letter queue is unknown). */
  public metricDeadLetterQueueDepth(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return metricDeadLetterQueueDepth('FanOutSubscriber', this, this.deadLetterQueue, props);
  }

  /** Messages in the subscription dead-letter queue (SNS could not deliver them to the queue). */
  public metricSubscriptionDeadLetterQueueDepth(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.subscriptionDeadLetterQueue.metricApproximateNumberOfMessagesVisible(props);
  }
}

/**
 * SNS fan-out: one topic (standard or FIFO) delivering to any number of SQS queues, each with
 * its own filter policy, dead-letter queue and subscription dead-letter queue, all encrypted with
 * a customer-managed key whose policy lets only this topic's SNS deliver.
 *
 * @example
 * const fanOut = new FanOutTopic(this, 'Orders', {
 *   subscribers: {
 *     Billing: { filterPolicy: { eventType: sns.SubscriptionFilter.stringFilter({ allowlist: ['order.paid'] }) } },
 *     Audit: { rawMessageDelivery: true },
 *   },
 * });
 * fanOut.grantPublish(producerFunction);
 */
export class FanOutTopic extends Construct {
  /** The topic messages are published to. */
  public readonly topic: sns.ITopic;
  /** Key encrypting the topic (when new) and every queue this construct creates. */
  public readonly encryptionKey: kms.IKey;
  /** Removal policy applied to the queues and the key this construct creates. */
  public readonly removalPolicy: RemovalPolicy;

  private readonly alarmSet: AlarmSet;
  private readonly subscriberMap: { [id: string]: FanOutSubscriber } = {};

  constructor(scope: Construct, id: string, props: FanOutTopicProps = {}) {
    super(scope, id);

    validateFanOutTopicProps(this, props);

    this.removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.alarmSet = new AlarmSet(props.alarmActions);
    this.encryptionKey = props.encryptionKey
      ?? createQueueKey(this, 'Key', `Encrypts the ${this.node.path} fan-out topic and its queues`, this.removalPolicy);

    let topicArnForPolicies: string;
    if (props.topic) {
      this.topic = props.topic;
      topicArnForPolicies = props.topic.topicArn;
    } else {
      const created = createEncryptedTopic(this, 'Resource', {
        masterKey: this.encryptionKey,
        fifo: props.fifo,
        contentBasedDeduplication: props.contentBasedDeduplication,
        topicName: props.topicName,
      });
      this.topic = created.topic;
      topicArnForPolicies = created.topicArn;
    }
    const keysOpenedToTopic = new Set<kms.IKey>();
    INTERNALS.set(this, {
      alarmSet: this.alarmSet,
      topicArnForPolicies,
      allowTopicToUseKey: (key) => {
        if (key && !keysOpenedToTopic.has(key)) {
          keysOpenedToTopic.add(key);
          allowTopicToUseKey(this, key, topicArnForPolicies, this.topic.env.account, 'cdk-reference-architectures:fanOutImportedKey');
        }
      },
    });

    for (const [subscriberId, options] of Object.entries(props.subscribers ?? {})) {
      this.addSubscriber(subscriberId, options);
    }

    this.node.addValidation({
      validate: () => Object.keys(this.subscriberMap).length > 0 ? [] : [
        `FanOutTopic at '${this.node.path}': subscribers is empty: a fan-out topic without subscribers drops every message. ` +
        'Fix: pass subscribers in the props or call addSubscriber(id, options).',
      ],
    });
  }

  /**
   * The subscribers added so far, keyed by their ID as in the `subscribers` prop, in the order
   * they were added (e.g. `fanOut.subscribers.Orders`; in Python `fan_out.subscribers["Orders"]`).
   */
  public get subscribers(): { [id: string]: FanOutSubscriber } {
    return { ...this.subscriberMap };
  }

  /**
   * The subscriber with this ID; throws when there is none.
   *
   * @param id the subscriber's ID, as in the `subscribers` prop or `addSubscriber(id, ...)`
   */
  public subscriber(id: string): FanOutSubscriber {
    const found = this.subscriberMap[id];
    if (!found) {
      const known = Object.keys(this.subscriberMap);
      throw new Error(`FanOutTopic at '${this.node.path}': no subscriber '${id}'; the subscribers are ${known.length ? known.join(', ') : '(none yet)'}. `
        + 'Fix: use one of those IDs, or add the subscriber first with addSubscriber(id, options).');
    }
    return found;
  }

  /**
   * Subscribe one more queue. Every option is checked before anything is created, so a
   * rejected subscriber leaves nothing half-built.
   *
   * @param id construct ID of the subscriber (stable, PascalCase)
   */
  public addSubscriber(id: string, options: FanOutSubscriberOptions = {}): FanOutSubscriber {
    validateFanOutSubscriberOptions(this, this.topic, id, options);

    const subscriber = new FanOutSubscriber(this, id, options);
    this.subscriberMap[id] = subscriber;
    return subscriber;
  }

  /**
   * Every alarm of this construct: per subscriber, dead-letter queue depth (new queues only) and
   * subscription dead-letter queue depth.
   */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.alarmSet.alarms;
  }

  /** Adds actions to every alarm of this construct, including those of subscribers added later. */
  public addAlarmActions(...actions: cloudwatch.IAlarmAction[]): void {
    this.alarmSet.addActions(...actions);
  }

  /** Allow `grantee` to publish to the topic (and use its key). */
  public grantPublish(grantee: iam.IGrantable): iam.Grant {
    return this.topic.grantPublish(grantee);
  }

  /** Any SNS metric of this topic, e.g. `NumberOfMessagesPublished`. */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.topic.metric(metricName, props);
  }

  /** Messages published to the topic. */
  public metricNumberOfMessagesPublished(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.topic.metricNumberOfMessagesPublished(props);
  }

  /** Deliveries SNS failed (after its retries); these go to the subscription dead-letter queues. */
  public metricNumberOfNotificationsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.topic.metricNumberOfNotificationsFailed(props);
  }

  /** Messages dropped by subscribers' filter policies (useful to spot a wrong filter). */
  public metricNumberOfNotificationsFilteredOut(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.topic.metricNumberOfNotificationsFilteredOut(props);
  }
}
