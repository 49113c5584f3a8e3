import { App, ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { testApp } from '../support/app';
import { Acknowledgement, acknowledgementsIn } from '../support/contracts/acknowledgement-ledger';
import { OTHER_REGION, resolveFor, synthesizeCopy, TEST_REGION } from '../support/contracts/deployments';
import { checkAlarmActions, checkAlarmMetrics, checkDashboards } from '../support/contracts/operations';
import { collidingNames } from '../support/contracts/physical-names';
import { checkServiceKeyAccess } from '../support/contracts/service-key-access';
import { ResolvedTemplate } from '../support/contracts/resolve-template';
import { EXAMPLE_VARIANTS } from '../support/example-variants';
import { hasLambdaFunction, synthesizeThroughHarness } from '../support/harness';
import { SYNTH_TIMEOUT_MS, synthesizedVariant as cachedVariant, synthesizeVariants } from '../support/synth-cache';

/**
 * The class checks over every example stack in every context mode, each variant synthesized once
 * through the harness (validator, cdk-nag AwsSolutions + Serverless wherever a Lambda function is,
 * acknowledgement hygiene; the synthesized assembly is shared with the other example-stack tests
 * through `test/support/synth-cache.ts`), then:
 * - every AWS service that uses a customer-managed key on our behalf may do so, scoped to its source
 *   (key policy and queue/topic policy evaluated with the policy simulator);
 * - every physical name unique per account or region differs between two deployments;
 * - every alarm runs an action that reaches something of the stack, the stack has a dashboard, and
 *   every metric of its widgets and alarms is documented for its dimensions and names the stack's resources.
 * Below them, each check is shown failing on a deliberately broken stack.
 */
beforeAll(() => synthesizeVariants(Object.keys(EXAMPLE_VARIANTS)), SYNTH_TIMEOUT_MS);

describe.each(Object.keys(EXAMPLE_VARIANTS))('%s', (name) => {
  const variant = EXAMPLE_VARIANTS[name];
  let template: Template | undefined;
  let harnessError: unknown;
  // a stack with a fixed region (the us-east-1 CloudFront stacks) deploys there, and its policies name that region
  let fixedRegion: string | undefined;
  // the app's other stacks, resolved where they deploy, for references to their outputs
  let otherStacks: Record<string, ResolvedTemplate> = {};
  beforeAll(() => {
    try {
      const synthesizedVariant = cachedVariant(name);
      template = synthesizedVariant.template;
      fixedRegion = synthesizedVariant.stack.region;
      otherStacks = Object.fromEntries(synthesizedVariant.stacks.filter((s) => s.stackName !== variant.stackName)
        .map((s) => [s.stackName, resolveFor(s.template, s.stackName, s.region ?? TEST_REGION)]));
    } catch (error) {
      harnessError = error;
    }
  });
  const region = () => fixedRegion ?? TEST_REGION;
  const synthesized = () => {
    if (!template) throw new Error(`not evaluated: the harness failed on ${name}, see its test`);
    return template;
  };

  test('passes the harness: validator, cdk-nag (Serverless wherever a Lambda function is), every acknowledgement matching a finding', () => {
    if (harnessError) throw harnessError;
    expect(template).toBeDefined();
  });

  test('every service using a customer-managed key on our behalf may use it and deliver, scoped to its source', async () => {
    await expect(checkServiceKeyAccess(resolveFor(synthesized(), variant.stackName, fixedRegion))).resolves.toEqual([]);
  });

  test('no physical name unique per account or region collides between two stacks or two regions', () => {
    const copy = synthesizeCopy(variant.build, variant.context);
    const base = resolveFor(synthesized(), variant.stackName);
    expect(collidingNames(base, resolveFor(copy.template, copy.stackName), resolveFor(synthesized(), variant.stackName, OTHER_REGION))).toEqual([]);
  });

  test('every alarm has an action, and each action reaches a topic, scaling policy, function or EC2 action of the stack', () => {
    expect(checkAlarmActions(resolveFor(synthesized(), variant.stackName, region()))).toEqual([]);
  });

  const withOtherStacks = (t: ResolvedTemplate) => {
    Object.assign(t.otherStacks, otherStacks);
    return t;
  };

  test('has a dashboard whose metrics are documented for their dimensions and name resources of the stack', () => {
    expect(checkDashboards(withOtherStacks(resolveFor(synthesized(), variant.stackName, region())))).toEqual([]);
  });

  test('every alarm metric is documented for its dimensions and names resources of the stack', () => {
    expect(checkAlarmMetrics(withOtherStacks(resolveFor(synthesized(), variant.stackName, region())))).toEqual([]);
  });
});

/** A stack in an app with cdk.json's context, for the broken copies below. */
function brokenStack(): { app: App; stack: Stack } {
  const app = testApp();
  return { app, stack: new Stack(app, 'Broken') };
}

const resolve = (stack: Stack) => resolveFor(Template.fromStack(stack), stack.stackName);

describe('key-policy check (finding 1): fails on a broken copy', () => {
  test('a CMK log group without a statement for CloudWatch Logs (the Bastion mistake)', async () => {
    const { stack } = brokenStack();
    const key = new kms.Key(stack, 'Key');
    new logs.LogGroup(stack, 'Sessions', { encryptionKey: key });
    const problems = await checkServiceKeyAccess(resolve(stack));
    expect(problems.join('\n')).toMatch(/logs\.eu-west-1\.amazonaws\.com writes log group Sessions\w+: key Key\w+ ImplicitlyDenied kms:GenerateDataKey/);
  });

  test('passes once the key allows CloudWatch Logs for that log group only', async () => {
    const { stack } = brokenStack();
    const key = new kms.Key(stack, 'Key');
    new logs.LogGroup(stack, 'Sessions', { encryptionKey: key, logGroupName: 'sessions' });
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: 'sessions', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) } },
    }));
    expect(await checkServiceKeyAccess(resolve(stack))).toEqual([]);
  });

  test('an unscoped key statement: another log group could use the key', async () => {
    const { stack } = brokenStack();
    const key = new kms.Key(stack, 'Key');
    new logs.LogGroup(stack, 'Sessions', { encryptionKey: key });
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)], actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'], resources: ['*'],
    }));
    expect((await checkServiceKeyAccess(resolve(stack))).join('\n')).toMatch(/also allows kms:Encrypt with .*not-ours.*\(not scoped to the source\)/);
  });

  // L1 resources: aws-cdk-lib's L2 integrations add key statements of their own
  const queueOnKey = (stack: Stack) => {
    const key = new kms.Key(stack, 'Key');
    const queue = new sqs.CfnQueue(stack, 'Queue', { kmsMasterKeyId: key.keyArn });
    new sqs.CfnQueuePolicy(stack, 'QueuePolicy', {
      queues: [queue.ref],
      policyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: ['sns.amazonaws.com', 's3.amazonaws.com', 'events.amazonaws.com'] }, Action: 'sqs:SendMessage', Resource: queue.attrArn }] },
    });
    return queue;
  };

  test('SNS delivering to a queue on a CMK whose policy does not name SNS', async () => {
    const { stack } = brokenStack();
    const topic = new sns.Topic(stack, 'Topic');
    new sns.CfnSubscription(stack, 'Subscription', { topicArn: topic.topicArn, protocol: 'sqs', endpoint: queueOnKey(stack).attrArn });
    expect((await checkServiceKeyAccess(resolve(stack))).join('\n')).toMatch(/sns\.amazonaws\.com: subscription Subscription delivers to Queue: key Key\w+ ImplicitlyDenied kms:GenerateDataKey/);
  });

  test('an S3 notification to a queue on a CMK without an s3.amazonaws.com statement', async () => {
    const { stack } = brokenStack();
    const queue = queueOnKey(stack);
    new s3.CfnBucket(stack, 'Bucket', { notificationConfiguration: { queueConfigurations: [{ event: 's3:ObjectCreated:*', queue: queue.attrArn }] } });
    expect((await checkServiceKeyAccess(resolve(stack))).join('\n')).toMatch(/s3\.amazonaws\.com: S3 notifications of Bucket Queue: key Key\w+ ImplicitlyDenied kms:GenerateDataKey/);
  });

  test('an EventBridge rule targeting a queue on a CMK without an events.amazonaws.com statement', async () => {
    const { stack } = brokenStack();
    new events.CfnRule(stack, 'Rule', { eventPattern: { source: ['aws.ec2'] }, targets: [{ id: 'Queue', arn: queueOnKey(stack).attrArn }] });
    expect((await checkServiceKeyAccess(resolve(stack))).join('\n')).toMatch(/events\.amazonaws\.com: rule Rule target Queue Queue: key Key\w+ ImplicitlyDenied kms:GenerateDataKey/);
  });

  test('a queue policy open to every EventBridge rule (aws-cdk-lib\'s SqsQueue target omits aws:SourceArn on an encrypted queue)', async () => {
    const { stack } = brokenStack();
    const rule = new events.Rule(stack, 'Rule', { eventPattern: { source: ['aws.ec2'] } });
    rule.addTarget(new targets.SqsQueue(new sqs.Queue(stack, 'Queue', { encryptionMasterKey: new kms.Key(stack, 'Key') })));
    expect((await checkServiceKeyAccess(resolve(stack))).join('\n')).toMatch(/Queue\w+ policy also allows sqs:SendMessage with .*not-ours.*\(not scoped to the source\)/);
  });

  test('a CloudWatch alarm publishing to a topic on a CMK without a cloudwatch.amazonaws.com statement', async () => {
    const { stack } = brokenStack();
    const key = new kms.Key(stack, 'Key');
    const alarm = new cloudwatch.Alarm(stack, 'Alarm', {
      metric: new cloudwatch.Metric({ namespace: 'Test', metricName: 'Errors', period: Duration.minutes(1) }), threshold: 1, evaluationPeriods: 1,
    });
    alarm.addAlarmAction(new cwActions.SnsAction(new sns.Topic(stack, 'Topic', { masterKey: key })));
    expect((await checkServiceKeyAccess(resolve(stack))).join('\n')).toMatch(/cloudwatch\.amazonaws\.com: alarm Alarm\w+ Topic\w+: key Key\w+ ImplicitlyDenied kms:GenerateDataKey/);
  });

  test('a function polling a queue on a CMK without kms:Decrypt in its role, and passing once granted', async () => {
    const build = (grant: boolean) => {
      const { stack } = brokenStack();
      const key = new kms.Key(stack, 'Key');
      const queue = new sqs.Queue(stack, 'Queue', { encryptionMasterKey: key });
      const fn = new lambda.Function(stack, 'Worker', {
        runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1'),
      });
      queue.grant(fn, 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes');
      if (grant) key.grantDecrypt(fn);
      new lambda.CfnEventSourceMapping(stack, 'Mapping', { functionName: fn.functionName, eventSourceArn: queue.queueArn });
      return stack;
    };
    expect((await checkServiceKeyAccess(resolve(build(false)))).join('\n')).toMatch(/Lambda polls for Worker\w+: Queue\w+ \(key Key\w+\): ImplicitlyDenied kms:Decrypt/);
    expect(await checkServiceKeyAccess(resolve(build(true)))).toEqual([]);
  });

  test('a queue fed by SNS without a queue policy for the topic', async () => {
    const { stack } = brokenStack();
    const topic = new sns.Topic(stack, 'Topic');
    const queue = new sqs.Queue(stack, 'Queue');
    new sns.Subscription(stack, 'Subscription', { topic, protocol: sns.SubscriptionProtocol.SQS, endpoint: queue.queueArn });
    expect((await checkServiceKeyAccess(resolve(stack))).join('\n')).toMatch(/Queue\w+ has no resource policy, so sns\.amazonaws\.com may not sqs:SendMessage/);
  });
});

describe('physical-name check (finding 4): fails on a broken copy', () => {
  const headers = (name: string) => (app: App) => {
    const stack = new Stack(app, 'Site');
    const names: Record<string, string> = { 'stack': `${stack.stackName}-SecurityHeaders`, 'stack+region': `${stack.stackName}-SecurityHeaders-${stack.region}` };
    new cloudfront.ResponseHeadersPolicy(stack, 'SecurityHeaders', {
      responseHeadersPolicyName: names[name] ?? name,
      securityHeadersBehavior: { contentTypeOptions: { override: true } },
    });
    return stack;
  };
  const check = (build: (app: App) => Stack) => {
    const base = build(testApp());
    const copy = synthesizeCopy(build);
    return collidingNames(
      resolveFor(Template.fromStack(base), base.stackName),
      resolveFor(copy.template, copy.stackName),
      resolveFor(Template.fromStack(base), base.stackName, OTHER_REGION),
    );
  };

  test('a StaticSite-like response headers policy with a fixed name collides between stacks and regions', () => {
    expect(check(headers('SecurityHeaders')).join('\n')).toMatch(/SecurityHeaders\w+ \(AWS::CloudFront::ResponseHeadersPolicy\) is named 'SecurityHeaders' in stacks Site and Copy-Site[\s\S]*in eu-west-1 and us-west-2, but it is unique per account/);
  });

  test('a name with the stack name but no region collides between regions only', () => {
    const problems = check(headers('stack'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/named 'Site-SecurityHeaders' in eu-west-1 and us-west-2/);
  });

  test('passes with the stack name and region in the name (CloudFront policies require a name)', () => {
    expect(check(headers('stack+region'))).toEqual([]);
  });
});

describe('Serverless pack wherever a Lambda function is (finding 9): fails on a broken copy', () => {
  test('an EventBridge-invoked function without a dead-letter queue fails the harness (the HaInstance mistake)', () => {
    expect(() => synthesizeThroughHarness((app) => {
      const stack = new Stack(app, 'Broken');
      const fn = new lambda.Function(stack, 'Handler', {
        runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1'),
      });
      new events.Rule(stack, 'Rule', { eventPattern: { source: ['aws.autoscaling'] }, targets: [new targets.LambdaFunction(fn)] });
      return stack;
    })).toThrow(/Serverless-LambdaDLQ/);
  });

  test('the pack is chosen from the tree: aws-cdk-lib\'s own custom-resource function counts, a stack without functions does not', () => {
    const { stack } = brokenStack();
    new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, restrictDefaultSecurityGroup: true });
    expect(hasLambdaFunction(stack)).toBe(true);
    const { stack: plain } = brokenStack();
    new sqs.Queue(plain, 'Queue');
    expect(hasLambdaFunction(plain)).toBe(false);
  });
});

describe('acknowledgement hygiene (finding 12): fails on a broken copy', () => {
  test('acknowledgements for rules that do not fire fail the harness (the S1-on-access-log-bucket and SQS3-on-DLQ mistakes)', () => {
    expect(() => synthesizeThroughHarness((app) => {
      const stack = new Stack(app, 'Broken');
      const logsBucket = new s3.Bucket(stack, 'AccessLogs', { enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
      new s3.Bucket(stack, 'Data', { enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, serverAccessLogsBucket: logsBucket });
      // S1 does not fire: the bucket is the access-log destination of Data
      Validations.of(logsBucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'would loop' });
      // SQS3 does not fire: the queue is the dead-letter queue of another queue
      const dlq = new sqs.Queue(stack, 'Dlq', { enforceSSL: true });
      new sqs.Queue(stack, 'Queue', { enforceSSL: true, deadLetterQueue: { queue: dlq, maxReceiveCount: 3 } });
      Validations.of(dlq).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'terminal' });
      return stack;
    })).toThrow(/2 acknowledgement\(s\) match no finding[\s\S]*AwsSolutions-S1 at Broken\/AccessLogs[\s\S]*AwsSolutions-SQS3 at Broken\/Dlq/);
  });

  test('an acknowledgement of a pack that does not run fails too (Serverless rule on a stack without functions)', () => {
    expect(() => synthesizeThroughHarness((app) => {
      const stack = new Stack(app, 'Broken');
      const queue = new sqs.Queue(stack, 'Dlq', { enforceSSL: true });
      new sqs.Queue(stack, 'Queue', { enforceSSL: true, deadLetterQueue: { queue, maxReceiveCount: 3 } });
      Validations.of(queue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'terminal' });
      return stack;
    })).toThrow(/Serverless-SQSRedrivePolicy at Broken\/Dlq/);
  });

  test('passes when every acknowledgement hides a finding', () => {
    expect(() => synthesizeThroughHarness((app) => {
      const stack = new Stack(app, 'Fine');
      const bucket = new s3.Bucket(stack, 'Lonely', { enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
      Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'test: a bucket nothing logs to' });
      return stack;
    })).not.toThrow();
  });
});

describe('acknowledgement reasons (finding 12) say what is true', () => {
  const reasons = (() => {
    let cached: Acknowledgement[] | undefined;
    return () => cached ??= ['FanOut', 'StaticSite'].flatMap((name) => {
      const app = testApp();
      EXAMPLE_VARIANTS[name].build(app);
      return acknowledgementsIn(app);
    });
  })();
  const reasonOf = (path: RegExp, id: string) => reasons().filter((a) => path.test(a.path) && a.id === id).map((a) => a.reason);

  test('the producer is invoked synchronously on demand; a scheduler would invoke it asynchronously', () => {
    const [reason] = reasonOf(/^FanOut\/Producer$/, 'Serverless-LambdaDLQ');
    expect(reason).toMatch(/RequestResponse, synchronous/);
    expect(reason).toMatch(/EventBridge Scheduler invokes asynchronously/);
  });

  test('kms:GenerateDataKey* is said to match GenerateDataKeyPair* too', () => {
    const found = reasonOf(/^FanOut\/\w+Role$/, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]');
    expect(found.length).toBeGreaterThan(0);
    for (const reason of found) expect(reason).toMatch(/GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext/);
  });

  test('CFR3 names legacy standard logging as the only kind the rule sees', () => {
    expect(reasonOf(/^StaticSite\/Site\/Distribution$/, 'AwsSolutions-CFR3')).toEqual([expect.stringMatching(/only legacy standard logging[\s\S]*standard logging v2/)]);
  });
});

describe('operations checks (issue 16): fail on a broken copy', () => {
  /** A stack with one queue, its alarm topic, an alarm on the queue's age and a dashboard built by `widgets`. */
  const operationsStack = (
    options: { alarmAction?: boolean; alarmMetricName?: string; widgets?: (queue: sqs.Queue, stack: Stack) => cloudwatch.IWidget[] } = {},
  ) => {
    const { stack } = brokenStack();
    const queue = new sqs.Queue(stack, 'Jobs');
    const topic = new sns.Topic(stack, 'AlarmTopic');
    const metric = options.alarmMetricName
      ? new cloudwatch.Metric({ namespace: 'AWS/SQS', metricName: options.alarmMetricName, dimensionsMap: { QueueName: queue.queueName } })
      : queue.metricApproximateAgeOfOldestMessage();
    const alarm = new cloudwatch.Alarm(stack, 'OldestMessage', { metric, threshold: 900, evaluationPeriods: 1 });
    if (options.alarmAction ?? true) alarm.addAlarmAction(new cwActions.SnsAction(topic));
    new cloudwatch.Dashboard(stack, 'Dashboard', {
      widgets: [options.widgets?.(queue, stack) ?? [new cloudwatch.GraphWidget({ title: 'Jobs', left: [queue.metricNumberOfMessagesSent(), queue.metricApproximateAgeOfOldestMessage()] })]],
    });
    return resolve(stack);
  };

  test('passes on a stack whose alarm publishes to its topic and whose dashboard reads its queue', () => {
    const t = operationsStack();
    expect([...checkAlarmActions(t), ...checkDashboards(t), ...checkAlarmMetrics(t)]).toEqual([]);
  });

  test('an alarm without an action', () => {
    expect(checkAlarmActions(operationsStack({ alarmAction: false }))).toEqual([expect.stringMatching(/^alarm OldestMessage\w+ has no AlarmActions: it changes state and notifies nobody/)]);
  });

  test('an alarm whose action is a topic of another stack', () => {
    const { stack } = brokenStack();
    const alarm = new cloudwatch.Alarm(stack, 'Alarm', { metric: new sqs.Queue(stack, 'Q').metricApproximateAgeOfOldestMessage(), threshold: 1, evaluationPeriods: 1 });
    alarm.addAlarmAction(new cwActions.SnsAction(sns.Topic.fromTopicArn(stack, 'Elsewhere', 'arn:aws:sns:eu-west-1:111111111111:other-stack-alarms')));
    expect(checkAlarmActions(resolve(stack)).join('\n')).toMatch(/AlarmActions: arn:aws:sns:eu-west-1:111111111111:other-stack-alarms is none of: an SNS topic of this stack/);
  });

  test('a stack without a dashboard', () => {
    const { stack } = brokenStack();
    new sqs.Queue(stack, 'Jobs');
    expect(checkDashboards(resolve(stack))).toEqual([expect.stringMatching(/no AWS::CloudWatch::Dashboard/)]);
  });

  test('a widget with a literal queue name', () => {
    const problems = checkDashboards(operationsStack({
      widgets: () => [new cloudwatch.GraphWidget({ title: 'Jobs', left: [new cloudwatch.Metric({ namespace: 'AWS/SQS', metricName: 'NumberOfMessagesSent', dimensionsMap: { QueueName: 'jobs' } })] })],
    }));
    expect(problems).toEqual([expect.stringMatching(/widget 1 'Jobs' metric 1: QueueName is the literal 'jobs', which is no SQS::Queue of this stack/)]);
  });

  test('a widget reading the queue URL instead of its name', () => {
    const problems = checkDashboards(operationsStack({
      widgets: (queue) => [new cloudwatch.GraphWidget({ left: [new cloudwatch.Metric({ namespace: 'AWS/SQS', metricName: 'NumberOfMessagesSent', dimensionsMap: { QueueName: queue.queueUrl } })] })],
    }));
    expect(problems.join('\n')).toMatch(/QueueName resolves to 'https:\/\/sqs\.eu-west-1\.amazonaws\.com\/111111111111\/Broken-Jobs\w+-1A2B3C4D5E6F', which is no SQS::Queue of this stack/);
  });

  test('a misspelled metric name in a widget', () => {
    const problems = checkDashboards(operationsStack({
      widgets: (queue) => [new cloudwatch.SingleValueWidget({ metrics: [queue.metric('ApproximateAgeOfOldestMesage')] })],
    }));
    expect(problems).toEqual([expect.stringMatching(/AWS\/SQS publishes no metric 'ApproximateAgeOfOldestMesage' \(did you mean 'ApproximateAgeOfOldestMessage'\?\)/)]);
  });

  test('a misspelled metric name in an alarm', () => {
    expect(checkAlarmMetrics(operationsStack({ alarmMetricName: 'ApproximateNumberOfMessageVisible' }))).toEqual([
      expect.stringMatching(/^alarm OldestMessage\w+: AWS\/SQS publishes no metric 'ApproximateNumberOfMessageVisible' \(did you mean 'ApproximateNumberOfMessagesVisible'\?\)/),
    ]);
  });

  test('an alarm widget showing an alarm of another stack', () => {
    const problems = checkDashboards(operationsStack({
      widgets: (_queue, stack) => [new cloudwatch.AlarmStatusWidget({ alarms: [cloudwatch.Alarm.fromAlarmArn(stack, 'Foreign', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:Other-Alarm')] })],
    }));
    expect(problems).toEqual([expect.stringMatching(/widget 1 'Alarm Status': alarm arn:aws:cloudwatch:eu-west-1:111111111111:alarm:Other-Alarm is not an alarm of this stack/)]);
  });
});
