export * from './bastion-stack';
export * from './example-app';
export * from './fan-out-stack';
export * from './ha-instance-stack';
export * from './queue-workers-stack';
export * from './thumbnails-stack';
