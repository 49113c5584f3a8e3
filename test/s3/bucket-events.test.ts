import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { BucketEvents, BucketEventTarget } from '../../lib';
import { eventTypesOverlap } from '../../lib/private/notification-filters';
import { alarmActionsById, alarmShapes, snsAction } from '../messaging/alarm-expectations';
import { testStack } from '../support/app';
import { type EventPattern, matchesEventPattern } from '../support/event-pattern';

function cmkQueue(stack: Stack, id = 'Queue'): sqs.Queue {
  return new sqs.Queue(stack, id, { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: new kms.Key(stack, `${id}Key`) });
}

/** The bucket notification configuration the custom resource will apply. */
function notificationConfig(template: Template): Record<string, Array<Record<string, unknown>>> {
  const [resource] = Object.values(template.findResources('Custom::S3BucketNotifications'));
  return resource.Properties.NotificationConfiguration;
}

describe('BucketEvents', () => {
  describe('bucket defaults', () => {
    let template: Template;
    beforeAll(() => {
      const stack = testStack();
      new BucketEvents(stack, 'Events');
      template = Template.fromStack(stack);
    });

    test('the bucket blocks public access, is encrypted, versioned, retained and logs access', () => {
      template.hasResource('AWS::S3::Bucket', {
        DeletionPolicy: 'Retain',
        Properties: {
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
          BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
          VersioningConfiguration: { Status: 'Enabled' },
          LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^EventsAccessLogs') }, LogFilePrefix: 'bucket/' },
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        },
      });
    });

    test('noncurrent versions expire after 30 days and incomplete uploads are aborted', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: [Match.objectLike({
            NoncurrentVersionExpiration: { NoncurrentDays: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          })],
        },
      });
    });

    test('the bucket policy denies requests without TLS', () => {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: Match.stringLikeRegexp('^EventsBucket') },
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    });

    test('the access log bucket is private too and expires logs after 90 days', () => {
      template.resourceCountIs('AWS::S3::Bucket', 2);
      template.hasResourceProperties('AWS::S3::Bucket', {
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90 })] },
        PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true }),
      });
    });

    test('versioning can be turned off and removal opted into', () => {
      const stack = testStack();
      new BucketEvents(stack, 'Events', { versioned: false, removalPolicy: RemovalPolicy.DESTROY, noncurrentVersionExpiration: Duration.days(3) });
      const t = Template.fromStack(stack);
      t.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ VersioningConfiguration: Match.absent(), LoggingConfiguration: Match.anyValue() }) });
    });
  });

  describe('routes', () => {
    test('a queue route: one configuration per event type, filters as given, policies scoped to the bucket', () => {
      const stack = testStack();
      const queue = cmkQueue(stack);
      new BucketEvents(stack, 'Events', {
        routes: [{ events: [s3.EventType.OBJECT_CREATED, s3.EventType.OBJECT_REMOVED], prefix: 'uploads/', suffix: '.jpg', target: BucketEventTarget.toQueue(queue) }],
      });
      const template = Template.fromStack(stack);
      const config = notificationConfig(template);
      expect(config.QueueConfigurations).toHaveLength(2);
      expect(config.QueueConfigurations[0]).toMatchObject({
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: expect.arrayContaining([{ Name: 'prefix', Value: 'uploads/' }, { Name: 'suffix', Value: '.jpg' }]) } },
      });
      const bucketScope = {
        ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^EventsBucket'), 'Arn'] } },
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      };
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 's3.amazonaws.com' }, Action: 'sqs:SendMessage', Condition: bucketScope })] },
      });
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 's3.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Condition: bucketScope })]) },
      });
      // the notification waits for the queue policy, or S3 rejects the configuration
      const [notifications] = Object.values(template.findResources('Custom::S3BucketNotifications'));
      expect(notifications.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^QueuePolicy/)]));
    });

    test('a topic route publishes with a topic policy scoped to the bucket', () => {
      const stack = testStack();
      const topic = new sns.Topic(stack, 'Topic');
      new BucketEvents(stack, 'Events', { routes: [{ events: [s3.EventType.OBJECT_RESTORE_COMPLETED], target: BucketEventTarget.toTopic(topic) }] });
      const template = Template.fromStack(stack);
      expect(notificationConfig(template).TopicConfigurations).toEqual([
        { Events: ['s3:ObjectRestore:Completed'], TopicArn: { Ref: expect.stringMatching(/^Topic/) } },
      ]);
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 's3.amazonaws.com' }, Action: 'sns:Publish' })]) },
      });
    });

    test('a function route invokes Lambda with a permission limited to the bucket', () => {
      const stack = testStack();
      const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>{}') });
      new BucketEvents(stack, 'Events', { routes: [{ events: [s3.EventType.REPLICATION_OPERATION_FAILED_REPLICATION], target: BucketEventTarget.toFunction(fn) }] });
      const template = Template.fromStack(stack);
      expect(notificationConfig(template).LambdaFunctionConfigurations).toHaveLength(1);
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Principal: 's3.amazonaws.com', SourceAccount: { Ref: 'AWS::AccountId' }, SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EventsBucket'), 'Arn'] },
      });
    });

    test('an EventBridge route turns on EventBridge delivery and creates a rule with the filters', () => {
      const stack = testStack();
      const queue = new sqs.Queue(stack, 'Target');
      const bucketEvents = new BucketEvents(stack, 'Events', {
        routes: [{ id: 'Restores', events: [s3.EventType.OBJECT_RESTORE, s3.EventType.OBJECT_CREATED], prefix: 'archive/', suffix: '.csv', target: BucketEventTarget.toEventBridge([new targets.SqsQueue(queue)]) }],
      });
      const template = Template.fromStack(stack);
      expect(notificationConfig(template).EventBridgeConfiguration).toEqual({});
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          'source': ['aws.s3'],
          'detail-type': ['Object Restore Initiated', 'Object Restore Completed', 'Object Restore Expired', 'Object Created'],
          'detail': { bucket: { name: [{ Ref: Match.stringLikeRegexp('^EventsBucket') }] }, object: { key: [{ wildcard: 'archive/*.csv' }] } },
        },
      });
      expect(bucketEvents.eventBridgeRules.Restores).toBeInstanceOf(events.Rule);
    });

    test('an EventBridge route gets an alarm on failed invocations of its rule; other routes none', () => {
      const stack = testStack();
      const queue = new sqs.Queue(stack, 'Target');
      const bucketEvents = new BucketEvents(stack, 'Events', {
        routes: [
          { id: 'Uploads', events: [s3.EventType.OBJECT_CREATED], target: BucketEventTarget.toEventBridge([new targets.SqsQueue(queue)]) },
          { events: [s3.EventType.OBJECT_REMOVED], target: BucketEventTarget.toQueue(cmkQueue(stack)) },
        ],
      });
      const template = Template.fromStack(stack);
      expect(alarmShapes(template)).toEqual([{
        MetricName: 'FailedInvocations', Namespace: 'AWS/Events', Statistic: 'Sum', Period: 300,
        EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
      }]);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Dimensions: [{ Name: 'RuleName', Value: { Ref: Match.stringLikeRegexp('^EventsUploads') } }],
      });
      expect(bucketEvents.alarms).toEqual([bucketEvents.eventBridgeRuleAlarms.Uploads]);
      expect(stack.resolve(bucketEvents.metricMatchedEvents('Uploads').dimensions)).toEqual({ RuleName: stack.resolve(bucketEvents.eventBridgeRules.Uploads.ruleName) });
      expect(() => bucketEvents.metricFailedInvocations('Nope')).toThrow(/BucketEvents at 'TestStack\/Events': no EventBridge route with id 'Nope' \(EventBridge routes: Uploads\)/);
    });

    test('alarmActions and addAlarmActions reach the alarms of routes added before and after', () => {
      const stack = testStack();
      const first = snsAction(stack, 'First');
      const second = snsAction(stack, 'Second');
      const bucketEvents = new BucketEvents(stack, 'Events', {
        alarmActions: [first.action],
        routes: [{ id: 'Early', events: [s3.EventType.OBJECT_CREATED], target: BucketEventTarget.toEventBridge([]) }],
      });
      bucketEvents.addAlarmActions(second.action);
      bucketEvents.addRoute({ id: 'Late', events: [s3.EventType.OBJECT_REMOVED], target: BucketEventTarget.toEventBridge([]) });
      expect(Object.values(alarmActionsById(Template.fromStack(stack)))).toEqual([[first.ref, second.ref], [first.ref, second.ref]]);
    });

    test('disjoint filters for the same event type are accepted', () => {
      const stack = testStack();
      const a = cmkQueue(stack, 'A');
      const events = new BucketEvents(stack, 'Events');
      events.addRoute({ events: [s3.EventType.OBJECT_CREATED], suffix: '.jpg', target: BucketEventTarget.toQueue(a) });
      events.addRoute({ events: [s3.EventType.OBJECT_CREATED], suffix: '.png', target: BucketEventTarget.toQueue(a) });
      events.addRoute({ events: [s3.EventType.OBJECT_CREATED_PUT], prefix: 'a/', suffix: '.gif', target: BucketEventTarget.toQueue(a) });
      events.addRoute({ events: [s3.EventType.OBJECT_CREATED_PUT], prefix: 'b/', suffix: '.gif', target: BucketEventTarget.toQueue(a) });
      expect(events.routes).toHaveLength(4);
      expect(notificationConfig(Template.fromStack(stack)).QueueConfigurations).toHaveLength(4);
    });

    test('an existing bucket gets routes and is otherwise left alone', () => {
      const stack = testStack();
      const bucket = s3.Bucket.fromBucketName(stack, 'Existing', 'my-existing-bucket');
      const queue = cmkQueue(stack);
      const events = new BucketEvents(stack, 'Events', { bucket, routes: [{ events: [s3.EventType.OBJECT_CREATED], target: BucketEventTarget.toQueue(queue) }] });
      expect(events.bucket).toBe(bucket);
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::S3::Bucket', 0);
      template.hasResourceProperties('Custom::S3BucketNotifications', { BucketName: 'my-existing-bucket', Managed: false });
    });
  });

  describe('EventBridge routes match exactly the events asked for', () => {
    const BUCKET = 'amzn-s3-demo-bucket1';

    /**
     * An S3 event as EventBridge delivers it, after the examples of the S3 user guide's "EventBridge event
     * message structure" (detail.reason and detail.deletion-type as documented there).
     */
    function s3Event(detailType: string, detail: Record<string, unknown> = {}, key = 'example-key', bucket = BUCKET): Record<string, unknown> {
      return {
        'version': '0',
        'id': '17793124-05d4-b198-2fde-7ededc63b103',
        'detail-type': detailType,
        'source': 'aws.s3',
        'account': '111122223333',
        'time': '2021-11-12T00:00:00Z',
        'region': 'ca-central-1',
        'resources': [`arn:aws:s3:::${bucket}`],
        'detail': {
          'version': '0',
          'event-version': '1.1',
          'bucket': { name: bucket },
          'object': { key, 'size': 5, 'etag': 'b1946ac92492d2347c6235b4d2611184', 'version-id': 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e', 'sequencer': '617f08299329d189' },
          'request-id': 'N4N7GDK58NMKJ12R',
          'requester': '123456789012',
          ...detail,
        },
      };
    }

    /** One sample per kind of event S3 sends to EventBridge. */
    const SAMPLES: Record<string, Record<string, unknown>> = {
      'created by PutObject': s3Event('Object Created', { 'reason': 'PutObject', 'source-ip-address': '1.2.3.4' }),
      'created by POST Object': s3Event('Object Created', { 'reason': 'POST Object', 'source-ip-address': '1.2.3.4' }),
      'created by CopyObject': s3Event('Object Created', { 'reason': 'CopyObject', 'source-ip-address': '1.2.3.4' }),
      'created by CompleteMultipartUpload': s3Event('Object Created', { 'reason': 'CompleteMultipartUpload', 'source-ip-address': '1.2.3.4' }),
      'deleted by DeleteObject, permanently': s3Event('Object Deleted', { 'reason': 'DeleteObject', 'deletion-type': 'Permanently Deleted' }),
      'deleted by DeleteObject, delete marker': s3Event('Object Deleted', { 'reason': 'DeleteObject', 'deletion-type': 'Delete Marker Created' }),
      'deleted by lifecycle, permanently': s3Event('Object Deleted', { 'requester': 's3.amazonaws.com', 'reason': 'Lifecycle Expiration', 'deletion-type': 'Permanently Deleted' }),
      'deleted by lifecycle, delete marker': s3Event('Object Deleted', { 'requester': 's3.amazonaws.com', 'reason': 'Lifecycle Expiration', 'deletion-type': 'Delete Marker Created' }),
      'restore initiated': s3Event('Object Restore Initiated', { 'source-storage-class': 'GLACIER' }),
      'restore completed': s3Event('Object Restore Completed', { 'requester': 's3.amazonaws.com', 'restore-expiry-time': '2021-11-13T00:00:00Z', 'source-storage-class': 'GLACIER' }),
      'restore expired': s3Event('Object Restore Expired', { requester: 's3.amazonaws.com' }),
      'storage class changed': s3Event('Object Storage Class Changed', { 'requester': 's3.amazonaws.com', 'destination-storage-class': 'GLACIER' }),
      'access tier changed': s3Event('Object Access Tier Changed', { 'requester': 's3.amazonaws.com', 'destination-access-tier': 'ARCHIVE_ACCESS' }),
      'tags added': s3Event('Object Tags Added', { 'source-ip-address': '1.2.3.4' }),
      'tags deleted': s3Event('Object Tags Deleted', { 'source-ip-address': '1.2.3.4' }),
      'ACL updated': s3Event('Object ACL Updated', { 'source-ip-address': '1.2.3.4' }),
    };

    /** What each S3 notification event type stands for (S3 user guide, "Supported event types"). */
    const EXPECTED: Array<[s3.EventType, string[]]> = [
      [s3.EventType.OBJECT_CREATED, ['created by PutObject', 'created by POST Object', 'created by CopyObject', 'created by CompleteMultipartUpload']],
      [s3.EventType.OBJECT_CREATED_PUT, ['created by PutObject']],
      [s3.EventType.OBJECT_CREATED_POST, ['created by POST Object']],
      [s3.EventType.OBJECT_CREATED_COPY, ['created by CopyObject']],
      [s3.EventType.OBJECT_CREATED_COMPLETE_MULTIPART_UPLOAD, ['created by CompleteMultipartUpload']],
      [s3.EventType.OBJECT_REMOVED, ['deleted by DeleteObject, permanently', 'deleted by DeleteObject, delete marker']],
      [s3.EventType.OBJECT_REMOVED_DELETE, ['deleted by DeleteObject, permanently']],
      [s3.EventType.OBJECT_REMOVED_DELETE_MARKER_CREATED, ['deleted by DeleteObject, delete marker']],
      [s3.EventType.LIFECYCLE_EXPIRATION, ['deleted by lifecycle, permanently', 'deleted by lifecycle, delete marker']],
      [s3.EventType.LIFECYCLE_EXPIRATION_DELETE, ['deleted by lifecycle, permanently']],
      [s3.EventType.LIFECYCLE_EXPIRATION_DELETE_MARKER_CREATED, ['deleted by lifecycle, delete marker']],
      [s3.EventType.OBJECT_RESTORE, ['restore initiated', 'restore completed', 'restore expired']],
      [s3.EventType.OBJECT_RESTORE_POST, ['restore initiated']],
      [s3.EventType.OBJECT_RESTORE_COMPLETED, ['restore completed']],
      [s3.EventType.OBJECT_RESTORE_DELETE, ['restore expired']],
      [s3.EventType.LIFECYCLE_TRANSITION, ['storage class changed']],
      [s3.EventType.INTELLIGENT_TIERING, ['access tier changed']],
      [s3.EventType.OBJECT_TAGGING, ['tags added', 'tags deleted']],
      [s3.EventType.OBJECT_TAGGING_PUT, ['tags added']],
      [s3.EventType.OBJECT_TAGGING_DELETE, ['tags deleted']],
      [s3.EventType.OBJECT_ACL_PUT, ['ACL updated']],
    ];
    const expectedFor = (types: s3.EventType[]) => [...new Set(types.flatMap((t) => EXPECTED.find(([e]) => e === t)![1]))].sort();

    /** The rendered pattern of a rule for one EventBridge route on a bucket named BUCKET. */
    function patternFor(route: { events: s3.EventType[]; prefix?: string; suffix?: string }): EventPattern {
      const stack = testStack();
      new BucketEvents(stack, 'Events', {
        bucket: s3.Bucket.fromBucketName(stack, 'Existing', BUCKET),
        routes: [{ id: 'Route', target: BucketEventTarget.toEventBridge([]), ...route }],
      });
      const [rule] = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'));
      return rule.Properties.EventPattern;
    }
    const matched = (pattern: EventPattern) => Object.keys(SAMPLES).filter((name) => matchesEventPattern(pattern, SAMPLES[name])).sort();

    test('every S3 event type S3 sends to EventBridge is covered here', () => {
      const supported = Object.values(s3.EventType).filter((e) => !e.startsWith('s3:Replication') && e !== s3.EventType.REDUCED_REDUNDANCY_LOST_OBJECT);
      expect(EXPECTED.map(([e]) => e).sort()).toEqual(supported.sort());
    });

    test.each(EXPECTED)('%s routes exactly its own events', (eventType) => {
      expect(matched(patternFor({ events: [eventType] }))).toEqual(expectedFor([eventType]));
    });

    test.each([
      [[s3.EventType.OBJECT_CREATED_PUT, s3.EventType.OBJECT_RESTORE_COMPLETED]],
      [[s3.EventType.OBJECT_CREATED_PUT, s3.EventType.OBJECT_CREATED_COPY, s3.EventType.OBJECT_REMOVED]],
      [[s3.EventType.OBJECT_REMOVED_DELETE, s3.EventType.LIFECYCLE_EXPIRATION_DELETE_MARKER_CREATED]],
      [[s3.EventType.OBJECT_REMOVED, s3.EventType.LIFECYCLE_EXPIRATION_DELETE]],
      [[s3.EventType.OBJECT_REMOVED_DELETE, s3.EventType.OBJECT_REMOVED_DELETE_MARKER_CREATED, s3.EventType.LIFECYCLE_EXPIRATION]],
      [[s3.EventType.OBJECT_CREATED, s3.EventType.OBJECT_CREATED_POST, s3.EventType.OBJECT_TAGGING, s3.EventType.LIFECYCLE_EXPIRATION_DELETE]],
    ])('a route of several event types routes the union of their events: %j', (eventTypes) => {
      expect(matched(patternFor({ events: eventTypes }))).toEqual(expectedFor(eventTypes));
    });

    test('the key filter and the bucket apply to every event type of the route', () => {
      const pattern = patternFor({ events: [s3.EventType.OBJECT_CREATED_PUT, s3.EventType.OBJECT_RESTORE_COMPLETED], prefix: 'archive/', suffix: '.csv' });
      const put = (key: string, bucket = BUCKET) => s3Event('Object Created', { reason: 'PutObject' }, key, bucket);
      expect(matchesEventPattern(pattern, put('archive/2024/report.csv'))).toBe(true);
      expect(matchesEventPattern(pattern, s3Event('Object Restore Completed', {}, 'archive/a.csv'))).toBe(true);
      expect(matchesEventPattern(pattern, s3Event('Object Restore Completed', {}, 'other/a.csv'))).toBe(false);
      expect(matchesEventPattern(pattern, put('archive/report.txt'))).toBe(false);
      expect(matchesEventPattern(pattern, put('archive/report.csv', 'another-bucket'))).toBe(false);
    });
  });

  describe('overlap rules', () => {
    test.each([
      ['s3:ObjectCreated:*', 's3:ObjectCreated:Put', true],
      ['s3:ObjectCreated:Put', 's3:ObjectCreated:*', true],
      ['s3:ObjectCreated:Put', 's3:ObjectCreated:Post', false],
      ['s3:ObjectCreated:*', 's3:ObjectRemoved:*', false],
      ['s3:ObjectRestore:*', 's3:ObjectRestore:Completed', true],
      ['s3:LifecycleTransition', 's3:LifecycleTransition', true],
    ])('%s and %s overlap: %p', (a, b, overlap) => {
      expect(eventTypesOverlap(a, b)).toBe(overlap);
    });
  });

  describe('validation', () => {
    function withRoutes(...routes: Array<(stack: Stack) => Parameters<BucketEvents['addRoute']>[0]>) {
      const stack = testStack();
      const bucketEvents = new BucketEvents(stack, 'Events');
      return () => routes.forEach((r) => bucketEvents.addRoute(r(stack)));
    }

    test('fails if two routes overlap: OBJECT_CREATED and OBJECT_CREATED_PUT with overlapping prefixes', () => {
      expect(withRoutes(
        (s) => ({ events: [s3.EventType.OBJECT_CREATED], prefix: 'uploads/', target: BucketEventTarget.toQueue(cmkQueue(s, 'A')) }),
        (s) => ({ events: [s3.EventType.OBJECT_CREATED_PUT], prefix: 'uploads/images/', target: BucketEventTarget.toQueue(cmkQueue(s, 'B')) }),
      )).toThrow(/BucketEvents: routes\[queue s3:ObjectCreated:Put prefix 'uploads\/images\/'\] 's3:ObjectCreated:Put prefix 'uploads\/images\/', suffix ''': overlaps routes\[queue s3:ObjectCreated:\* prefix 'uploads\/'\].*S3 rejects.*make the prefixes or suffixes disjoint/);
    });

    test('fails if two routes for the same event have overlapping suffixes', () => {
      expect(withRoutes(
        (s) => ({ events: [s3.EventType.OBJECT_REMOVED], suffix: '.jpg', target: BucketEventTarget.toQueue(cmkQueue(s, 'A')) }),
        (s) => ({ events: [s3.EventType.OBJECT_REMOVED], target: BucketEventTarget.toQueue(cmkQueue(s, 'B')) }),
      )).toThrow(/overlaps/);
    });

    test('fails if one route lists overlapping event types', () => {
      expect(withRoutes(
        (s) => ({ events: [s3.EventType.OBJECT_CREATED, s3.EventType.OBJECT_CREATED_PUT], target: BucketEventTarget.toQueue(cmkQueue(s)) }),
      )).toThrow(/events 's3:ObjectCreated:\*, s3:ObjectCreated:Put': these event types overlap.*keep only s3:ObjectCreated:\*/);
    });

    test('a rejected route leaves nothing behind', () => {
      const stack = testStack();
      const first = cmkQueue(stack);
      const second = cmkQueue(stack, 'Second');
      const bucketEvents = new BucketEvents(stack, 'Events', { routes: [{ events: [s3.EventType.OBJECT_CREATED], target: BucketEventTarget.toQueue(first) }] });
      expect(() => bucketEvents.addRoute({ events: [s3.EventType.OBJECT_CREATED_COPY], target: BucketEventTarget.toQueue(second) })).toThrow(/overlaps/);
      expect(bucketEvents.routes).toHaveLength(1);
      const template = Template.fromStack(stack);
      expect(notificationConfig(template).QueueConfigurations).toHaveLength(1);
      // the rejected route's queue was not opened to S3
      expect(second.node.tryFindChild('Policy')).toBeUndefined();
    });

    test('fails if the queue is FIFO', () => {
      expect(withRoutes((s) => ({ events: [s3.EventType.OBJECT_CREATED], target: BucketEventTarget.toQueue(new sqs.Queue(s, 'F', { fifo: true })) })))
        .toThrow(/target .*S3 cannot send event notifications to FIFO queues.*use a standard queue/);
    });

    test('fails if the topic is FIFO', () => {
      expect(withRoutes((s) => ({ events: [s3.EventType.OBJECT_CREATED], target: BucketEventTarget.toTopic(new sns.Topic(s, 'F', { fifo: true, topicName: 'f.fifo' })) })))
        .toThrow(/S3 cannot send event notifications to FIFO topics/);
    });

    test('fails if the queue uses the AWS-managed key', () => {
      expect(withRoutes((s) => ({ events: [s3.EventType.OBJECT_CREATED], target: BucketEventTarget.toQueue(new sqs.Queue(s, 'M', { encryption: sqs.QueueEncryption.KMS_MANAGED })) })))
        .toThrow(/alias\/aws\/sqs.*S3 cannot deliver.*customer-managed key/);
    });

    test.each([
      ['suffix', '*.jpg', /suffix '\*\.jpg': S3 key filters are literal strings, not globs.*use suffix: '\.jpg'/],
      ['prefix', 'uploads/*', /prefix 'uploads\/\*': S3 key filters are literal strings.*use prefix: 'uploads\/'/],
      ['suffix', '*', /suffix '\*': .*remove the suffix to match every key/],
    ])('fails if %s is the glob %p', (prop, value, message) => {
      expect(withRoutes((s) => ({ events: [s3.EventType.OBJECT_CREATED], [prop]: value, target: BucketEventTarget.toQueue(cmkQueue(s)) })))
        .toThrow(message);
    });

    test('fails if a route has no event types', () => {
      expect(withRoutes((s) => ({ events: [], target: BucketEventTarget.toQueue(cmkQueue(s)) }))).toThrow(/events '\[\]': a route needs at least one event type/);
    });

    test('fails if an EventBridge route has no id or an unsupported event type', () => {
      expect(withRoutes(() => ({ events: [s3.EventType.REPLICATION], target: BucketEventTarget.toEventBridge([]) })))
        .toThrow(/2 configuration error\(s\)[\s\S]*needs a construct ID[\s\S]*s3:Replication:\*': S3 sends no EventBridge event for these event types/);
    });

    test('fails if bucket options are given with an existing bucket', () => {
      const stack = testStack();
      expect(() => new BucketEvents(stack, 'Events', { bucket: s3.Bucket.fromBucketName(stack, 'B', 'existing-bucket'), versioned: false }))
        .toThrow(/versioned 'false': only applies to a new bucket/);
    });
  });
});
