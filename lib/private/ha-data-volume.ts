import { createHash } from 'crypto';
import { ArnFormat, Duration, RemovalPolicy, Size, Stack, Token, Tokenization, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dlm from 'aws-cdk-lib/aws-dlm';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { HaDataVolumeOptions } from '../ha/ha-instance-props';
import { HA_GROUP_TAG_KEY } from './ha-group';
import { FUNCTION_DESCRIPTION, describePath, pathLabel } from './labels';
import { createHandlerFunction } from './node-function';
import { acknowledgeTerminalQueue, createDlqDepthAlarm, createQueueKey, createSecureQueue } from './secure-queue';

/** Size of a new data volume when `dataVolume.size` is not given. */
export const DEFAULT_DATA_VOLUME_SIZE = Size.gibibytes(10);

/** Heartbeat timeout of the data volume's lifecycle hooks when `lifecycleHookHeartbeat` is not given. */
export const DEFAULT_LIFECYCLE_HOOK_HEARTBEAT = Duration.minutes(15);

/** EventBridge rule descriptions: up to 512 characters. */
const RULE_DESCRIPTION_LENGTH = 512;

/** IAM role descriptions: up to 1000 characters. */
const ROLE_DESCRIPTION_LENGTH = 1000;

/** A number as an environment variable (a token stays a token). */
const num = (value: number) => Tokenization.stringifyNumber(value);

/** What {@link createDataVolumeHandling} needs from `HaInstance`. */
export interface DataVolumeHandlingProps {
  readonly options: HaDataVolumeOptions;
  /** Heartbeat timeout of the lifecycle hooks. */
  readonly heartbeat: Duration;
  /** The group the hooks are added to; it starts only once the handler and its rule exist. */
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
}

/** The resources moving the data volume, as `HaInstance` exposes them. */
export interface DataVolumeHandling {
  readonly handler: lambda.IFunction;
  readonly deadLetterQueue: sqs.IQueue;
  readonly deadLetterAlarm: cloudwatch.Alarm;
  readonly handlerErrorsAlarm: cloudwatch.Alarm;
  readonly snapshotPolicy: dlm.CfnLifecyclePolicy;
}

/**
 * The data volume's lifecycle hooks (in the group itself), the `ebs-follower` handler they invoke
 * through an EventBridge rule, its policy and nag acknowledgements, its dead-letter queue and alarms,
 * and the Data Lifecycle Manager snapshot schedule. `scope` is the `HaInstance`: its `node.addr` is the
 * group ID in every tag and condition.
 */
export function createDataVolumeHandling(scope: Construct, props: DataVolumeHandlingProps): DataVolumeHandling {
  const { options, heartbeat } = props;
  const groupId = scope.node.addr;
  const stack = Stack.of(scope);
  const fnTimeout = heartbeat.isUnresolved() ? Duration.minutes(15) : Duration.seconds(Math.min(900, Math.max(30, heartbeat.toSeconds())));
  const fn = createHandlerFunction(scope, 'DataVolumeHandler', {
    handlerName: 'ebs-follower',
    description: pathLabel(scope, ' with its instance (lifecycle hooks)', FUNCTION_DESCRIPTION, 'Moves the data volume of HaInstance '),
    timeout: fnTimeout,
    environment: {
      GROUP_TAG_KEY: HA_GROUP_TAG_KEY,
      GROUP_TAG_VALUE: groupId,
      DEVICE_NAME: options.deviceName ?? '/dev/sdf',
      VOLUME_SIZE_GIB: num((options.size ?? DEFAULT_DATA_VOLUME_SIZE).toGibibytes()),
      VOLUME_TYPE: options.volumeType ?? ec2.EbsDeviceVolumeType.GP3,
      ...(options.iops !== undefined ? { VOLUME_IOPS: num(options.iops) } : {}),
      ...(options.throughput !== undefined ? { VOLUME_THROUGHPUT: num(options.throughput) } : {}),
      ...(options.encryptionKey ? { KMS_KEY_ID: options.encryptionKey.keyArn } : {}),
      SNAPSHOT_RETENTION: num(options.snapshotRetention ?? 7),
      DRAIN_TIMEOUT_SECONDS: num((options.drainTimeout ?? Duration.minutes(2)).toSeconds()),
      ...(options.restoreFromSnapshotAfter ? { RESTORE_AFTER_SECONDS: num(options.restoreFromSnapshotAfter.toSeconds()) } : {}),
    },
  });
  // The rule is named so the DLQ key's policy can name it without a dependency cycle (rule -> queue -> key -> rule).
  const ruleName = lifecycleRuleName(scope);
  const ruleArn = stack.formatArn({ service: 'events', resource: 'rule', resourceName: ruleName });
  const dlqKey = createQueueKey(scope, 'DataVolumeDeadLetterKey', `Encrypts the dead-letter queue of HaInstance ${scope.node.path} lifecycle events`, RemovalPolicy.RETAIN);
  // EventBridge sends aws:SourceArn (the rule) with the KMS calls of an SSE queue as well: the SQS
  // developer guide ("Configure AWS KMS permissions with confused deputy protection") lists
  // CloudWatch Events among the services that support it for SSE-enabled queues.
  dlqKey.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'EventBridgeDeadLetters',
    principals: [new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resources: ['*'],
    conditions: { ArnEquals: { 'aws:SourceArn': ruleArn } },
  }));
  const dlq = createSecureQueue(scope, 'DataVolumeDeadLetterQueue', {
    fifo: false, encryptionKey: dlqKey, removalPolicy: RemovalPolicy.RETAIN, retentionPeriod: Duration.days(14),
  });
  acknowledgeTerminalQueue(dlq, 'the dead-letter queue of the data-volume lifecycle events');
  // threshold 1, 1 minute: every message there is a lifecycle action that did not happen
  const deadLetterAlarm = createDlqDepthAlarm(scope, 'DataVolumeDeadLetterAlarm', dlq, `HaInstance ${scope.node.path}: a data-volume lifecycle event was not handled`);
  const handlerErrorsAlarm = new cloudwatch.Alarm(scope, 'DataVolumeHandlerErrorsAlarm', {
    alarmDescription: `HaInstance ${scope.node.path}: the data-volume handler failed (a terminate hook threw; Lambda retries it twice, then the event goes to the dead-letter queue). `
      + 'Look at the handler\'s log group; a failed launch hook is completed with ABANDON instead and shows in the in-service alarm.',
    // any error in 5 minutes: the handler only throws when a terminate hook could not keep the data
    metric: fn.metricErrors({ statistic: 'Sum', period: Duration.minutes(5) }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    // no invocation, no error
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  // Errors of the handler (a failed terminate hook) are retried twice, then the event goes to the DLQ,
  // sent by Lambda with the function's role.
  fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(1), onFailure: { bind: () => ({ destination: dlq.queueArn }) } });
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [dlq.queueArn] }));
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [dlqKey.keyArn] }));
  Validations.of(fn).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason: 'The function is invoked asynchronously by EventBridge only and has an on-failure destination (the same SQS queue as the rule target\'s DLQ), which receives the event with the error; a function DLQ would duplicate it.',
  });
  const snapshotPolicy = scheduleSnapshots(scope, options);
  const policy = handlerPolicy(scope, fn.role!, options.encryptionKey);

  // Hook names are unique to this construct, so the rule can match on them without referencing the
  // group (which must depend on the rule: the hooks apply to the very first instance).
  const launchHook = `HaInstanceLaunch-${groupId}`;
  const terminateHook = `HaInstanceTerminate-${groupId}`;
  const rule = new events.Rule(scope, 'LifecycleRule', {
    ruleName,
    description: describePath('Lifecycle actions of HaInstance ', scope, RULE_DESCRIPTION_LENGTH),
    eventPattern: {
      source: ['aws.autoscaling'],
      detailType: ['EC2 Instance-launch Lifecycle Action', 'EC2 Instance-terminate Lifecycle Action'],
      detail: { LifecycleHookName: [launchHook, terminateHook] },
    },
    targets: [new targets.LambdaFunction(fn, { retryAttempts: 2, maxEventAge: Duration.hours(1), deadLetterQueue: dlq })],
  });
  const cfnGroup = props.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup;
  // In the group itself (not AWS::AutoScaling::LifecycleHook resources): hooks created after the group
  // would miss the first instance, which would then start without its volume.
  cfnGroup.lifecycleHookSpecificationList = [
    {
      lifecycleHookName: launchHook,
      lifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
      heartbeatTimeout: heartbeat.toSeconds(),
      // Never serve without the data: a launch the handler did not complete is abandoned and replaced.
      defaultResult: 'ABANDON',
    },
    {
      lifecycleHookName: terminateHook,
      lifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      heartbeatTimeout: heartbeat.toSeconds(),
      defaultResult: 'CONTINUE',
    },
  ];
  props.autoScalingGroup.node.addDependency(rule, fn, fn.role!, policy);
  return { handler: fn, deadLetterQueue: dlq, deadLetterAlarm, handlerErrorsAlarm, snapshotPolicy };
}

/**
 * What the handler may do: observe, and manage only the volumes, snapshots and lifecycle actions of
 * this group (tag conditions), with the acknowledgements of the wildcards those need.
 */
function handlerPolicy(scope: Construct, role: iam.IRole, encryptionKey: kms.IKey | undefined): iam.Policy {
  const stack = Stack.of(scope);
  const groupId = scope.node.addr;
  const arn = (resource: string) => stack.formatArn({ service: 'ec2', resource, resourceName: '*' });
  const snapshots = stack.formatArn({ service: 'ec2', resource: 'snapshot', resourceName: '*', account: '' });
  const group = { [`aws:ResourceTag/${HA_GROUP_TAG_KEY}`]: groupId };
  const newInGroup = { [`aws:RequestTag/${HA_GROUP_TAG_KEY}`]: groupId };
  // A policy of its own, not the role's default policy: the role's acknowledgement of Resource * covers
  // X-Ray only, and these statements have their own reasons.
  const policy = new iam.Policy(scope, 'DataVolumeHandlerPolicy', {
    roles: [role],
    statements: [
      new iam.PolicyStatement({
        sid: 'Observe',
        actions: ['ec2:DescribeInstances', 'ec2:DescribeVolumes', 'ec2:DescribeSnapshots'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'ManageGroupVolumesAndSnapshots',
        actions: ['ec2:AttachVolume', 'ec2:DetachVolume', 'ec2:DeleteVolume', 'ec2:CreateSnapshot', 'ec2:DeleteSnapshot', 'ec2:CreateTags', 'ec2:CreateVolume'],
        resources: [arn('volume'), arn('instance'), snapshots],
        conditions: { StringEquals: group },
      }),
      new iam.PolicyStatement({
        sid: 'CreateGroupVolumesAndSnapshots',
        actions: ['ec2:CreateVolume', 'ec2:CreateSnapshot'],
        resources: [arn('volume'), snapshots],
        conditions: { StringEquals: newInGroup },
      }),
      new iam.PolicyStatement({
        sid: 'TagOnCreate',
        actions: ['ec2:CreateTags'],
        resources: [arn('volume'), snapshots],
        conditions: { StringEquals: { 'ec2:CreateAction': ['CreateVolume', 'CreateSnapshot'], ...newInGroup } },
      }),
      new iam.PolicyStatement({
        sid: 'CompleteLifecycleActionsOfThisGroup',
        actions: ['autoscaling:CompleteLifecycleAction'],
        resources: [stack.formatArn({ service: 'autoscaling', resource: 'autoScalingGroup', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
        conditions: { StringEquals: group },
      }),
    ],
  });
  encryptionKey?.grant(role, 'kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo');
  const wildcardReason = (what: string) => `${what} are created at runtime (their IDs are unknown at deploy); every action on them is conditioned on the tag ${HA_GROUP_TAG_KEY} = this construct's ID (aws:ResourceTag for existing ones, aws:RequestTag for new ones, which must be tagged on create), so only this group's resources can be touched.`;
  const acks: Record<string, string> = {
    'AwsSolutions-IAM5[Resource::*]': 'Only ec2:DescribeInstances, ec2:DescribeVolumes and ec2:DescribeSnapshots are on Resource *: these read-only actions support no resource-level permissions; the handler needs them to find the instance\'s AZ and the group\'s volumes and snapshots.',
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:volume/*]': wildcardReason('Data volumes'),
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>::snapshot/*]': wildcardReason('Snapshots'),
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:instance/*]': wildcardReason('Instances (launched by Auto Scaling)'),
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:<AWS::Region>:<AWS::AccountId>:autoScalingGroup:*]': `The Auto Scaling group's ARN contains a UUID unknown until it exists, and naming the group would create a dependency cycle (the group waits for this policy); autoscaling:CompleteLifecycleAction is conditioned on the group's tag ${HA_GROUP_TAG_KEY} = this construct's ID.`,
  };
  for (const [ackId, reason] of Object.entries(acks)) {
    Validations.of(policy).acknowledge({ id: ackId, reason });
  }
  if (encryptionKey) {
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason: 'EBS encryption with one customer-managed key named by ARN.' });
    }
  }
  return policy;
}

/** Unique per stack and construct, within EventBridge's 64 characters. */
function lifecycleRuleName(scope: Construct): string {
  const stackName = Stack.of(scope).stackName;
  const hash = createHash('sha256').update(`${Token.isUnresolved(stackName) ? '' : stackName}/${scope.node.path}`).digest('hex').slice(0, 16);
  const prefix = Token.isUnresolved(stackName) ? 'HaInstance' : stackName.slice(0, 30);
  return `${prefix}-HaLifecycle-${hash}`;
}

/**
 * Data Lifecycle Manager snapshots the group's volumes (by tag) on a schedule, so a restore after an
 * AZ impairment loses at most one interval. Its snapshots carry the group tag (the launch hook may
 * restore them) and are expired by DLM, not by the terminate hook.
 */
function scheduleSnapshots(scope: Construct, options: HaDataVolumeOptions): dlm.CfnLifecyclePolicy {
  const groupId = scope.node.addr;
  const role = new iam.Role(scope, 'SnapshotPolicyRole', {
    assumedBy: new iam.ServicePrincipal('dlm.amazonaws.com'),
    description: describePath('Data Lifecycle Manager snapshots of the data volume of HaInstance ', scope, ROLE_DESCRIPTION_LENGTH),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSDataLifecycleManagerServiceRole')],
  });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole]',
    reason: 'The AWS-maintained policy for Data Lifecycle Manager EBS snapshot policies: it creates and deletes snapshots (and tags them) of the volumes the policy targets; DLM itself limits it to this policy\'s target tag.',
  });
  const interval = options.snapshotInterval ?? Duration.hours(1);
  return new dlm.CfnLifecyclePolicy(scope, 'SnapshotPolicy', {
    description: `Scheduled snapshots of HaInstance ${groupId} data volume`,
    state: 'ENABLED',
    executionRoleArn: role.roleArn,
    policyDetails: {
      policyType: 'EBS_SNAPSHOT_MANAGEMENT',
      resourceTypes: ['VOLUME'],
      targetTags: [{ key: HA_GROUP_TAG_KEY, value: groupId }],
      schedules: [{
        name: interval.isUnresolved() ? 'Scheduled' : `Every ${interval.toHumanString()}`,
        createRule: { interval: interval.toHours(), intervalUnit: 'HOURS' },
        retainRule: { count: options.scheduledSnapshotRetention ?? 24 },
        tagsToAdd: [{ key: HA_GROUP_TAG_KEY, value: groupId }, { key: 'ha-instance:scheduled', value: 'true' }],
        copyTags: false,
      }],
    },
  });
}
