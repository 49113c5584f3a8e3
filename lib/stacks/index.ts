export * from './example-app';
export * from './fan-out-stack';
export * from './queue-workers-stack';
export * from './thumbnails-stack';
