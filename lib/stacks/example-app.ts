import { App, Stack } from 'aws-cdk-lib';
import { BastionStack } from './bastion-stack';
import { FanOutStack } from './fan-out-stack';
import { HaInstanceStack } from './ha-instance-stack';
import { QueueWorkersStack } from './queue-workers-stack';
import { ThumbnailsStack } from './thumbnails-stack';

/** An example stack's short, stable name (the `cdk deploy <name>` argument) and how to build it. */
export interface ExampleStackEntry {
  readonly build: (app: App, id: string) => Stack;
  /** The example uses messaging services, so the cdk-nag Serverless pack applies too. */
  readonly serverless: boolean;
}

/**
 * Every example stack, keyed by its stack name. `bin/app.ts` instantiates all of them and the
 * example-stack tests iterate this same list, so nothing deployable goes untested.
 */
export const EXAMPLE_STACKS: Record<string, ExampleStackEntry> = {
  FanOut: {
    serverless: true,
    build: (app, id) => new FanOutStack(app, id, {
      description: 'SNS fan-out to filtered SQS queues, Lambda workers and an SNS-to-Lambda subscriber',
    }),
  },
  QueueWorkers: {
    serverless: true,
    build: (app, id) => new QueueWorkersStack(app, id, {
      description: 'SQS standard and FIFO queues consumed by Lambda with partial batch responses',
    }),
  },
  Thumbnails: {
    serverless: true,
    build: (app, id) => new ThumbnailsStack(app, id, {
      description: 'S3 uploads -> SQS -> sharp Lambda -> thumbnails bucket',
    }),
  },
  HaInstance: {
    serverless: false,
    build: (app, id) => new HaInstanceStack(app, id, {
      description: 'One EC2 instance kept alive by an Auto Scaling group over 2 AZs, with a data volume (-c haInstanceMode=ebs) or an Elastic IP (-c haInstanceMode=eip)',
    }),
  },
  Bastion: {
    serverless: false,
    build: (app, id) => new BastionStack(app, id, {
      description: 'Highly available bastion: one host with an Elastic IP (-c bastionMode=eip) or two behind an NLB (-c bastionMode=nlb)',
    }),
  },
};
