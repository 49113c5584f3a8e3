import { ArnFormat, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** The alarm topic of an example stack and the action that publishes to it. */
export interface ExampleAlarmTopic {
  /** Encrypted SNS topic every alarm of the stack publishes to. */
  readonly topic: sns.Topic;
  /** The alarm action to pass as `alarmActions`. */
  readonly action: cloudwatch.IAlarmAction;
}

/**
 * One alarm topic per example stack: encrypted with a customer-managed key whose policy lets only
 * this stack's CloudWatch alarms (`cloudwatch.amazonaws.com`, scoped by `aws:SourceArn` to alarm names
 * starting with the stack name, and `aws:SourceAccount`) publish, TLS only, with an e-mail subscription when context `alarmEmail` is
 * set (`-c alarmEmail=ops@example.com`; SNS asks the address to confirm).
 */
export function createAlarmTopic(scope: Construct): ExampleAlarmTopic {
  const stack = Stack.of(scope);
  const key = new kms.Key(scope, 'AlarmTopicKey', {
    description: `Encrypts the alarm topic of ${stack.stackName}`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  // CloudFormation names alarms `<stack name>-<logical ID>-<suffix>`: this stack's alarms only
  const alarmArns = stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `${stack.stackName}-*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  const fromAlarms = { ArnLike: { 'aws:SourceArn': alarmArns }, StringEquals: { 'aws:SourceAccount': stack.account } };
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsOfThisAccount',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: fromAlarms,
  }));
  const topic = new sns.Topic(scope, 'AlarmTopic', {
    // SNS display names hold at most 100 characters
    displayName: `Alarms of ${stack.stackName}`.slice(0, 100),
    masterKey: key,
    enforceSSL: true,
  });
  topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsOfThisAccount',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: fromAlarms,
  }));
  const email: unknown = scope.node.tryGetContext('alarmEmail');
  if (email !== undefined) {
    if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      throw new Error(`Context alarmEmail '${String(email)}' is not an e-mail address. Fix: cdk deploy -c alarmEmail=you@example.com, or leave it unset and subscribe to the alarm topic yourself.`);
    }
    topic.addSubscription(new subscriptions.EmailSubscription(email));
  }
  return { topic, action: new cwActions.SnsAction(topic) };
}

/**
 * An example stack whose alarms all publish to one alarm topic ({@link createAlarmTopic}), created
 * before anything else so that every construct can take {@link alarmActions}.
 */
export abstract class AlarmTopicStack extends Stack {
  /** The stack's alarm topic. */
  public readonly alarmTopic: sns.ITopic;
  /** The action publishing to {@link alarmTopic}: the `alarmActions` of the stack's constructs. */
  protected readonly alarmActions: cloudwatch.IAlarmAction[];

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const { topic, action } = createAlarmTopic(this);
    this.alarmTopic = topic;
    this.alarmActions = [action];
  }
}
