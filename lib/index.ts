export * from './messaging/fan-out-topic';
export * from './messaging/queue-worker';
export * from './messaging/topic-subscriber';
