import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BucketEventRoute, BucketEventsProps, BucketEventTarget } from '../../lib';
import { ConfigErrors } from '../../lib/private/config-errors';
import { RegisteredNotification } from '../../lib/private/notification-filters';
import { describeRoute, RouteContext, validateBucketEventsProps, validateRoute } from '../../lib/s3/validate-bucket-events-props';
import { recordedProblems } from '../support/config-problems';

/** The problem lines (`prop 'value': rule. Fix: fix.`) `errors` holds; none when valid. */
function reported(errors: ConfigErrors): string[] {
  return recordedProblems(errors, true);
}

function propsProblems(props: BucketEventsProps): string[] {
  const errors = new ConfigErrors('BucketEvents', 'Stack/Events');
  validateBucketEventsProps(errors, props);
  return reported(errors);
}

/** A fresh owner with no children and no earlier notifications, unless given. */
function routeProblems(route: BucketEventRoute, context: Partial<RouteContext> = {}): string[] {
  const errors = new ConfigErrors('BucketEvents', 'Stack/Events');
  validateRoute(errors, route, { owner: new Construct(new Stack(), 'Events'), childExists: () => false, earlier: [], ...context });
  return reported(errors);
}

/** Fresh queues and topics, each in its own stack. */
const queue = () => new sqs.Queue(new Stack(), 'Queue');
const fifoQueue = () => sqs.Queue.fromQueueArn(new Stack(), 'Fifo', 'arn:aws:sqs:eu-west-1:111111111111:jobs.fifo');
const topic = () => new sns.Topic(new Stack(), 'Topic');
const CREATED = s3.EventType.OBJECT_CREATED;
const CREATED_PUT = s3.EventType.OBJECT_CREATED_PUT;
const REMOVED = s3.EventType.OBJECT_REMOVED;

describe('validateBucketEventsProps', () => {
  test('a new bucket takes every bucket setting', () => {
    expect(propsProblems({ versioned: true, noncurrentVersionExpiration: Duration.days(1), removalPolicy: RemovalPolicy.DESTROY })).toEqual([]);
  });

  test('an existing bucket takes none of them, each named', () => {
    const stack = new Stack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Existing', 'existing');
    const logs = s3.Bucket.fromBucketName(stack, 'Logs', 'logs');
    expect(propsProblems({ bucket })).toEqual([]);
    expect(propsProblems({ bucket, versioned: false })).toEqual([
      "versioned 'false': only applies to a new bucket, but an existing bucket was given. "
      + 'Fix: configure the existing bucket directly and remove versioned.',
    ]);
    expect(propsProblems({
      bucket, noncurrentVersionExpiration: Duration.days(2), serverAccessLogsBucket: logs, removalPolicy: RemovalPolicy.DESTROY,
    }).map((p) => p.split(' ')[0])).toEqual(['noncurrentVersionExpiration', 'serverAccessLogsBucket', 'removalPolicy']);
  });

  test('noncurrent versions expire after a whole number of days, at least 1', () => {
    expect(propsProblems({ noncurrentVersionExpiration: Duration.hours(12) })).toEqual([
      "noncurrentVersionExpiration '12 hours': S3 expires noncurrent versions after a whole number of days, at least 1 "
      + '(NoncurrentDays of the lifecycle rule). Fix: use e.g. Duration.days(1) or Duration.days(30).',
    ]);
  });
});

describe('validateRoute', () => {
  test('a route to each kind of target is accepted', () => {
    expect(routeProblems({ events: [CREATED], target: BucketEventTarget.toQueue(queue()) })).toEqual([]);
    expect(routeProblems({ events: [CREATED, REMOVED], prefix: 'in/', suffix: '.jpg', target: BucketEventTarget.toTopic(topic()) })).toEqual([]);
    expect(routeProblems({ id: 'Uploads', events: [CREATED], target: BucketEventTarget.toEventBridge([]) })).toEqual([]);
  });

  test('a route needs an event type', () => {
    expect(routeProblems({ id: 'Nothing', events: [], target: BucketEventTarget.toQueue(queue()) })).toEqual([
      "routes[Nothing].events '[]': a route needs at least one event type. Fix: add e.g. s3.EventType.OBJECT_CREATED.",
    ]);
  });

  test('a `*` in a filter is refused, with the literal filter as the fix', () => {
    expect(routeProblems({ id: 'Glob', events: [CREATED], prefix: 'uploads/*', suffix: '*.jpg', target: BucketEventTarget.toQueue(queue()) })).toEqual([
      "routes[Glob].prefix 'uploads/*': S3 key filters are literal strings, not globs: a `*` would only match keys that contain a `*`. "
      + "Fix: use prefix: 'uploads/'.",
      "routes[Glob].suffix '*.jpg': S3 key filters are literal strings, not globs: a `*` would only match keys that contain a `*`. "
      + "Fix: use suffix: '.jpg'.",
    ]);
  });

  test('a filter that is only `*` is refused with removing it as the fix', () => {
    expect(routeProblems({ id: 'All', events: [CREATED], suffix: '**', target: BucketEventTarget.toQueue(queue()) })).toEqual([
      "routes[All].suffix '**': S3 key filters are literal strings, not globs: a `*` would only match keys that contain a `*`. "
      + 'Fix: remove the suffix to match every key.',
    ]);
  });

  test('S3 delivers to no FIFO queue and no FIFO topic', () => {
    expect(routeProblems({ id: 'Q', events: [CREATED], target: BucketEventTarget.toQueue(fifoQueue()) })).toEqual([
      "routes[Q].target 'jobs.fifo': S3 cannot send event notifications to FIFO queues. "
      + 'Fix: use a standard queue (or EventBridge with a FIFO queue target).',
    ]);
    const fifoTopic = new sns.Topic(new Stack(), 'Fifo', { fifo: true, topicName: 'events.fifo' });
    expect(routeProblems({ id: 'T', events: [CREATED], target: BucketEventTarget.toTopic(fifoTopic) })).toEqual([
      `routes[T].target '${fifoTopic.topicName}': S3 cannot send event notifications to FIFO topics. Fix: use a standard topic.`,
    ]);
  });

  test('S3 delivers to no queue on the AWS-managed SQS key', () => {
    const managed = new sqs.Queue(new Stack(), 'Managed', { encryption: sqs.QueueEncryption.KMS_MANAGED });
    expect(routeProblems({ id: 'Q', events: [CREATED], target: BucketEventTarget.toQueue(managed) })).toEqual([
      `routes[Q].target '${managed.queueName}': the queue is encrypted with the AWS-managed key alias/aws/sqs, whose policy cannot let S3 `
      + 'use it, so S3 cannot deliver. Fix: encrypt the queue with a customer-managed key or SSE-SQS.',
    ]);
  });

  describe('EventBridge routes', () => {
    test('need an ID that no child of the owner has', () => {
      expect(routeProblems({ events: [CREATED], target: BucketEventTarget.toEventBridge([]) })).toEqual([
        "routes[eventBridge s3:ObjectCreated:*].id (not set): an EventBridge route creates a rule and needs a construct ID. Fix: set id, e.g. id: 'Uploads'.",
      ]);
      const taken: string[] = [];
      const problems = routeProblems({ id: 'Bucket', events: [CREATED], target: BucketEventTarget.toEventBridge([]) }, {
        childExists: (id) => { taken.push(id); return true; },
      });
      expect(taken).toEqual(['Bucket']);
      expect(problems).toEqual(["routes[Bucket].id 'Bucket': a route or child with this ID already exists. Fix: use a unique ID."]);
    });

    test('refuse the event types S3 sends only as notifications', () => {
      const events = [CREATED, s3.EventType.REPLICATION_OPERATION_FAILED_REPLICATION, s3.EventType.REDUCED_REDUNDANCY_LOST_OBJECT];
      expect(routeProblems({ id: 'Rule', events, target: BucketEventTarget.toEventBridge([]) })).toEqual([
        "routes[Rule].events 's3:Replication:OperationFailedReplication, s3:ReducedRedundancyLostObject': S3 sends no EventBridge event for "
        + 'these event types (replication and reduced-redundancy events exist only as S3 notifications). '
        + 'Fix: route them to a queue, topic or function instead.',
      ]);
    });

    test('may overlap each other and S3 notifications', () => {
      const earlier: RegisteredNotification[] = [{ owner: new Construct(new Stack(), 'Other'), filter: { events: [CREATED], label: 'routes[Other]' } }];
      expect(routeProblems({ id: 'Rule', events: [CREATED, CREATED_PUT], target: BucketEventTarget.toEventBridge([]) }, { earlier })).toEqual([]);
    });
  });

  describe('S3 notifications on the same bucket', () => {
    test('an overlapping notification of the same owner is named without its owner', () => {
      const owner = new Construct(new Stack(), 'Events');
      const earlier: RegisteredNotification[] = [{ owner, filter: { events: [CREATED], prefix: 'in/', label: 'routes[First]' } }];
      expect(routeProblems({ id: 'Second', events: [CREATED_PUT], prefix: 'in/raw/', target: BucketEventTarget.toQueue(queue()) }, { owner, earlier }))
        .toEqual([
          "routes[Second] 's3:ObjectCreated:Put prefix 'in/raw/', suffix ''': overlaps routes[First] (s3:ObjectCreated:* prefix 'in/', suffix '') "
          + 'on the same bucket: S3 rejects two notification configurations whose event types overlap and whose prefixes and suffixes overlap '
          + '("Configuration is ambiguously defined"). Fix: make the prefixes or suffixes disjoint, or merge the two routes into one target.',
        ]);
    });

    test('one of another construct is named with its class and path', () => {
      const other = new Construct(new Stack(undefined, 'Producer'), 'Pipeline');
      const earlier: RegisteredNotification[] = [{ owner: other, filter: { events: [CREATED], label: 'routes[Images]' } }];
      const [problem] = routeProblems({ id: 'Mine', events: [CREATED], target: BucketEventTarget.toQueue(queue()) }, { earlier });
      expect(problem).toContain("overlaps routes[Images] of Construct at 'Producer/Pipeline' (s3:ObjectCreated:* prefix '', suffix '')");
    });

    test('disjoint filters or event types are accepted; every earlier notification is checked', () => {
      const owner = new Construct(new Stack(), 'Events');
      const earlier: RegisteredNotification[] = [
        { owner, filter: { events: [CREATED], suffix: '.png', label: 'routes[Png]' } },
        { owner, filter: { events: [REMOVED], label: 'routes[Removed]' } },
      ];
      expect(routeProblems({ id: 'Jpg', events: [CREATED], suffix: '.jpg', target: BucketEventTarget.toQueue(queue()) }, { owner, earlier })).toEqual([]);
      expect(routeProblems({ id: 'Gone', events: [s3.EventType.OBJECT_REMOVED_DELETE], target: BucketEventTarget.toQueue(queue()) }, { owner, earlier }))
        .toHaveLength(1);
    });

    test('overlapping event types in one route are refused, keeping the wildcard whichever comes first', () => {
      const rule = 'these event types overlap (a wildcard type includes the specific one) and S3 rejects overlapping configurations';
      expect(routeProblems({ id: 'R', events: [CREATED, CREATED_PUT, REMOVED], target: BucketEventTarget.toQueue(queue()) })).toEqual([
        `routes[R].events 's3:ObjectCreated:*, s3:ObjectCreated:Put': ${rule}. Fix: keep only s3:ObjectCreated:*.`,
      ]);
      expect(routeProblems({ id: 'R', events: [REMOVED, CREATED_PUT, CREATED], target: BucketEventTarget.toQueue(queue()) })).toEqual([
        `routes[R].events 's3:ObjectCreated:Put, s3:ObjectCreated:*': ${rule}. Fix: keep only s3:ObjectCreated:*.`,
      ]);
    });
  });

  test('every problem of a route is reported at once', () => {
    expect(routeProblems({ id: 'R', events: [CREATED, CREATED_PUT], prefix: '*', target: BucketEventTarget.toQueue(fifoQueue()) })).toHaveLength(3);
  });
});

describe('describeRoute', () => {
  test('a route with an ID is named by it', () => {
    expect(describeRoute({ id: 'Uploads', events: [CREATED], target: BucketEventTarget.toEventBridge([new targets.SqsQueue(queue())]) }))
      .toBe('routes[Uploads]');
  });

  test('a route without one by its target kind, events and filters', () => {
    expect(describeRoute({ events: [CREATED, REMOVED], prefix: 'in/', suffix: '.jpg', target: BucketEventTarget.toTopic(topic()) }))
      .toBe("routes[topic s3:ObjectCreated:*+s3:ObjectRemoved:* prefix 'in/' suffix '.jpg']");
    expect(describeRoute({ events: [CREATED], target: BucketEventTarget.toQueue(queue()) })).toBe('routes[queue s3:ObjectCreated:*]');
  });
});
