/**
 * S3 event notifications as S3 writes them into an SQS queue (the local S3 server sends none), so tests
 * can deliver exactly what a bucket notification would.
 * Shapes: https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */

/**
 * The key as it appears in an event: URL-encoded like an HTML form (space -> `+`, so a literal `+` is
 * `%2B`; UTF-8 percent-encoded), with `/` left as is.
 */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface S3EventRecordOptions {
  /** @default 'ObjectCreated:Put' */
  readonly eventName?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
}

/** One notification record (version 2.1) for an object, key encoded as S3 does. */
export function s3EventRecord(bucket: string, key: string, size: number, options: S3EventRecordOptions = {}): object {
  const { eventName = 'ObjectCreated:Put', region = 'us-east-1' } = options;
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: region,
    eventTime: new Date().toISOString(),
    eventName,
    userIdentity: { principalId: 'AWS:AIDAEXAMPLE' },
    requestParameters: { sourceIPAddress: '192.0.2.1' },
    responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'thumbnail-notification',
      bucket: { name: bucket, ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: `arn:aws:s3:::${bucket}` },
      object: { key: encodeS3EventKey(key), size, eTag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer: '0055AED6DCD90281E5' },
    },
  };
}

/** The SQS message body S3 writes for one event. */
export function s3NotificationBody(bucket: string, key: string, size: number, options: S3EventRecordOptions = {}): string {
  return JSON.stringify({ Records: [s3EventRecord(bucket, key, size, options)] });
}

/** The body S3 writes once when a notification configuration is created or changed. */
export function s3TestEventBody(bucket: string): string {
  return JSON.stringify({
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: new Date().toISOString(),
    Bucket: bucket,
    RequestId: '5582815E1AEA5ADF',
    HostId: '8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE',
  });
}
