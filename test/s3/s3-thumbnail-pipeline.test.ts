import * as fs from 'fs';
import * as path from 'path';
import { Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { S3ThumbnailPipeline, S3ThumbnailPipelineProps, ThumbnailFormat } from '../../lib';
import { alarmActionsById, alarmShapes, DLQ_DEPTH, HANDLER_ERRORS, HANDLER_THROTTLES, oldestMessage, snsAction, sorted } from '../messaging/alarm-expectations';
import { testApp } from '../support/app';
import { type PolicyDocumentJson, simulate } from '../support/policy-simulator';

function build(props: S3ThumbnailPipelineProps = {}): { stack: Stack; pipeline: S3ThumbnailPipeline; template: Template } {
  const stack = new Stack(testApp(), 'TestStack');
  const pipeline = new S3ThumbnailPipeline(stack, 'Thumbs', props);
  return { stack, pipeline, template: Template.fromStack(stack) };
}

function queueConfigurations(
  template: Template,
): Array<{ Events: string[]; Filter?: { Key: { FilterRules: Array<{ Name: string; Value: string }> } } }> {
  const [resource] = Object.values(template.findResources('Custom::S3BucketNotifications'));
  return resource.Properties.NotificationConfiguration.QueueConfigurations;
}

/** The failed-images alarm with the given threshold. */
const FAILED_IMAGES = (threshold: number) => ({
  MetricName: 'FailedImages', Namespace: 'CdkReferenceArchitectures/S3ThumbnailPipeline', Statistic: 'Sum', Period: 300,
  EvaluationPeriods: 1, Threshold: threshold, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
});

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';

/**
 * Replaces the intrinsics of a template value with what CloudFormation would give for a stack deployed
 * in ACCOUNT and REGION, naming each resource after its logical ID (Ref of a queue is its URL).
 */
function resolveIn(template: Template, value: unknown): unknown {
  const resources = template.toJSON().Resources as Record<string, { Type: string }>;
  const arnOf = (id: string): string => {
    switch (resources[id]?.Type) {
      case 'AWS::SQS::Queue': return `arn:aws:sqs:${REGION}:${ACCOUNT}:${id}`;
      case 'AWS::KMS::Key': return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;
      case 'AWS::S3::Bucket': return `arn:aws:s3:::${id.toLowerCase()}`;
      case 'AWS::IAM::Role': return `arn:aws:iam::${ACCOUNT}:role/${id}`;
      case 'AWS::Logs::LogGroup': return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${id}:*`;
      default: throw new Error(`resolveIn: no ARN for ${id} (${resources[id]?.Type})`);
    }
  };
  const ref = (id: string): string => {
    const pseudo: Record<string, string> = { 'AWS::AccountId': ACCOUNT, 'AWS::Region': REGION, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' };
    if (pseudo[id]) return pseudo[id];
    if (resources[id]?.Type === 'AWS::SQS::Queue') return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${id}`;
    return resources[id]?.Type === 'AWS::S3::Bucket' ? id.toLowerCase() : id;
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v !== 'object' || v === null) return v;
    const o = v as Record<string, unknown>;
    if ('Ref' in o) return ref(o.Ref as string);
    if ('Fn::GetAtt' in o) {
      const [id, attr] = o['Fn::GetAtt'] as [string, string];
      if (attr === 'Arn') return arnOf(id);
      if (attr === 'QueueName') return id;
      throw new Error(`resolveIn: Fn::GetAtt ${id}.${attr}`);
    }
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(walk).join(sep);
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
  };
  return walk(value);
}

describe('S3ThumbnailPipeline', () => {
  describe('defaults', () => {
    let built: ReturnType<typeof build>;
    beforeAll(() => {
      built = build();
    });

    test('source, output and access-log buckets; the output bucket is private and unversioned', () => {
      built.template.resourceCountIs('AWS::S3::Bucket', 3);
      built.template.hasResourceProperties('AWS::S3::Bucket', {
        VersioningConfiguration: Match.absent(),
        LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'thumbnails-bucket/' },
        PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicPolicy: true }),
      });
      expect(built.pipeline.outputBucket).not.toBe(built.pipeline.sourceBucket);
    });

    test('one ObjectCreated notification per image suffix, upper and lower case, to the queue', () => {
      const configs = queueConfigurations(built.template);
      const suffixes = configs.map((c) => c.Filter!.Key.FilterRules.find((r) => r.Name === 'suffix')!.Value);
      expect(suffixes.sort()).toEqual(['.JPEG', '.JPG', '.PNG', '.WEBP', '.jpeg', '.jpg', '.png', '.webp']);
      expect(configs.every((c) => c.Events[0] === 's3:ObjectCreated:*')).toBe(true);
    });

    test('the function: Node.js 24 on arm64, 1024 MB, 60 s, configured by environment', () => {
      built.template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: 1024,
        Timeout: 60,
        Environment: {
          Variables: Match.objectLike({
            OUTPUT_BUCKET: { Ref: Match.stringLikeRegexp('^ThumbsOutputBucket') },
            OUTPUT_PREFIX: 'thumbnails/',
            THUMBNAIL_WIDTHS: '128,512',
            THUMBNAIL_FORMATS: 'jpeg,webp',
            MAX_INPUT_PIXELS: '50000000',
          }),
        },
      });
    });

    test('queue with a dead-letter queue after 3 attempts; visibility 6 x 60 s; batch 5, concurrency 10', () => {
      built.template.hasResourceProperties('AWS::SQS::Queue', {
        VisibilityTimeout: 360,
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 3 },
      });
      built.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        BatchSize: 5, ScalingConfig: { MaximumConcurrency: 10 }, FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    });

    test('alarms: dead-letter queue, oldest message, function errors and throttles, a burst of failed images', () => {
      expect(alarmShapes(built.template)).toEqual(sorted([DLQ_DEPTH, oldestMessage(900), HANDLER_ERRORS, HANDLER_THROTTLES, FAILED_IMAGES(5)]));
      const p = built.pipeline;
      expect(p.alarms).toEqual([p.deadLetterQueueAlarm, p.oldestMessageAgeAlarm, p.handlerErrorsAlarm, p.handlerThrottlesAlarm, p.failedImagesAlarm]);
      built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'FailedImages', Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^ThumbsHandler') } }],
      });
    });

    test('failed attempts are counted per function from the ERROR lines the handler writes for them', () => {
      built.template.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: { Ref: Match.stringLikeRegexp('^ThumbsHandlerLogs') },
        FilterPattern: '{ ($.level = "ERROR") && (($.message = "Record rejected") || ($.message = "Object rejected")) }',
        MetricTransformations: [{
          MetricNamespace: 'CdkReferenceArchitectures/S3ThumbnailPipeline', MetricName: 'FailedImages', MetricValue: '1',
          Dimensions: [{ Key: 'FunctionName', Value: '$.function_name' }], Unit: 'Count',
        }],
      });
      // the handler's ERROR lines that mark a failed attempt (a failed dead-letter send follows an 'Object rejected' line)
      const source = fs.readFileSync(path.join(__dirname, '../../lambda/thumbnail/index.ts'), 'utf8');
      const errorMessages = [...source.matchAll(/logger\.error\('([^']+)'/g)].map((m) => m[1]).filter((m) => !m.startsWith('Dead-letter send failed'));
      expect(errorMessages.sort()).toEqual(['Object rejected', 'Record rejected']);
      // the dimension comes from the Lambda context the handler adds to every line
      expect(source).toMatch(/export const handler = async \(event: SQSEvent, context: Context\)[^{]*\{\s*logger\.addContext\(context\);/);
      // the metric the alarm and dashboards read is the one the filter writes
      const metric = built.pipeline.metricFailedImages();
      expect([metric.namespace, metric.metricName]).toEqual(['CdkReferenceArchitectures/S3ThumbnailPipeline', 'FailedImages']);
      expect(built.stack.resolve(metric.dimensions)).toEqual({ FunctionName: built.stack.resolve(built.pipeline.handler.functionName) });
    });

    test('metrics', () => {
      const p = built.pipeline;
      expect(p.metricUploadsReceived().metricName).toBe('NumberOfMessagesSent');
      expect(p.metricUploadsProcessed().metricName).toBe('NumberOfMessagesDeleted');
      expect(p.metricDeadLetterQueueDepth().metricName).toBe('ApproximateNumberOfMessagesVisible');
      expect(p.metricApproximateAgeOfOldestMessage().metricName).toBe('ApproximateAgeOfOldestMessage');
      expect(p.metricHandlerErrors().metricName).toBe('Errors');
      expect(p.metricHandlerThrottles().metricName).toBe('Throttles');
      expect(p.metricHandlerDuration().metricName).toBe('Duration');
      expect(p.metricHandlerConcurrentExecutions().metricName).toBe('ConcurrentExecutions');
      expect(built.stack.resolve(p.metricHandlerConcurrentExecutions().dimensions))
        .toEqual({ FunctionName: built.stack.resolve(p.handler.functionName) });
    });

    test('the function may only read source objects, list the source bucket and write objects under the output prefix', () => {
      built.template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^ThumbsSourceBucket'), 'Arn'] }, '/*']] } },
            { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ThumbsSourceBucket'), 'Arn'] } },
            { Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^ThumbsOutputBucket'), 'Arn'] }, '/thumbnails/*']] } },
          ]),
        },
      });
      const statements = Object.values(built.template.findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.Roles).includes('ThumbsHandlerRole'))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>);
      const s3Actions = statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('s3:'));
      expect(s3Actions.sort()).toEqual(['s3:GetObject', 's3:ListBucket', 's3:PutObject']);
    });
  });

  describe('the deadline and the dead-letter queue', () => {
    let built: ReturnType<typeof build>;
    beforeAll(() => {
      built = build();
    });

    /** The logical ID of the only resource of `type` whose properties contain `fragment`. */
    const logicalId = (type: string, props: Record<string, unknown> = {}) => {
      const ids = Object.keys(built.template.findResources(type, props === undefined ? undefined : { Properties: props }));
      expect(ids).toHaveLength(1);
      return ids[0];
    };

    test('the function is told the margin and the dead-letter queue URL', () => {
      const dlq = logicalId('AWS::SQS::Queue', { MessageRetentionPeriod: 1_209_600 });
      built.template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ DEADLINE_MARGIN_MS: '10000', DEAD_LETTER_QUEUE_URL: { Ref: dlq } }) },
      });
    });

    test('the function may send to the dead-letter queue (policies evaluated), and to no other queue', async () => {
      const { template } = built;
      const dlq = logicalId('AWS::SQS::Queue', { MessageRetentionPeriod: 1_209_600 });
      const queue = logicalId('AWS::SQS::Queue', { RedrivePolicy: Match.anyValue() });
      const key = logicalId('AWS::KMS::Key');
      const role = Object.keys(template.findResources('AWS::IAM::Role')).find((id) => id.startsWith('ThumbsHandlerRole'))!;
      const identityPolicies = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.Roles).includes(role))
        .map((p) => resolveIn(template, p.Properties.PolicyDocument) as PolicyDocumentJson);
      const keyPolicy = resolveIn(template, template.toJSON().Resources[key].Properties.KeyPolicy) as PolicyDocumentJson;
      const principal = `arn:aws:iam::${ACCOUNT}:role/${role}`;
      const request = (action: string, resource: string, resourcePolicy?: PolicyDocumentJson) =>
        simulate({ principal, action, resource, resourceAccount: ACCOUNT, identityPolicies, resourcePolicy });
      const arn = (id: string) => resolveIn(template, { 'Fn::GetAtt': [id, 'Arn'] }) as string;

      await expect(request('sqs:SendMessage', arn(dlq))).resolves.toBe('Allowed');
      await expect(request('sqs:SendMessage', arn(queue))).resolves.toBe('ImplicitlyDenied');
      // SendMessage to a queue encrypted with a customer-managed key needs a data key, and Decrypt
      await expect(request('kms:GenerateDataKey', arn(key), keyPolicy)).resolves.toBe('Allowed');
      await expect(request('kms:Decrypt', arn(key), keyPolicy)).resolves.toBe('Allowed');
    });

    test('a margin of its own is passed on in milliseconds', () => {
      const { template } = build({ deadlineMargin: Duration.seconds(20), timeout: Duration.seconds(90) });
      template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ DEADLINE_MARGIN_MS: '20000' }) } });
    });

    test('fails if the margin is not shorter than the timeout', () => {
      expect(() => build({ deadlineMargin: Duration.seconds(30), timeout: Duration.seconds(30) }))
        .toThrow(/S3ThumbnailPipeline: deadlineMargin '30 seconds': must be shorter than the timeout \(30 seconds\): no record would ever be started.*raise timeout/);
    });

    test('fails if the margin is a token (it must be concrete)', () => {
      expect(() => build({ deadlineMargin: Duration.seconds(Lazy.number({ produce: () => 5 })) }))
        .toThrow(/deadlineMargin '\(token\)': must be known at synth time/);
    });
  });

  describe('options', () => {
    test('output in the source bucket under a prefix, with a source prefix that keeps them apart', () => {
      const { pipeline, template } = build({ outputInSourceBucket: true, sourcePrefix: 'uploads/', outputPrefix: 'thumbs/' });
      expect(pipeline.outputBucket).toBe(pipeline.sourceBucket);
      template.resourceCountIs('AWS::S3::Bucket', 2); // source + access logs
      for (const config of queueConfigurations(template)) {
        expect(config.Filter!.Key.FilterRules).toContainEqual({ Name: 'prefix', Value: 'uploads/' });
      }
    });

    test('same bucket and overlapping prefixes are fine when no output format matches a suffix', () => {
      const { template } = build({ outputInSourceBucket: true, formats: [ThumbnailFormat.AVIF], imageSuffixes: ['.jpg', '.png'] });
      template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ THUMBNAIL_FORMATS: 'avif' }) } });
    });

    test('existing buckets, widths, formats, pixel limit, memory, architecture', () => {
      const stack = new Stack(testApp(), 'TestStack');
      const source = s3.Bucket.fromBucketName(stack, 'Src', 'my-uploads');
      const output = s3.Bucket.fromBucketName(stack, 'Out', 'my-thumbs');
      new S3ThumbnailPipeline(stack, 'Thumbs', {
        sourceBucket: source, outputBucket: output, widths: [64], formats: [ThumbnailFormat.AVIF], maxInputPixels: 1000,
        memorySize: 2048, architecture: lambda.Architecture.X86_64, timeout: Duration.seconds(30), removalPolicy: RemovalPolicy.DESTROY,
      });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::S3::Bucket', 0);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Architectures: ['x86_64'], MemorySize: 2048,
        Environment: { Variables: Match.objectLike({ OUTPUT_BUCKET: 'my-thumbs', THUMBNAIL_WIDTHS: '64', THUMBNAIL_FORMATS: 'avif', MAX_INPUT_PIXELS: '1000' }) },
      });
    });

    test('a memory size token is accepted', () => {
      const { template } = build({ memorySize: Lazy.number({ produce: () => 1536 }) });
      template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 1536 });
    });
  });

  describe('alarm actions', () => {
    test('alarmActions and addAlarmActions reach every alarm, the worker\'s included', () => {
      const stack = new Stack(testApp(), 'TestStack');
      const first = snsAction(stack, 'First');
      const second = snsAction(stack, 'Second');
      const pipeline = new S3ThumbnailPipeline(stack, 'Thumbs', { alarmActions: [first.action] });
      pipeline.addAlarmActions(second.action);
      expect(Object.values(alarmActionsById(Template.fromStack(stack)))).toEqual(Array(5).fill([first.ref, second.ref]));
    });

    test('failedImagesAlarmThreshold sets the burst size; a token is accepted', () => {
      expect(alarmShapes(build({ failedImagesAlarmThreshold: 20 }).template)).toContainEqual(FAILED_IMAGES(20));
      build({ failedImagesAlarmThreshold: Lazy.number({ produce: () => 3 }) }).template
        .hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'FailedImages', Threshold: 3 });
    });

    test('fails if failedImagesAlarmThreshold is 0', () => {
      expect(() => build({ failedImagesAlarmThreshold: 0 })).toThrow(/S3ThumbnailPipeline: failedImagesAlarmThreshold '0': must be a whole number of failed attempts, at least 1/);
    });
  });

  describe('validation', () => {
    test('fails if thumbnails would be written where the notification filter matches (recursion)', () => {
      expect(() => build({ outputInSourceBucket: true, outputPrefix: 'thumbnails/' }))
        .toThrow(/S3ThumbnailPipeline: outputPrefix 'thumbnails\/': thumbnails \(\*\.jpg, \*\.webp\) would be written where the upload notification \(prefix '', suffixes .*\) matches, so each thumbnail would trigger the function again, endlessly.*sourcePrefix: 'uploads\/'/);
    });

    test('fails if the output is the same existing bucket with an overlapping prefix', () => {
      const stack = new Stack(testApp(), 'TestStack');
      const bucket = s3.Bucket.fromBucketName(stack, 'B', 'my-images');
      expect(() => new S3ThumbnailPipeline(stack, 'Thumbs', { sourceBucket: bucket, outputBucket: bucket, sourcePrefix: 'img/', outputPrefix: 'img/small/' }))
        .toThrow(/trigger the function again/);
    });

    test('fails if the output prefix is empty in the source bucket', () => {
      expect(() => build({ outputInSourceBucket: true, outputPrefix: '', sourcePrefix: 'uploads/' }))
        .toThrow(/outputPrefix '': with the output in the source bucket, thumbnails need their own prefix/);
    });

    test.each([[[0]], [[12.5]], [[20000]], [[]], [[128, 128]]])('fails if widths is %p', (widths) => {
      expect(() => build({ widths })).toThrow(/S3ThumbnailPipeline: widths/);
    });

    test('fails if a width is a token (it must be concrete)', () => {
      expect(() => build({ widths: [Lazy.number({ produce: () => 100 })] })).toThrow(/widths '\(token\)': must be known at synth time/);
    });

    test('fails if formats is empty or repeats', () => {
      expect(() => build({ formats: [] })).toThrow(/formats '': at least one format/);
      expect(() => build({ formats: [ThumbnailFormat.WEBP, ThumbnailFormat.WEBP] })).toThrow(/formats 'webp,webp'/);
    });

    test('fails if an image suffix is empty or a glob', () => {
      expect(() => build({ imageSuffixes: [''] })).toThrow(/imageSuffixes '': an empty suffix matches every key/);
      expect(() => build({ imageSuffixes: ['*.jpg'] })).toThrow(/S3 key filters are literal strings, not globs.*use suffix: '\.jpg'/);
    });

    test('fails if maxInputPixels or memorySize is out of range', () => {
      expect(() => build({ maxInputPixels: 0 })).toThrow(/maxInputPixels '0': must be a positive whole number/);
      expect(() => build({ memorySize: 64 })).toThrow(/memorySize '64': must be a whole number from 128 to 10240 MB/);
    });

    test('fails if outputBucket and outputInSourceBucket are both set', () => {
      const stack = new Stack(testApp(), 'TestStack');
      expect(() => new S3ThumbnailPipeline(stack, 'Thumbs', { outputInSourceBucket: true, outputBucket: s3.Bucket.fromBucketName(stack, 'O', 'out-bucket'), sourcePrefix: 'u/' }))
        .toThrow(/outputBucket .*cannot be combined with outputInSourceBucket/);
    });
  });
});
