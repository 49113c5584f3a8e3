import { Annotations, Names, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
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
  const baseName = options.topicName ?? Names.uniqueResourceName(scope, { maxLength: 200 });
  const topicName = fifo && !Token.isUnresolved(baseName) && !baseName.endsWith('.fifo') ? `${baseName}.fifo` : baseName;
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
