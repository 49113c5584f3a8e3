import { Annotations, Names, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Options for {@link createEncryptedTopic}. */
export interface EncryptedTopicOptions {
  readonly masterKey: kms.IKey;
  readonly fifo?: boolean;
  readonly contentBasedDeduplication?: boolean;
  readonly topicName?: string;
}

/** A new topic plus its ARN as a string that does not reference the topic resource. */
export interface EncryptedTopic {
  readonly topic: sns.Topic;
  /** Built from the topic's name, so a key policy can name it without a dependency cycle. */
  readonly topicArn: string;
}

/**
 * A TLS-only topic encrypted with `masterKey`, with an explicit name (from the path of `scope`,
 * which must hold only this one topic).
 *
 * Why the explicit name: the same key encrypts the queues the topic delivers to, and its key
 * policy must name this topic (`aws:SourceArn`). With a CloudFormation-generated name the key
 * would reference the topic and the topic the key: a dependency cycle. A name derived from the
 * construct path is unique per account and region and lets the ARN be formatted up front.
 */
export function createEncryptedTopic(scope: Construct, id: string, options: EncryptedTopicOptions): EncryptedTopic {
  const fifo = options.fifo ?? false;
  const topicName = topicNameOf(options.topicName ?? Names.uniqueResourceName(scope, { maxLength: 200 }), fifo);
  const topic = new sns.Topic(scope, id, {
    topicName,
    fifo: fifo ? true : undefined,
    contentBasedDeduplication: fifo ? options.contentBasedDeduplication : undefined,
    masterKey: options.masterKey,
    enforceSSL: true,
  });
  const topicArn = Stack.of(scope).formatArn({ service: 'sns', resource: topicName });
  return { topic, topicArn };
}

/** The name a topic gets: `.fifo` is appended to a FIFO topic's name when missing (not to a token). */
export function topicNameOf(name: string, fifo: boolean): string {
  return fifo && !Token.isUnresolved(name) && !name.endsWith('.fifo') ? `${name}.fifo` : name;
}

/** Options for {@link subscribeWithDeadLetterQueue}. */
export interface DeadLetteredSubscriptionProps extends sns.SubscriptionProps {
  readonly deadLetterQueue: sqs.IQueue;
  /** The topic's ARN for the dead-letter queue's policy (see {@link EncryptedTopic.topicArn}). */
  readonly topicArnForPolicies: string;
  /** ID of the warning when the dead-letter queue's policy cannot be changed. */
  readonly warningId: string;
  /** The construct that warning is reported on. */
  readonly warningScope: Construct;
}

/**
 * An SNS subscription with a dead-letter queue whose queue policy lets only this topic send.
 * Unlike `sns.Subscription`'s own `deadLetterQueue`, the policy names the topic by an ARN that
 * references no resource when the dead-letter queue is in another stack than the topic, so that
 * stack does not depend on the topic's stack while the subscription depends on it.
 */
export function subscribeWithDeadLetterQueue(scope: Construct, id: string, props: DeadLetteredSubscriptionProps): sns.Subscription {
  const { deadLetterQueue, topicArnForPolicies, warningId, warningScope, ...subscriptionProps } = props;
  const subscription = new sns.Subscription(scope, id, subscriptionProps);
  (subscription.node.defaultChild as sns.CfnSubscription).redrivePolicy = { deadLetterTargetArn: deadLetterQueue.queueArn };
  const topicArn = Stack.of(deadLetterQueue) === Stack.of(props.topic) ? props.topic.topicArn : topicArnForPolicies;
  allowTopicToSendTo(warningScope, deadLetterQueue, topicArn, warningId);
  return subscription;
}

/**
 * Lets exactly one topic's SNS send to `queue` (`aws:SourceArn`). For an imported queue the
 * policy cannot be changed from here; a warning says what it needs.
 */
export function allowTopicToSendTo(scope: Construct, queue: sqs.IQueue, topicArn: string, warningId: string): iam.AddToResourcePolicyResult {
  const result = queue.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
    actions: ['sqs:SendMessage'],
    resources: [queue.queueArn],
    conditions: { ArnEquals: { 'aws:SourceArn': topicArn } },
  }));
  if (!result.statementAdded) {
    Annotations.of(scope).addWarningV2(warningId,
      `The queue ${queue.queueName} is imported, so its queue policy cannot be changed here. It must allow sns.amazonaws.com sqs:SendMessage with aws:SourceArn = the topic ARN, or SNS cannot deliver to it.`);
  }
  return result;
}

/**
 * Lets exactly one topic's SNS use `key` (to deliver into a queue encrypted with it), scoped
 * with `aws:SourceArn` and `aws:SourceAccount` so no other topic can use the key through SNS.
 *
 * For an imported key the policy cannot be changed from here; a warning tells the user what
 * statement the key policy needs, because otherwise SNS silently drops the messages.
 */
export function allowTopicToUseKey(scope: Construct, key: kms.IKey, topicArn: string, topicAccount: string, warningId: string): void {
  const result = key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
    actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
    resources: ['*'], // in a key policy, '*' means "this key"
    conditions: {
      ArnEquals: { 'aws:SourceArn': topicArn },
      StringEquals: { 'aws:SourceAccount': topicAccount },
    },
  }));
  if (!result.statementAdded) {
    Annotations.of(scope).addWarningV2(warningId,
      `The key ${key.keyArn} is imported, so its key policy cannot be changed here. It must allow the service principal sns.amazonaws.com kms:GenerateDataKey* and kms:Decrypt with aws:SourceArn = the topic ARN, or SNS silently drops the messages.`);
  }
}
