import { PolicyDocumentJson, simulate } from '../policy-simulator';
import { ResolvedTemplate } from './resolve-template';

/**
 * One place where an AWS service uses a customer-managed key on our behalf, derived from the
 * template, with the request that service sends (its principal, the KMS actions it calls and the
 * request context), and the resource policy that must let it deliver.
 */
export interface ServiceKeyUse {
  /** Who uses the key for what, e.g. `logs.eu-west-1.amazonaws.com writes log group X`. */
  readonly description: string;
  readonly keyLogicalId: string;
  /** A service principal, e.g. `sns.amazonaws.com`. */
  readonly principal: string;
  readonly kmsActions: string[];
  /** The context AWS sends with the KMS request. */
  readonly context: Record<string, string>;
  /** The same request from a source of the same kind that is not ours: must not be allowed. */
  readonly foreignContext: Record<string, string>;
  /** The queue or topic policy that must also let the service deliver. */
  readonly delivery?: DeliveryTarget;
}

/** A queue or topic a service delivers to, and the action it needs there. */
export interface DeliveryTarget {
  readonly logicalId: string;
  readonly arn: string;
  readonly action: 'sqs:SendMessage' | 'sns:Publish';
  /** The queue's or topic's policy, undefined when the template sets none. */
  readonly policy?: PolicyDocumentJson;
  /**
   * Without a policy resource the service's own account default applies: for topics it lets
   * CloudWatch alarms of the account publish; queues only admit the owner's IAM principals.
   */
  readonly defaultPolicyAdmits: boolean;
}

/*
 * KMS actions per service, from each service's documentation:
 * - CloudWatch Logs, "Encrypt log data in CloudWatch Logs using AWS KMS": Encrypt, Decrypt,
 *   GenerateDataKey (ReEncrypt and Describe as well), with kms:EncryptionContext:aws:logs:arn.
 * - SQS, "Key management: enable compatibility between AWS services and encrypted queues", and SNS,
 *   "Configuring AWS KMS permissions for AWS services": a service sending to an encrypted queue or
 *   publishing to an encrypted topic needs kms:GenerateDataKey and kms:Decrypt; SNS, S3, EventBridge
 *   and CloudWatch send aws:SourceArn and aws:SourceAccount.
 */
const LOGS_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'];
const DELIVERY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];

/** Every service use of a customer-managed key of this template. */
export function serviceKeyUses(t: ResolvedTemplate): ServiceKeyUse[] {
  const uses: ServiceKeyUse[] = [];
  const { account, region } = t.deployment;

  for (const id of t.logicalIds('AWS::Logs::LogGroup')) {
    const props = t.properties(id);
    const keyLogicalId = props.KmsKeyId && t.findByReference('AWS::KMS::Key', props.KmsKeyId);
    if (!keyLogicalId) continue;
    const logGroupArn = `arn:${t.deployment.partition}:logs:${region}:${account}:log-group:${t.physicalName(id)}`;
    uses.push({
      description: `logs.${region}.amazonaws.com writes log group ${id}`,
      keyLogicalId,
      principal: `logs.${region}.amazonaws.com`,
      kmsActions: LOGS_ACTIONS,
      context: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn },
      foreignContext: { 'kms:EncryptionContext:aws:logs:arn': `${logGroupArn}-not-ours` },
    });
  }

  // SNS -> SQS subscriptions, and SNS -> subscription dead-letter queues
  for (const id of t.logicalIds('AWS::SNS::Subscription')) {
    const props = t.properties(id);
    const targets = [
      ...(props.Protocol === 'sqs' ? [{ arn: props.Endpoint as string, what: 'delivers to' }] : []),
      ...(props.RedrivePolicy?.deadLetterTargetArn ? [{ arn: props.RedrivePolicy.deadLetterTargetArn as string, what: 'moves undeliverable messages to' }] : []),
    ];
    for (const target of targets) {
      uses.push(...deliveries(t, 'sns.amazonaws.com', `subscription ${id} ${target.what}`, props.TopicArn, target.arn));
    }
  }

  // S3 event notifications, on the bucket itself or through aws-cdk-lib's notifications custom resource
  const notifiers = [
    ...t.logicalIds('AWS::S3::Bucket').map((id) => ({ id, bucket: t.physicalName(id), config: t.properties(id).NotificationConfiguration })),
    ...t.logicalIds('Custom::S3BucketNotifications').map((id) => ({ id, bucket: t.properties(id).BucketName as string, config: t.properties(id).NotificationConfiguration })),
  ];
  for (const { id, bucket, config } of notifiers) {
    const bucketArn = `arn:${t.deployment.partition}:s3:::${bucket}`;
    // AWS::S3::Bucket names the target Queue/Topic; the custom resource passes the S3 API's QueueArn/TopicArn
    for (const q of config?.QueueConfigurations ?? []) uses.push(...deliveries(t, 's3.amazonaws.com', `S3 notifications of ${id}`, bucketArn, q.Queue ?? q.QueueArn));
    for (const n of config?.TopicConfigurations ?? []) uses.push(...deliveries(t, 's3.amazonaws.com', `S3 notifications of ${id}`, bucketArn, n.Topic ?? n.TopicArn));
  }

  // EventBridge rule targets and their dead-letter queues
  for (const id of t.logicalIds('AWS::Events::Rule')) {
    const ruleArn = t.getAtt(id, 'Arn');
    for (const target of t.properties(id).Targets ?? []) {
      uses.push(...deliveries(t, 'events.amazonaws.com', `rule ${id} target ${target.Id}`, ruleArn, target.Arn));
      if (target.DeadLetterConfig?.Arn) {
        uses.push(...deliveries(t, 'events.amazonaws.com', `rule ${id} target ${target.Id} dead-letter queue`, ruleArn, target.DeadLetterConfig.Arn));
      }
    }
  }

  // CloudWatch alarm actions
  for (const id of t.logicalIds('AWS::CloudWatch::Alarm')) {
    const props = t.properties(id);
    const actions = new Set<string>([...props.AlarmActions ?? [], ...props.OKActions ?? [], ...props.InsufficientDataActions ?? []]);
    // a topic serves many alarms, so "ours" means this stack's alarms (CloudFormation names them `<stack>-<id>-<suffix>`)
    const otherStacksAlarm = `arn:${t.deployment.partition}:cloudwatch:${t.deployment.region}:${t.deployment.account}:alarm:NotThisStack-Alarm`;
    for (const action of actions) uses.push(...deliveries(t, 'cloudwatch.amazonaws.com', `alarm ${id}`, t.getAtt(id, 'Arn'), action, otherStacksAlarm));
  }
  return uses;
}

/** A service delivering to a queue or topic of this template: the key use (if the target is on a CMK of ours) and the delivery. */
function deliveries(t: ResolvedTemplate, principal: string, what: string, sourceArn: string, targetArn: string, foreignSourceArn = `${sourceArn}-not-ours`): ServiceKeyUse[] {
  const account = t.deployment.account;
  const queue = t.findByReference('AWS::SQS::Queue', targetArn);
  const topic = queue ? undefined : t.findByReference('AWS::SNS::Topic', targetArn);
  const logicalId = queue ?? topic;
  if (!logicalId) return []; // a Lambda function, another stack's resource: no key of ours in between
  const props = t.properties(logicalId);
  const keyLogicalId = props.KmsMasterKeyId && t.findByReference('AWS::KMS::Key', props.KmsMasterKeyId);
  const delivery: DeliveryTarget = queue
    ? { logicalId, arn: t.getAtt(logicalId, 'Arn'), action: 'sqs:SendMessage', policy: queueOrTopicPolicy(t, 'AWS::SQS::QueuePolicy', 'Queues', t.ref(logicalId)), defaultPolicyAdmits: false }
    : { logicalId, arn: t.ref(logicalId), action: 'sns:Publish', policy: queueOrTopicPolicy(t, 'AWS::SNS::TopicPolicy', 'Topics', t.ref(logicalId)), defaultPolicyAdmits: principal === 'cloudwatch.amazonaws.com' };
  return [{
    description: `${principal}: ${what} ${logicalId}`,
    keyLogicalId: keyLogicalId ?? '',
    principal,
    kmsActions: keyLogicalId ? DELIVERY_ACTIONS : [],
    context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': account },
    foreignContext: { 'aws:SourceArn': foreignSourceArn, 'aws:SourceAccount': account },
    delivery,
  }];
}

/** The statements of every policy resource of `type` that names `ref` in `listProperty`. */
function queueOrTopicPolicy(t: ResolvedTemplate, type: string, listProperty: string, ref: string): PolicyDocumentJson | undefined {
  const statements = t.logicalIds(type)
    .map((id) => t.properties(id))
    .filter((props) => (props[listProperty] as string[]).includes(ref))
    .flatMap((props) => props.PolicyDocument.Statement as Record<string, unknown>[]);
  return statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : undefined;
}

/** A request a function's execution role makes when Lambda acts for it, on a queue or topic of this template. */
export interface RoleRequest {
  /** e.g. `Lambda polls queue X for function Y`. */
  readonly description: string;
  readonly roleArn: string;
  readonly identityPolicies: PolicyDocumentJson[];
  readonly action: string;
  readonly resource: string;
  readonly resourcePolicy?: PolicyDocumentJson;
}

/*
 * Lambda uses the function's execution role (not a service principal) to poll an SQS event
 * source (Lambda docs "Using Lambda with Amazon SQS": ReceiveMessage, DeleteMessage,
 * GetQueueAttributes, and kms:Decrypt for an encrypted queue) and to send to an on-failure
 * destination ("Adding a destination": sqs:SendMessage or sns:Publish, and for an encrypted target
 * kms:GenerateDataKey and kms:Decrypt). Only the role's own policies are evaluated: AWS-managed
 * policies are not in the template.
 */
export function functionRoleRequests(t: ResolvedTemplate): RoleRequest[] {
  const requests: RoleRequest[] = [];
  const functionRole = (functionRef: string) => {
    const fn = t.findByReference('AWS::Lambda::Function', functionRef);
    const roleArn = fn && t.properties(fn).Role as string;
    const role = roleArn && t.findByReference('AWS::IAM::Role', roleArn);
    if (!fn || !role) return undefined;
    const inline = (t.properties(role).Policies ?? []).map((p: { PolicyDocument: PolicyDocumentJson }) => p.PolicyDocument);
    const attached = t.logicalIds('AWS::IAM::Policy').map((id) => t.properties(id))
      .filter((p) => (p.Roles ?? []).includes(t.ref(role))).map((p) => p.PolicyDocument as PolicyDocumentJson);
    return { fn, roleArn, identityPolicies: [...inline, ...attached] };
  };
  const onTarget = (
    what: string, role: NonNullable<ReturnType<typeof functionRole>>, targetArn: string,
    actions: { queue: string[]; topic: string[]; kms: string[] },
  ) => {
    const queue = t.findByReference('AWS::SQS::Queue', targetArn);
    const topic = queue ? undefined : t.findByReference('AWS::SNS::Topic', targetArn);
    const target = queue ?? topic;
    if (!target) return;
    const props = t.properties(target);
    const resourcePolicy = queue
      ? queueOrTopicPolicy(t, 'AWS::SQS::QueuePolicy', 'Queues', t.ref(target))
      : queueOrTopicPolicy(t, 'AWS::SNS::TopicPolicy', 'Topics', t.ref(target));
    const arnOfTarget = queue ? t.getAtt(target, 'Arn') : t.ref(target);
    for (const action of queue ? actions.queue : actions.topic) {
      requests.push({ description: `${what} ${target}`, roleArn: role.roleArn, identityPolicies: role.identityPolicies, action, resource: arnOfTarget, resourcePolicy });
    }
    const key = props.KmsMasterKeyId && t.findByReference('AWS::KMS::Key', props.KmsMasterKeyId);
    if (key) {
      for (const action of actions.kms) {
        requests.push({
          description: `${what} ${target} (key ${key})`, roleArn: role.roleArn, identityPolicies: role.identityPolicies,
          action, resource: t.getAtt(key, 'Arn'), resourcePolicy: t.properties(key).KeyPolicy,
        });
      }
    }
  };
  for (const id of t.logicalIds('AWS::Lambda::EventSourceMapping')) {
    const props = t.properties(id);
    const role = functionRole(props.FunctionName);
    if (role) onTarget(`Lambda polls for ${role.fn}:`, role, props.EventSourceArn, { queue: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], topic: [], kms: ['kms:Decrypt'] });
  }
  for (const id of t.logicalIds('AWS::Lambda::EventInvokeConfig')) {
    const props = t.properties(id);
    const role = functionRole(props.FunctionName);
    for (const destination of [props.DestinationConfig?.OnFailure?.Destination, props.DestinationConfig?.OnSuccess?.Destination]) {
      if (role && destination) onTarget(`Lambda sends ${role.fn}'s async results to`, role, destination, { queue: ['sqs:SendMessage'], topic: ['sns:Publish'], kms: DELIVERY_ACTIONS });
    }
  }
  return requests;
}

/** A principal no example grants anything: "another service" for the scoping checks. */
const UNRELATED_SERVICE = 'ec2.amazonaws.com';

/**
 * Evaluates every {@link ServiceKeyUse} of the template: the service may use the key and deliver
 * with its real request context; the same request from a source that is not ours, and the same
 * request from an unrelated service, are not allowed. Then every {@link RoleRequest}: Lambda,
 * acting with a function's role, may poll its queue and reach its destinations (key included).
 * Returns one line per broken contract.
 */
export async function checkServiceKeyAccess(t: ResolvedTemplate): Promise<string[]> {
  const problems: string[] = [];
  const { account } = t.deployment;
  for (const use of serviceKeyUses(t)) {
    if (use.keyLogicalId) {
      const keyArn = t.getAtt(use.keyLogicalId, 'Arn');
      const keyPolicy = t.properties(use.keyLogicalId).KeyPolicy as PolicyDocumentJson;
      const ask = (principal: string, action: string, context: Record<string, string>) =>
        simulate({ principal, action, resource: keyArn, resourceAccount: account, context, resourcePolicy: keyPolicy });
      for (const action of use.kmsActions) {
        const decision = await ask(use.principal, action, use.context);
        if (decision !== 'Allowed') problems.push(`${use.description}: key ${use.keyLogicalId} ${decision} ${action} with ${JSON.stringify(use.context)}`);
      }
      const action = use.kmsActions[0];
      if (await ask(use.principal, action, use.foreignContext) === 'Allowed') {
        problems.push(`${use.description}: key ${use.keyLogicalId} also allows ${action} with ${JSON.stringify(use.foreignContext)} (not scoped to the source)`);
      }
      if (await ask(UNRELATED_SERVICE, action, use.context) === 'Allowed') {
        problems.push(`${use.description}: key ${use.keyLogicalId} also allows ${UNRELATED_SERVICE} ${action}`);
      }
    }
    if (use.delivery) {
      const d = use.delivery;
      if (!d.policy) {
        if (!d.defaultPolicyAdmits) problems.push(`${use.description}: ${d.logicalId} has no resource policy, so ${use.principal} may not ${d.action}`);
        continue;
      }
      // services deliver over TLS, which the TLS-only statements require
      const ask = (principal: string, context: Record<string, string>) => simulate({
        principal, action: d.action, resource: d.arn, resourceAccount: account, context: { ...context, 'aws:SecureTransport': 'true' }, resourcePolicy: d.policy,
      });
      const decision = await ask(use.principal, use.context);
      if (decision !== 'Allowed') problems.push(`${use.description}: ${d.logicalId} policy ${decision} ${d.action} with ${JSON.stringify(use.context)}`);
      if (await ask(use.principal, use.foreignContext) === 'Allowed') {
        problems.push(`${use.description}: ${d.logicalId} policy also allows ${d.action} with ${JSON.stringify(use.foreignContext)} (not scoped to the source)`);
      }
    }
  }
  for (const request of functionRoleRequests(t)) {
    const decision = await simulate({
      principal: request.roleArn, action: request.action, resource: request.resource, resourceAccount: account,
      context: { 'aws:SecureTransport': 'true' }, resourcePolicy: request.resourcePolicy, identityPolicies: request.identityPolicies,
    });
    if (decision !== 'Allowed') problems.push(`${request.description}: ${decision} ${request.action} for ${request.roleArn}`);
  }
  return problems;
}
