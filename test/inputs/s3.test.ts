import { App, CfnParameter, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { BucketEvents, BucketEventTarget, S3ThumbnailPipeline } from '../../lib';
import { assertEveryAcknowledgementMatches } from '../support/harness';
import { type PolicyDocumentJson, simulate } from '../support/policy-simulator';
import { AcknowledgementLedger } from '../support/contracts/acknowledgement-ledger';
import { describeTokenMatrix, stackDependencies, synthesizeAll, twoStacks, validatingApp } from '../support/input-matrix';
import { INPUTS } from './s3.cases';

const ENV = { account: '123456789012', region: 'us-east-1' };

function cmkQueue(scope: Construct, id = 'Queue'): sqs.Queue {
  return new sqs.Queue(scope, id, { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: new kms.Key(scope, `${id}Key`) });
}

function fn(scope: Construct, id = 'Fn'): lambda.Function {
  return new lambda.Function(scope, id, { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>{}') });
}

/** Synthesizes the app with cdk-nag's AwsSolutions and Serverless packs: throws on an unacknowledged finding or an acknowledgement that hid none. */
function synthesizeWithNag(app: App): void {
  const ledger = new AcknowledgementLedger();
  Validations.of(app).addPlugins(ledger.watch(new AwsSolutionsChecks(app)), ledger.watch(new ServerlessChecks(app)));
  const assembly = app.synth();
  ledger.readValidationReport(assembly.directory);
  assertEveryAcknowledgementMatches(app, ledger);
}

/** The stacks each stack depends on, without the asset stacks. */
function dependencies(app: App): Record<string, string[]> {
  return Object.fromEntries(Object.entries(stackDependencies(app)).map(([stack, deps]) => [stack, deps.filter((d) => !d.endsWith('.assets'))]));
}

/** A bucket cdk-nag accepts (TLS only, access logs), standing for one of the user's. */
function userBucket(scope: Construct, id: string): s3.Bucket {
  return new s3.Bucket(scope, id, { enforceSSL: true, serverAccessLogsPrefix: 'logs/' });
}

/**
 * Resolves the intrinsics of the consumer's template as CloudFormation would in ENV, following
 * `Fn::GetStackOutput` into the producer's outputs; a bucket's name is its logical ID in lower case.
 */
function crossStackResolver(producer: Template, consumer: Template): (value: unknown) => unknown {
  const templates = { Producer: producer.toJSON(), Consumer: consumer.toJSON() } as Record<string, any>;
  const walk = (stack: string, v: unknown): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(stack, x));
    if (typeof v !== 'object' || v === null) return v;
    const o = v as Record<string, any>;
    const type = (id: string) => templates[stack].Resources[id]?.Type as string;
    if ('Fn::GetStackOutput' in o) {
      const { StackName, OutputName } = o['Fn::GetStackOutput'];
      return walk(StackName, templates[StackName].Outputs[OutputName].Value);
    }
    if ('Ref' in o) {
      const pseudo: Record<string, string> = { 'AWS::AccountId': ENV.account, 'AWS::Region': ENV.region, 'AWS::Partition': 'aws' };
      return pseudo[o.Ref] ?? (type(o.Ref) === 'AWS::S3::Bucket' ? o.Ref.toLowerCase() : o.Ref);
    }
    if ('Fn::GetAtt' in o) {
      const [id] = o['Fn::GetAtt'];
      switch (type(id)) {
        case 'AWS::S3::Bucket': return `arn:aws:s3:::${id.toLowerCase()}`;
        case 'AWS::SQS::Queue': return `arn:aws:sqs:${ENV.region}:${ENV.account}:${id}`;
        case 'AWS::KMS::Key': return `arn:aws:kms:${ENV.region}:${ENV.account}:key/${id}`;
        default: return `arn:aws:unknown:::${id}`;
      }
    }
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'];
      return (parts as unknown[]).map((x) => walk(stack, x)).join(sep);
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(stack, x)]));
  };
  return (value) => walk('Consumer', value);
}

/** Every S3 notification configuration of the stack's notification custom resources. */
function notificationResources(stack: Stack): Array<Record<string, any>> {
  return Object.values(Template.fromStack(stack).findResources('Custom::S3BucketNotifications')).map((r) => r.Properties);
}

describe('s3 inputs', () => {
  describe('tokens', () => {
    describeTokenMatrix(INPUTS);

    test('S3ThumbnailPipeline: a token timeout synthesizes; the queue waits 6 x Lambda\'s longest timeout', () => {
      const app = validatingApp();
      const stack = new Stack(app, 'Tokens', { env: ENV });
      const seconds = new CfnParameter(stack, 'Timeout', { type: 'Number', default: 60 }).valueAsNumber;
      new S3ThumbnailPipeline(stack, 'Thumbs', { timeout: Duration.seconds(seconds) });
      expect(synthesizeAll(app)).toEqual([]);
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::Lambda::Function', { Timeout: { Ref: 'Timeout' }, Environment: { Variables: Match.objectLike({ OUTPUT_PREFIX: 'thumbnails/' }) } });
      template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 5400 });
    });

    test('S3ThumbnailPipeline: token sourcePrefix and outputPrefix pass cdk-nag with acknowledgements that match the findings', () => {
      const app = validatingApp();
      const stack = new Stack(app, 'Tokens', { env: ENV });
      new S3ThumbnailPipeline(stack, 'Thumbs', {
        sourcePrefix: new CfnParameter(stack, 'Source', { default: 'uploads/' }).valueAsString,
        outputPrefix: new CfnParameter(stack, 'Output', { default: 'thumbnails/' }).valueAsString,
      });
      expect(() => synthesizeWithNag(app)).not.toThrow();
    });

    test('S3ThumbnailPipeline: a source bucket imported by a token name passes cdk-nag too', () => {
      const app = validatingApp();
      const stack = new Stack(app, 'Tokens', { env: ENV });
      const name = new CfnParameter(stack, 'BucketName', { default: 'images' }).valueAsString;
      new S3ThumbnailPipeline(stack, 'Thumbs', { sourceBucket: s3.Bucket.fromBucketName(stack, 'Images', name), sourcePrefix: 'uploads/' });
      expect(() => synthesizeWithNag(app)).not.toThrow();
    });
  });

  test('BucketEvents: a token noncurrentVersionExpiration in days synthesizes', () => {
    const app = validatingApp();
    const stack = new Stack(app, 'Tokens', { env: ENV });
    const days = new CfnParameter(stack, 'Days', { type: 'Number', default: 30 }).valueAsNumber;
    new BucketEvents(stack, 'Events', { noncurrentVersionExpiration: Duration.days(days) });
    expect(synthesizeAll(app)).toEqual([]);
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: { Ref: 'Days' } } })] },
    });
  });

  describe('documented ranges', () => {
    const pipeline = (props: Record<string, unknown>) => () => {
      new S3ThumbnailPipeline(new Stack(validatingApp(), 'Ranges', { env: ENV }), 'Thumbs', props);
    };
    const events = (props: Record<string, unknown>) => () => {
      new BucketEvents(new Stack(validatingApp(), 'Ranges', { env: ENV }), 'Events', props);
    };

    test('S3ThumbnailPipeline timeout: 15 minutes accepted, one second more rejected (Lambda quotas)', () => {
      expect(pipeline({ timeout: Duration.minutes(15) })).not.toThrow();
      expect(pipeline({ timeout: Duration.seconds(901) }))
        .toThrow(/S3ThumbnailPipeline: timeout '15 minutes 1 second': must be a whole number from 1 to 900 seconds \(Lambda quotas: function timeout\)/);
    });

    test('S3ThumbnailPipeline memorySize: 128 and 10240 MB accepted, 127 and 10241 rejected', () => {
      expect(pipeline({ memorySize: 128 })).not.toThrow();
      expect(pipeline({ memorySize: 10_240 })).not.toThrow();
      expect(pipeline({ memorySize: 127 })).toThrow(/memorySize '127': must be a whole number from 128 to 10240 MB/);
      expect(pipeline({ memorySize: 10_241 })).toThrow(/memorySize '10241': must be a whole number from 128 to 10240 MB/);
    });

    test('BucketEvents noncurrentVersionExpiration: 1 day accepted; under a day or a fraction of days rejected (NoncurrentDays)', () => {
      expect(events({ noncurrentVersionExpiration: Duration.days(1) })).not.toThrow();
      expect(events({ noncurrentVersionExpiration: Duration.hours(12) }))
        .toThrow(/BucketEvents: noncurrentVersionExpiration '12 hours': S3 expires noncurrent versions after a whole number of days, at least 1/);
      expect(events({ noncurrentVersionExpiration: Duration.hours(36) })).toThrow(/noncurrentVersionExpiration '1 day 12 hours': .*whole number of days/);
    });
  });

  describe('two pipelines (or routes) on one bucket', () => {
    function twoOnOneBucket(first: Record<string, unknown>, second: Record<string, unknown>): () => void {
      return () => {
        const stack = new Stack(validatingApp(), 'Shared', { env: ENV });
        const bucket = new s3.Bucket(stack, 'Images');
        new S3ThumbnailPipeline(stack, 'First', { sourceBucket: bucket, ...first });
        new S3ThumbnailPipeline(stack, 'Second', { sourceBucket: bucket, ...second });
      };
    }

    test('fails if both use the same prefix, naming both constructs', () => {
      expect(twoOnOneBucket({ sourcePrefix: 'uploads/' }, { sourcePrefix: 'uploads/' }))
        .toThrow(/BucketEvents at 'Shared\/Second\/Source'[^]*overlaps routes\[queue s3:ObjectCreated:\* prefix 'uploads\/' suffix '\.jpg'\] of BucketEvents at 'Shared\/First\/Source'.*Configuration is ambiguously defined/);
    });

    test('fails if one prefix contains the other', () => {
      expect(twoOnOneBucket({ sourcePrefix: 'uploads/' }, { sourcePrefix: 'uploads/raw/' })).toThrow(/overlaps .* of BucketEvents at 'Shared\/First\/Source'/);
      expect(twoOnOneBucket({}, { sourcePrefix: 'uploads/' })).toThrow(/overlaps .* of BucketEvents at 'Shared\/First\/Source'/);
    });

    test('disjoint prefixes, or disjoint suffixes, are accepted', () => {
      expect(twoOnOneBucket({ sourcePrefix: 'a/' }, { sourcePrefix: 'b/' })).not.toThrow();
      expect(twoOnOneBucket({ imageSuffixes: ['.png'] }, { imageSuffixes: ['.jpg'] })).not.toThrow();
    });

    test('fails if a BucketEvents route overlaps a pipeline on the same bucket, also in another stack', () => {
      const app = validatingApp();
      const { producer, consumer } = twoStacks(app);
      const bucket = new s3.Bucket(producer, 'Images');
      new BucketEvents(producer, 'Events', { bucket, routes: [{ events: [s3.EventType.OBJECT_CREATED_PUT], prefix: 'uploads/', target: BucketEventTarget.toQueue(cmkQueue(producer)) }] });
      expect(() => new S3ThumbnailPipeline(consumer, 'Thumbs', { sourceBucket: bucket, sourcePrefix: 'uploads/' }))
        .toThrow(/overlaps routes\[queue s3:ObjectCreated:Put prefix 'uploads\/'\] of BucketEvents at 'Producer\/Events'/);
    });
  });

  test('BucketEvents: an EventBridge rule description from a long path and every event type stays within 512 characters', () => {
    const app = validatingApp();
    const stack = new Stack(app, 'Long', { env: ENV });
    const events = new BucketEvents(new Construct(stack, `${'Deep_'.repeat(30)}Scope`), `${'9Events_'.repeat(30)}`, {});
    const all = [s3.EventType.OBJECT_CREATED, s3.EventType.OBJECT_REMOVED, s3.EventType.OBJECT_RESTORE, s3.EventType.LIFECYCLE_EXPIRATION,
      s3.EventType.LIFECYCLE_TRANSITION, s3.EventType.INTELLIGENT_TIERING, s3.EventType.OBJECT_TAGGING, s3.EventType.OBJECT_ACL_PUT];
    events.addRoute({ id: 'All', events: all, target: BucketEventTarget.toEventBridge([]) });
    expect(synthesizeAll(app)).toEqual([]);
    const [rule] = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'));
    expect(rule.Properties.Description.length).toBeLessThanOrEqual(512);
    expect(rule.Properties.Description).toMatch(/s3:ObjectAcl:Put events of .*9Events_$/);
  });

  describe('imported buckets', () => {
    test('BucketEvents on a bucket imported by name: aws-cdk-lib keeps the configurations made elsewhere, and may read and write them', () => {
      const app = validatingApp();
      const stack = new Stack(app, 'Imported', { env: ENV });
      new BucketEvents(stack, 'Events', {
        bucket: s3.Bucket.fromBucketName(stack, 'Existing', 'existing-bucket'),
        routes: [{ events: [s3.EventType.OBJECT_CREATED], target: BucketEventTarget.toQueue(cmkQueue(stack)) }],
      });
      expect(synthesizeAll(app)).toEqual([]);
      expect(notificationResources(stack)).toEqual([expect.objectContaining({ BucketName: 'existing-bucket', Managed: false })]);
      Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: Match.arrayWith([
          Match.objectLike({ Action: ['s3:GetBucketNotification', 's3:PutBucketNotification'], Resource: 'arn:aws:s3:::existing-bucket' }),
        ]) },
      });
    });

    test('BucketEvents with an imported queue, topic and log bucket: synthesizes, and warns that the imported policies must let S3 deliver', () => {
      const app = validatingApp();
      const stack = new Stack(app, 'Imported', { env: ENV });
      new BucketEvents(stack, 'Events', {
        serverAccessLogsBucket: s3.Bucket.fromBucketName(stack, 'Logs', 'access-logs-bucket'),
        routes: [
          { events: [s3.EventType.OBJECT_CREATED], target: BucketEventTarget.toQueue(sqs.Queue.fromQueueArn(stack, 'Q', 'arn:aws:sqs:us-east-1:123456789012:uploads')) },
          { events: [s3.EventType.OBJECT_REMOVED], target: BucketEventTarget.toTopic(sns.Topic.fromTopicArn(stack, 'T', 'arn:aws:sns:us-east-1:123456789012:removals')) },
        ],
      });
      expect(synthesizeAll(app)).toEqual([]);
      const annotations = Annotations.fromStack(stack);
      annotations.hasWarning('/Imported/Events', Match.stringLikeRegexp('The queue uploads is imported; its policy must allow s3.amazonaws.com sqs:SendMessage'));
      annotations.hasWarning('/Imported/Events', Match.stringLikeRegexp('The topic removals is imported; its policy must allow s3.amazonaws.com sns:Publish'));
    });

    test('S3ThumbnailPipeline on buckets imported by ARN passes cdk-nag', () => {
      const app = validatingApp();
      const stack = new Stack(app, 'Imported', { env: ENV });
      new S3ThumbnailPipeline(stack, 'Thumbs', {
        sourceBucket: s3.Bucket.fromBucketArn(stack, 'Source', 'arn:aws:s3:::uploads-bucket'),
        outputBucket: s3.Bucket.fromBucketArn(stack, 'Output', 'arn:aws:s3:::thumbnails-bucket'),
      });
      expect(() => synthesizeWithNag(app)).not.toThrow();
    });
  });

  describe('cross-stack', () => {
    const receivers: Array<[string, (scope: Construct) => BucketEventTarget]> = [
      ['queue', (scope) => BucketEventTarget.toQueue(cmkQueue(scope))],
      ['topic', (scope) => BucketEventTarget.toTopic(new sns.Topic(scope, 'Topic', { masterKey: new kms.Key(scope, 'TopicKey') }))],
      ['function', (scope) => BucketEventTarget.toFunction(fn(scope))],
    ];

    test.each(receivers)('BucketEvents in the producer, a %s in the consumer: the glue is in the consumer, no cycle', (_kind, target) => {
      const app = validatingApp();
      const { producer, consumer } = twoStacks(app);
      new BucketEvents(producer, 'Events', { routes: [{ events: [s3.EventType.OBJECT_CREATED], target: target(consumer) }] });
      expect(synthesizeAll(app)).toEqual([]);
      expect(dependencies(app)).toEqual({ Producer: [], Consumer: ['Producer'] });
      expect(notificationResources(producer)).toEqual([]);
      expect(notificationResources(consumer)).toEqual([expect.objectContaining({ Managed: false })]);
    });

    test.each(receivers)('a %s in the producer, BucketEvents and its bucket in the consumer: the glue is in the producer, no cycle', (_kind, target) => {
      const app = validatingApp();
      const { producer, consumer } = twoStacks(app);
      new BucketEvents(consumer, 'Events', { routes: [{ events: [s3.EventType.OBJECT_CREATED], target: target(producer) }] });
      expect(synthesizeAll(app)).toEqual([]);
      expect(dependencies(app)).toEqual({ Producer: ['Consumer'], Consumer: [] });
    });

    test('a queue in the consumer: S3 may deliver from the producer\'s bucket and encrypt with the queue\'s key, and from no other bucket (policies evaluated)', async () => {
      const app = validatingApp();
      const { producer, consumer } = twoStacks(app);
      new BucketEvents(producer, 'Events', { routes: [{ events: [s3.EventType.OBJECT_CREATED], target: BucketEventTarget.toQueue(cmkQueue(consumer)) }] });
      app.synth();
      const resolve = crossStackResolver(Template.fromStack(producer), Template.fromStack(consumer));
      const consumerTemplate = Template.fromStack(consumer).toJSON();
      const [notification] = notificationResources(consumer).map((p) => resolve(p) as Record<string, any>);
      const bucketName = notification.BucketName as string;
      const queueArn = notification.NotificationConfiguration.QueueConfigurations[0].QueueArn as string;
      expect(bucketName).toMatch(/^eventsbucket/);
      const [queuePolicy] = Object.values(Template.fromStack(consumer).findResources('AWS::SQS::QueuePolicy'));
      const [keyId] = Object.keys(Template.fromStack(consumer).findResources('AWS::KMS::Key'));
      const keyPolicy = resolve(consumerTemplate.Resources[keyId].Properties.KeyPolicy) as PolicyDocumentJson;
      const fromBucket = (name: string, action: string, resource: string, resourcePolicy: PolicyDocumentJson) => simulate({
        principal: 's3.amazonaws.com', action, resource, resourceAccount: ENV.account, resourcePolicy,
        context: { 'aws:SourceArn': `arn:aws:s3:::${name}`, 'aws:SourceAccount': ENV.account },
      });
      const policy = resolve(queuePolicy.Properties.PolicyDocument) as PolicyDocumentJson;
      await expect(fromBucket(bucketName, 'sqs:SendMessage', queueArn, policy)).resolves.toBe('Allowed');
      await expect(fromBucket('another-bucket', 'sqs:SendMessage', queueArn, policy)).resolves.toBe('ImplicitlyDenied');
      const keyArn = resolve({ 'Fn::GetAtt': [keyId, 'Arn'] }) as string;
      await expect(fromBucket(bucketName, 'kms:GenerateDataKey', keyArn, keyPolicy)).resolves.toBe('Allowed');
      await expect(fromBucket(bucketName, 'kms:Decrypt', keyArn, keyPolicy)).resolves.toBe('Allowed');
      await expect(fromBucket('another-bucket', 'kms:GenerateDataKey', keyArn, keyPolicy)).resolves.toBe('ImplicitlyDenied');
    });

    test('routes in both stacks: the bucket\'s own notifications stop replacing the whole configuration', () => {
      const app = validatingApp();
      const { producer, consumer } = twoStacks(app);
      new BucketEvents(producer, 'Events', { routes: [
        { events: [s3.EventType.OBJECT_CREATED], prefix: 'a/', target: BucketEventTarget.toQueue(cmkQueue(producer)) },
        { events: [s3.EventType.OBJECT_CREATED], prefix: 'b/', target: BucketEventTarget.toQueue(cmkQueue(consumer)) },
      ] });
      expect(synthesizeAll(app)).toEqual([]);
      expect(notificationResources(producer)).toEqual([expect.objectContaining({ Managed: false })]);
      Template.fromStack(producer).hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['s3:GetBucketNotification']) })]) },
      });
    });

    test('S3ThumbnailPipeline with its source bucket in the producer: no cycle, the consumer depends on the producer', () => {
      const app = validatingApp();
      const { producer, consumer } = twoStacks(app);
      new S3ThumbnailPipeline(consumer, 'Thumbs', { sourceBucket: new s3.Bucket(producer, 'Images'), sourcePrefix: 'uploads/' });
      expect(synthesizeAll(app)).toEqual([]);
      expect(dependencies(app)).toEqual({ Producer: [], Consumer: ['Producer'] });
      expect(notificationResources(producer)).toEqual([]);
    });

    test('S3ThumbnailPipeline with source and output buckets in the producer passes cdk-nag, no cycle', () => {
      const app = validatingApp();
      const { producer, consumer } = twoStacks(app);
      new S3ThumbnailPipeline(consumer, 'Thumbs', { sourceBucket: userBucket(producer, 'Images'), outputBucket: userBucket(producer, 'Thumbnails') });
      expect(() => synthesizeWithNag(app)).not.toThrow();
      expect(dependencies(app)).toEqual({ Producer: [], Consumer: ['Producer'] });
    });

    test('S3ThumbnailPipeline in the producer, its output bucket in the consumer: no cycle', () => {
      const app = validatingApp();
      const { producer, consumer } = twoStacks(app);
      new S3ThumbnailPipeline(producer, 'Thumbs', { outputBucket: new s3.Bucket(consumer, 'Thumbnails') });
      expect(synthesizeAll(app)).toEqual([]);
      expect(dependencies(app)).toEqual({ Producer: ['Consumer'], Consumer: [] });
    });
  });
});
