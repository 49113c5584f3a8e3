import type { IConstruct } from 'constructs';
import { ConfigErrors } from '../private/config-errors';
import { eventTypesOverlap, notificationClash, RegisteredNotification } from '../private/notification-filters';
import { checkNoncurrentVersionExpiration } from '../private/secure-bucket';
import { usesAwsManagedSqsKey } from '../private/secure-queue';
import { BucketEventRoute, BucketEventsProps, BucketEventTargetKind } from './bucket-events';
import { EVENTBRIDGE_MATCHES } from './eventbridge-patterns';

/** What a route is checked against besides itself. */
export interface RouteContext {
  /** The `BucketEvents` the route is added to. */
  readonly owner: IConstruct;
  /** Whether the owner already has a child with this ID. */
  childExists(id: string): boolean;
  /** The S3 notifications already made on the same bucket, by any `BucketEvents` in any stack. */
  readonly earlier: readonly RegisteredNotification[];
}

/** `BucketEvents` props: the new-bucket settings only with a new bucket, the noncurrent-version expiry S3 accepts. */
export function validateBucketEventsProps(errors: ConfigErrors, props: BucketEventsProps): void {
  if (props.bucket) {
    for (const prop of ['versioned', 'noncurrentVersionExpiration', 'serverAccessLogsBucket', 'removalPolicy'] as const) {
      if (props[prop] !== undefined) {
        errors.add(prop, props[prop], 'only applies to a new bucket, but an existing bucket was given',
          `configure the existing bucket directly and remove ${prop}`);
      }
    }
  }
  checkNoncurrentVersionExpiration(errors, 'noncurrentVersionExpiration', props.noncurrentVersionExpiration);
}

/**
 * A route S3 (or EventBridge) accepts: event types given and not overlapping each other or another
 * notification of the bucket with overlapping prefix and suffix, literal filters, no FIFO or
 * AWS-managed-key destination, an ID and EventBridge-supported event types for EventBridge routes.
 */
export function validateRoute(errors: ConfigErrors, route: BucketEventRoute, context: RouteContext): void {
  const name = describeRoute(route);
  const target = route.target;

  if (route.events.length === 0) {
    errors.add(`${name}.events`, '[]', 'a route needs at least one event type', 'add e.g. s3.EventType.OBJECT_CREATED');
  }
  for (const [prop, value] of [['prefix', route.prefix], ['suffix', route.suffix]] as const) {
    if (value?.includes('*')) {
      const literal = value.replace(/\*/g, '');
      errors.add(`${name}.${prop}`, value,
        'S3 key filters are literal strings, not globs: a `*` would only match keys that contain a `*`',
        literal ? `use ${prop}: '${literal}'` : `remove the ${prop} to match every key`);
    }
  }
  if (target.kind === BucketEventTargetKind.QUEUE) {
    const queue = target.queue!;
    if (queue.fifo) {
      errors.add(`${name}.target`, queue.queueName, 'S3 cannot send event notifications to FIFO queues',
        'use a standard queue (or EventBridge with a FIFO queue target)');
    }
    if (usesAwsManagedSqsKey(queue)) {
      errors.add(`${name}.target`, queue.queueName,
        'the queue is encrypted with the AWS-managed key alias/aws/sqs, whose policy cannot let S3 use it, so S3 cannot deliver',
        'encrypt the queue with a customer-managed key or SSE-SQS');
    }
  }
  if (target.kind === BucketEventTargetKind.TOPIC && target.topic!.fifo) {
    errors.add(`${name}.target`, target.topic!.topicName, 'S3 cannot send event notifications to FIFO topics',
      'use a standard topic');
  }
  if (target.kind === BucketEventTargetKind.EVENT_BRIDGE) {
    if (!route.id) {
      errors.add(`${name}.id`, undefined, 'an EventBridge route creates a rule and needs a construct ID', "set id, e.g. id: 'Uploads'");
    } else if (context.childExists(route.id)) {
      errors.add(`${name}.id`, route.id, 'a route or child with this ID already exists', 'use a unique ID');
    }
    const unsupported = route.events.filter((e) => !EVENTBRIDGE_MATCHES[e]);
    if (unsupported.length > 0) {
      errors.add(`${name}.events`, unsupported.join(', '), 'S3 sends no EventBridge event for these event types (replication and reduced-redundancy events exist only as S3 notifications)',
        'route them to a queue, topic or function instead');
    }
  } else {
    // Every S3 notification of the bucket made through a BucketEvents, this one's and others' (e.g.
    // two S3ThumbnailPipelines on one bucket), in any stack.
    const filter = { ...route, label: name };
    for (const earlier of context.earlier) {
      const clash = notificationClash(earlier.filter, filter);
      if (clash) {
        const where = earlier.owner === context.owner ? '' : ` of ${earlier.owner.constructor.name} at '${earlier.owner.node.path}'`;
        errors.add(name, `${clash[1]} ${describeFilter(route)}`,
          `overlaps ${earlier.filter.label}${where} (${clash[0]} ${describeFilter(earlier.filter)}) on the same bucket: `
          + 'S3 rejects two notification configurations whose event types overlap and whose prefixes and suffixes overlap '
          + '("Configuration is ambiguously defined")',
          'make the prefixes or suffixes disjoint, or merge the two routes into one target');
      }
    }
    route.events.forEach((first, i) => {
      for (const second of route.events.slice(i + 1)) {
        if (eventTypesOverlap(first, second)) {
          errors.add(`${name}.events`, `${first}, ${second}`,
            'these event types overlap (a wildcard type includes the specific one) and S3 rejects overlapping configurations',
            `keep only ${first.endsWith('*') ? first : second}`);
        }
      }
    });
  }
}

export function describeRoute(route: BucketEventRoute): string {
  return route.id ? `routes[${route.id}]` : `routes[${route.target.kind} ${route.events.join('+')}${route.prefix ? ` prefix '${route.prefix}'` : ''}${route.suffix ? ` suffix '${route.suffix}'` : ''}]`;
}

function describeFilter(route: { readonly prefix?: string; readonly suffix?: string }): string {
  return `prefix '${route.prefix ?? ''}', suffix '${route.suffix ?? ''}'`;
}
