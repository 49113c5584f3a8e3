import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlarmSet } from '../private/alarm-set';
import { createHandlerAlarms } from '../private/handler-alarms';
import { inAnotherStack, ScopedPolicyGrantee } from '../private/scoped-grant';
import {
  acknowledgeTerminalQueue, createDlqDepthAlarm, createQueueKey, createSecureQueue,
} from '../private/secure-queue';
import { allowTopicToUseKey, createEncryptedTopic, subscribeWithDeadLetterQueue } from '../private/sns-key-access';
import { SubscriptionFilterOptions } from './subscription-filter';
import { validateTopicSubscriberProps } from './validate-topic-subscriber-props';

/**
 * Properties of a {@link TopicSubscriber}.
 */
export interface TopicSubscriberProps extends SubscriptionFilterOptions {
  /**
   * The function SNS invokes (asynchronously) for every message. When it is in another stack, the
   * asynchronous invocation config and the grant on the on-failure queue are made in this
   * construct's stack, so only this stack references the function's stack. An imported function
   * without its role gets no grant (a warning says what to grant).
   */
  readonly handler: lambda.IFunction;

  /**
   * The topic to subscribe to. Must be a standard topic: SNS FIFO topics deliver only to SQS.
   *
   * @default - a new standard topic encrypted with `encryptionKey`, TLS-only
   */
  readonly topic?: sns.ITopic;

  /**
   * Customer-managed key for the new topic and queues. With an existing topic, don't pass the
   * topic's own key (its policy would name the topic that depends on it: a cycle).
   *
   * @default - a new key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How many times Lambda retries a failed asynchronous invocation (0-2).
   *
   * @default 2
   */
  readonly retryAttempts?: number;

  /**
   * How long Lambda keeps an event for retries (60 seconds to 6 hours).
   *
   * @default Duration.hours(6)
   */
  readonly maxEventAge?: Duration;

  /**
   * Where events go after the function failed every retry (on-failure destination).
   *
   * @default - a new queue encrypted with `encryptionKey`, retaining events for 14 days
   */
  readonly onFailureQueue?: sqs.IQueue;

  /**
   * Dead-letter queue of the SNS subscription: messages SNS could not hand to Lambda at all
   * (function deleted, permission missing). Must be a standard queue.
   *
   * @default - a new queue encrypted with `encryptionKey`
   */
  readonly subscriptionDeadLetterQueue?: sqs.IQueue;

  /**
   * Create the errors and throttles alarms on `handler`. Turn them off when the function already has
   * such alarms, e.g. because it subscribes to several topics.
   *
   * @default true
   */
  readonly handlerAlarms?: boolean;

  /**
   * Actions of every alarm of this construct (e.g. an `SnsAction` to your on-call topic).
   *
   * @default - no actions; add them with addAlarmActions()
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];

  /**
   * What happens to the new queues and key when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * SNS to Lambda with nothing lost: a function subscribed to a topic and invoked asynchronously,
 * with retry attempts, a maximum event age and an on-failure SQS destination for events that
 * failed every retry, plus a subscription dead-letter queue for messages SNS could not deliver.
 *
 * @example
 * new TopicSubscriber(this, 'Notify', { topic: fanOut.topic, handler: notifyFunction });
 */
export class TopicSubscriber extends Construct {
  /** The topic subscribed to. */
  public readonly topic: sns.ITopic;
  /** The subscribed function. */
  public readonly handler: lambda.IFunction;
  /** Key of the new topic and queues. */
  public readonly encryptionKey: kms.IKey;
  /** The SNS subscription. */
  public readonly subscription: sns.Subscription;
  /** Receives events that failed every retry. */
  public readonly onFailureQueue: sqs.IQueue;
  /** Receives messages SNS could not deliver to the function. */
  public readonly subscriptionDeadLetterQueue: sqs.IQueue;
  /** Alarm on any event in the on-failure queue. */
  public readonly onFailureQueueAlarm: cloudwatch.Alarm;
  /** Alarm on any message in the subscription dead-letter queue. */
  public readonly subscriptionDeadLetterQueueAlarm: cloudwatch.Alarm;
  /** Alarm on invocation errors of the handler (each retry counts); undefined with `handlerAlarms: false`. */
  public readonly handlerErrorsAlarm?: cloudwatch.Alarm;
  /** Alarm on throttles of the handler; undefined with `handlerAlarms: false`. */
  public readonly handlerThrottlesAlarm?: cloudwatch.Alarm;

  private readonly alarmSet: AlarmSet;

  constructor(scope: Construct, id: string, props: TopicSubscriberProps) {
    super(scope, id);
    validateTopicSubscriberProps(this, props);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.handler = props.handler;
    this.alarmSet = new AlarmSet(props.alarmActions);
    this.encryptionKey = props.encryptionKey
      ?? createQueueKey(this, 'Key', `Encrypts the ${this.node.path} topic and queues`, removalPolicy);
    let topicArnForKeyPolicy: string;
    if (props.topic) {
      this.topic = props.topic;
      topicArnForKeyPolicy = props.topic.topicArn;
    } else {
      const created = createEncryptedTopic(this, 'Topic', { masterKey: this.encryptionKey });
      this.topic = created.topic;
      topicArnForKeyPolicy = created.topicArn;
    }

    this.onFailureQueue = props.onFailureQueue ?? createSecureQueue(this, 'OnFailureQueue', {
      fifo: false,
      encryptionKey: this.encryptionKey,
      removalPolicy,
      retentionPeriod: Duration.days(14),
    });
    this.subscriptionDeadLetterQueue = props.subscriptionDeadLetterQueue ?? createSecureQueue(this, 'SubscriptionDeadLetterQueue', {
      fifo: false,
      encryptionKey: this.encryptionKey,
      removalPolicy,
      retentionPeriod: Duration.days(14),
    });
    if (!props.onFailureQueue) {
      acknowledgeTerminalQueue(this.onFailureQueue, 'the on-failure destination of asynchronous invocations');
    }
    if (!props.subscriptionDeadLetterQueue) {
      acknowledgeTerminalQueue(this.subscriptionDeadLetterQueue, 'the dead-letter queue of an SNS subscription');
    }
    if (this.subscriptionDeadLetterQueue.encryptionMasterKey) {
      allowTopicToUseKey(this, this.subscriptionDeadLetterQueue.encryptionMasterKey, topicArnForKeyPolicy,
        this.topic.env.account, 'cdk-reference-architectures:topicSubscriberImportedKey');
    }

    const role = this.handler.role;
    const handlerElsewhere = inAnotherStack(this, this.handler);
    const asyncInvoke = {
      retryAttempts: props.retryAttempts ?? 2,
      maxEventAge: props.maxEventAge ?? Duration.hours(6),
    };
    if (!handlerElsewhere && role) {
      this.handler.configureAsyncInvoke({ ...asyncInvoke, onFailure: new SqsDestination(this.onFailureQueue) });
    } else {
      // SqsDestination would grant in the role's default policy (the function's stack) or, for a
      // function imported without its role, fail: the destination is named here and granted apart.
      const onFailure: lambda.IDestination = { bind: () => ({ destination: this.onFailureQueue.queueArn }) };
      let grantPolicy: Construct | undefined;
      if (role) {
        const grantee = new ScopedPolicyGrantee(this, 'HandlerPolicy', role);
        this.onFailureQueue.grantSendMessages(grantee);
        grantPolicy = grantee.policy;
      } else {
        Annotations.of(this).addWarningV2('cdk-reference-architectures:topicSubscriberImportedFunction',
          `The handler ${this.handler.node.path} was imported without its role, so it could not be granted sqs:SendMessage on the on-failure queue ${this.onFailureQueue.node.path} (and kms:GenerateDataKey and kms:Decrypt on its key); grant them to the function's role yourself, or events that fail every retry are lost.`);
      }
      const config = handlerElsewhere
        ? new lambda.EventInvokeConfig(this, 'EventInvokeConfig', { function: this.handler, onFailure, ...asyncInvoke })
        : this.handler.configureAsyncInvoke({ ...asyncInvoke, onFailure });
      if (grantPolicy && config) {
        config.node.addDependency(grantPolicy);
      }
    }
    // Created here rather than with LambdaSubscription, which names the subscription after the
    // topic's construct ID inside the function's scope and collides with the function's children.
    const permission = new lambda.CfnPermission(this, 'InvokePermission', {
      action: 'lambda:InvokeFunction',
      functionName: this.handler.functionArn,
      principal: 'sns.amazonaws.com',
      sourceArn: this.topic.topicArn,
    });
    this.subscription = subscribeWithDeadLetterQueue(this, 'Subscription', {
      topic: this.topic,
      protocol: sns.SubscriptionProtocol.LAMBDA,
      endpoint: this.handler.functionArn,
      filterPolicy: props.filterPolicy,
      filterPolicyWithMessageBody: props.filterPolicyWithMessageBody,
      deadLetterQueue: this.subscriptionDeadLetterQueue,
      topicArnForPolicies: topicArnForKeyPolicy,
      warningId: 'cdk-reference-architectures:topicSubscriberImportedQueue',
      warningScope: this,
    });
    this.subscription.node.addDependency(permission);

    this.onFailureQueueAlarm = this.alarmSet.add(createDlqDepthAlarm(this, 'OnFailureQueueAlarm', this.onFailureQueue,
      `TopicSubscriber ${this.node.path} (events that failed every retry)`));
    this.subscriptionDeadLetterQueueAlarm = this.alarmSet.add(createDlqDepthAlarm(this, 'SubscriptionDeadLetterQueueAlarm',
      this.subscriptionDeadLetterQueue, `TopicSubscriber ${this.node.path} (SNS could not invoke the function)`));
    if (props.handlerAlarms ?? true) {
      const handlerAlarms = createHandlerAlarms(this, this.handler, `TopicSubscriber ${this.node.path}`);
      this.handlerErrorsAlarm = this.alarmSet.add(handlerAlarms.errors);
      this.handlerThrottlesAlarm = this.alarmSet.add(handlerAlarms.throttles);
    }
  }

  /** Every alarm of this construct. */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.alarmSet.alarms;
  }

  /** Adds actions to every alarm of this construct, including alarms created later. */
  public addAlarmActions(...actions: cloudwatch.IAlarmAction[]): void {
    this.alarmSet.addActions(...actions);
  }

  /** Events in the on-failure queue. */
  public metricOnFailureQueueDepth(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.onFailureQueue.metricApproximateNumberOfMessagesVisible(props);
  }

  /** Messages in the subscription dead-letter queue (SNS could not invoke the function). */
  public metricSubscriptionDeadLetterQueueDepth(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.subscriptionDeadLetterQueue.metricApproximateNumberOfMessagesVisible(props);
  }

  /** Invocations of the subscribed function (each retry counts). */
  public metricHandlerInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handler.metricInvocations(props);
  }

  /** Errors of the subscribed function (each retry counts). */
  public metricHandlerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handler.metricErrors(props);
  }

  /** Throttled invocations of the subscribed function (Lambda retries them for up to `maxEventAge`). */
  public metricHandlerThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handler.metricThrottles(props);
  }

  /** Duration of the subscribed function's invocations. */
  public metricHandlerDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handler.metricDuration(props);
  }
}
