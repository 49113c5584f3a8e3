export * from './messaging/fan-out-topic';
export * from './messaging/queue-worker';
export * from './messaging/topic-subscriber';
export * from './s3/bucket-events';
export * from './s3/s3-thumbnail-pipeline';
