import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/*
 * S3's rule for the notification configurations of one bucket (S3 user guide, "Configuring event
 * notifications using object key name filtering"): two configurations whose event types overlap must
 * not have overlapping prefixes and overlapping suffixes ("Configuration is ambiguously defined").
 */

/** A notification configuration's event types and key filter, and who made it (for messages). */
export interface NotificationFilter {
  readonly events: readonly string[];
  readonly prefix?: string;
  readonly suffix?: string;
  /** Names the route in messages, e.g. `routes[queue s3:ObjectCreated:* prefix 'a/']`. */
  readonly label: string;
}

/** True when a notification for `a` and one for `b` can fire for the same event (`s3:ObjectCreated:*` covers `s3:ObjectCreated:Put`). */
export function eventTypesOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  const family = (t: string) => (t.endsWith(':*') ? t.slice(0, -1) : undefined);
  const fa = family(a);
  const fb = family(b);
  return (fa !== undefined && b.startsWith(fa)) || (fb !== undefined && a.startsWith(fb));
}

/**
 * True when two prefixes (or, with `atEnd`, two suffixes) overlap: one starts (ends) with the other.
 * An empty filter overlaps everything; two different tokens, or a token and a value, are not known
 * to overlap (S3 checks them at deploy).
 */
function affixesOverlap(a: string, b: string, atEnd: boolean): boolean {
  if (a === '' || b === '' || a === b) return true;
  if (Token.isUnresolved(a) || Token.isUnresolved(b)) return false;
  return atEnd ? a.endsWith(b) || b.endsWith(a) : a.startsWith(b) || b.startsWith(a);
}

/** True when S3 would call the two filters overlapping: overlapping prefixes and overlapping suffixes. */
export function filtersOverlap(a: NotificationFilter, b: NotificationFilter): boolean {
  return affixesOverlap(a.prefix ?? '', b.prefix ?? '', false) && affixesOverlap(a.suffix ?? '', b.suffix ?? '', true);
}

/** The first pair of overlapping event types of two configurations, if their filters overlap too. */
export function notificationClash(a: NotificationFilter, b: NotificationFilter): [string, string] | undefined {
  if (!filtersOverlap(a, b)) return undefined;
  for (const ea of a.events) {
    const eb = b.events.find((e) => eventTypesOverlap(ea, e));
    if (eb) return [ea, eb];
  }
  return undefined;
}

/** A configuration registered on a bucket, with the construct that made it. */
export interface RegisteredNotification {
  readonly owner: IConstruct;
  readonly filter: NotificationFilter;
}

const REGISTRY = new WeakMap<IConstruct, Map<string, RegisteredNotification[]>>();

/**
 * The S3 notification configurations registered so far, across the app, for the bucket whose name is
 * `bucketName` (a literal name, or the same token wherever that bucket is referenced).
 */
export function bucketNotifications(scope: IConstruct, bucketName: string): RegisteredNotification[] {
  let byBucket = REGISTRY.get(scope.node.root);
  if (!byBucket) {
    byBucket = new Map();
    REGISTRY.set(scope.node.root, byBucket);
  }
  let list = byBucket.get(bucketName);
  if (!list) {
    list = [];
    byBucket.set(bucketName, list);
  }
  return list;
}
