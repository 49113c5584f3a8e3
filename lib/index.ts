export * from './messaging/fan-out-topic';
export * from './messaging/queue-worker';
export type { SubscriptionFilterOptions } from './messaging/subscription-filter';
export * from './messaging/topic-subscriber';
export * from './s3/bucket-events';
export * from './s3/s3-thumbnail-pipeline';
export * from './ha/ha-bastion';
export * from './ha/ha-instance';
