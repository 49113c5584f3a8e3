/**
 * S3 event notifications, as delivered in SQS message bodies.
 */

/** Why an SQS message body is not a usable S3 event notification. Stable strings (logs, alarms). */
export type InvalidNotificationReason = 'INVALID_JSON' | 'NOT_AN_S3_NOTIFICATION' | 'INVALID_KEY';

export class InvalidNotificationError extends Error {
  public override readonly name = 'InvalidNotificationError';
  constructor(
    public readonly reason: InvalidNotificationReason,
    public readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

/** One record of an S3 event notification, with the object key decoded. */
export interface S3ObjectEvent {
  /** e.g. `ObjectCreated:Put`, `ObjectRemoved:Delete`. */
  readonly eventName: string;
  readonly bucket: string;
  /** The real object key (decoded). */
  readonly key: string;
  /** Object size in bytes, when the event carries it. */
  readonly size?: number;
}

/**
 * S3 URL-encodes object keys in event notifications, with `+` for spaces (a literal `+` arrives as `%2B`).
 */
export function decodeS3Key(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    throw new InvalidNotificationError('INVALID_KEY', `object key is not valid URL encoding: ${JSON.stringify(encoded)}`);
  }
}

/**
 * Parses an SQS message body written by an S3 event notification. The `s3:TestEvent` that S3 sends
 * when a notification configuration is created yields no records.
 */
export function parseNotification(body: string): S3ObjectEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new InvalidNotificationError('INVALID_JSON', `body is not JSON (${body.length} characters)`);
  }
  if (isObject(parsed) && parsed.Event === 's3:TestEvent') return [];
  if (!isObject(parsed) || !Array.isArray(parsed.Records)) {
    throw new InvalidNotificationError('NOT_AN_S3_NOTIFICATION', 'expected an object with a `Records` array or an s3:TestEvent');
  }
  return parsed.Records.map((record: unknown, i: number) => {
    const s3 = isObject(record) && isObject(record.s3) ? record.s3 : undefined;
    const bucket = s3 && isObject(s3.bucket) ? s3.bucket.name : undefined;
    const object = s3 && isObject(s3.object) ? s3.object : undefined;
    if (!isObject(record) || typeof record.eventName !== 'string' || typeof bucket !== 'string' || typeof object?.key !== 'string') {
      throw new InvalidNotificationError('NOT_AN_S3_NOTIFICATION', `Records[${i}] lacks eventName, s3.bucket.name or s3.object.key`);
    }
    return {
      eventName: record.eventName,
      bucket,
      key: decodeS3Key(object.key),
      ...(typeof object.size === 'number' ? { size: object.size } : {}),
    };
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  // Stryker disable next-line ConditionalExpression: equivalent, JSON primitives have none of the properties read (Records, s3, ...)
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
