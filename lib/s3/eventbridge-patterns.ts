import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { BucketEventRoute } from './bucket-events';

/** What an S3 notification event type is in EventBridge: a `detail-type`, narrowed by `detail` fields. */
interface EventBridgeMatch {
  readonly detailType: string;
  /** `detail.reason` values; undefined: any. */
  readonly reason?: string;
  /** `detail.deletion-type` values; undefined: any. */
  readonly deletionType?: string;
}

const CREATED = 'Object Created';
const DELETED = 'Object Deleted';
const BY_API = 'DeleteObject';
const BY_LIFECYCLE = 'Lifecycle Expiration';
const PERMANENT = 'Permanently Deleted';
const MARKER = 'Delete Marker Created';

/**
 * Each S3 notification event type as EventBridge events, after the S3 user guide ("Amazon EventBridge
 * mapping and troubleshooting", "EventBridge event message structure"): `Object Created` carries the
 * creating API in `detail.reason`; `Object Deleted` carries `DeleteObject` or `Lifecycle Expiration` in
 * `detail.reason` and `Permanently Deleted` or `Delete Marker Created` in `detail.deletion-type`. As an S3
 * notification, `s3:ObjectRemoved:*` covers deletes by API only (lifecycle deletes are
 * `s3:LifecycleExpiration:*`), so it maps to reason `DeleteObject`. Replication and reduced-redundancy
 * events have no EventBridge equivalent.
 */
export const EVENTBRIDGE_MATCHES: Partial<Record<s3.EventType, readonly EventBridgeMatch[]>> = {
  [s3.EventType.OBJECT_CREATED]: [{ detailType: CREATED }],
  [s3.EventType.OBJECT_CREATED_PUT]: [{ detailType: CREATED, reason: 'PutObject' }],
  [s3.EventType.OBJECT_CREATED_POST]: [{ detailType: CREATED, reason: 'POST Object' }],
  [s3.EventType.OBJECT_CREATED_COPY]: [{ detailType: CREATED, reason: 'CopyObject' }],
  [s3.EventType.OBJECT_CREATED_COMPLETE_MULTIPART_UPLOAD]: [{ detailType: CREATED, reason: 'CompleteMultipartUpload' }],
  [s3.EventType.OBJECT_REMOVED]: [{ detailType: DELETED, reason: BY_API }],
  [s3.EventType.OBJECT_REMOVED_DELETE]: [{ detailType: DELETED, reason: BY_API, deletionType: PERMANENT }],
  [s3.EventType.OBJECT_REMOVED_DELETE_MARKER_CREATED]: [{ detailType: DELETED, reason: BY_API, deletionType: MARKER }],
  [s3.EventType.LIFECYCLE_EXPIRATION]: [{ detailType: DELETED, reason: BY_LIFECYCLE }],
  [s3.EventType.LIFECYCLE_EXPIRATION_DELETE]: [{ detailType: DELETED, reason: BY_LIFECYCLE, deletionType: PERMANENT }],
  [s3.EventType.LIFECYCLE_EXPIRATION_DELETE_MARKER_CREATED]: [{ detailType: DELETED, reason: BY_LIFECYCLE, deletionType: MARKER }],
  [s3.EventType.OBJECT_RESTORE]: [
    { detailType: 'Object Restore Initiated' }, { detailType: 'Object Restore Completed' }, { detailType: 'Object Restore Expired' },
  ],
  [s3.EventType.OBJECT_RESTORE_POST]: [{ detailType: 'Object Restore Initiated' }],
  [s3.EventType.OBJECT_RESTORE_COMPLETED]: [{ detailType: 'Object Restore Completed' }],
  [s3.EventType.OBJECT_RESTORE_DELETE]: [{ detailType: 'Object Restore Expired' }],
  [s3.EventType.LIFECYCLE_TRANSITION]: [{ detailType: 'Object Storage Class Changed' }],
  [s3.EventType.INTELLIGENT_TIERING]: [{ detailType: 'Object Access Tier Changed' }],
  [s3.EventType.OBJECT_TAGGING]: [{ detailType: 'Object Tags Added' }, { detailType: 'Object Tags Deleted' }],
  [s3.EventType.OBJECT_TAGGING_PUT]: [{ detailType: 'Object Tags Added' }],
  [s3.EventType.OBJECT_TAGGING_DELETE]: [{ detailType: 'Object Tags Deleted' }],
  [s3.EventType.OBJECT_ACL_PUT]: [{ detailType: 'Object ACL Updated' }],
};

/**
 * The rule's pattern: the route's event types as `detail-type`s, each narrowed by `detail.reason` and
 * `detail.deletion-type` where the S3 event type covers only some of those events, so the rule matches
 * exactly what the same route would receive as S3 notifications. Event types that need different
 * narrowing become branches of a top-level `$or`.
 */
export function eventBridgePattern(route: BucketEventRoute, bucketName: string): events.EventPattern {
  const matches = route.events.flatMap((e) => EVENTBRIDGE_MATCHES[e] ?? []);
  // Per detail-type: undefined when every event of that type is wanted, else reason -> deletion types (undefined: any).
  const narrowed = new Map<string, Map<string, Set<string> | undefined> | undefined>();
  for (const { detailType, reason, deletionType } of matches) {
    if (narrowed.has(detailType) && narrowed.get(detailType) === undefined) continue;
    if (reason === undefined) {
      narrowed.set(detailType, undefined);
      continue;
    }
    const reasons = narrowed.get(detailType) ?? new Map<string, Set<string> | undefined>();
    narrowed.set(detailType, reasons);
    if (deletionType === undefined || (reasons.has(reason) && reasons.get(reason) === undefined)) {
      reasons.set(reason, undefined);
    } else {
      reasons.set(reason, new Set([...reasons.get(reason) ?? [], deletionType]));
    }
  }

  // Branches: the detail-types wanted whole share one; the others get one per set of deletion types.
  const branches: Array<{ detailTypes: string[]; filter: Record<string, string[]> }> = [];
  const whole = [...narrowed].filter(([, reasons]) => reasons === undefined).map(([detailType]) => detailType);
  if (whole.length > 0) branches.push({ detailTypes: whole, filter: {} });
  for (const [detailType, reasons] of narrowed) {
    if (reasons === undefined) continue;
    const byDeletionTypes = new Map<string, { reasons: string[]; deletionTypes?: string[] }>();
    for (const [reason, deletionTypes] of reasons) {
      const sorted = deletionTypes && [...deletionTypes].sort();
      const groupKey = JSON.stringify(sorted ?? null);
      const group = byDeletionTypes.get(groupKey) ?? { reasons: [], deletionTypes: sorted };
      group.reasons.push(reason);
      byDeletionTypes.set(groupKey, group);
    }
    for (const { reasons: r, deletionTypes } of byDeletionTypes.values()) {
      branches.push({ detailTypes: [detailType], filter: { reason: r, ...(deletionTypes ? { 'deletion-type': deletionTypes } : {}) } });
    }
  }

  const detail = (filter: Record<string, string[]>) => ({
    bucket: { name: [bucketName] },
    ...(route.prefix || route.suffix ? { object: { key: [keyMatcher(route.prefix, route.suffix)] } } : {}),
    ...filter,
  });
  if (branches.length === 1) {
    return { source: ['aws.s3'], detailType: branches[0].detailTypes, detail: detail(branches[0].filter) };
  }
  // EventPattern has no member for `$or`; the rule renders unknown top-level fields as they are.
  return {
    source: ['aws.s3'],
    $or: branches.map((b) => ({ 'detail-type': b.detailTypes, 'detail': detail(b.filter) })),
  } as events.EventPattern;
}

function keyMatcher(prefix: string | undefined, suffix: string | undefined): Record<string, string> {
  if (prefix && suffix) return { wildcard: `${prefix}*${suffix}` };
  return prefix ? { prefix } : { suffix: suffix! };
}
