import { CfnOutput, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { QueueWorker } from '../messaging/queue-worker';
import { createHandlerFunction } from '../private/node-function';
import { acknowledgeNoFunctionDlq } from '../private/nag-acknowledgements';

/**
 * Example: a standard queue and a FIFO queue, each consumed by the Powertools batch consumer.
 * The FIFO worker keeps order within a message group: after a failed record, the rest of its
 * group is reported failed too and retried in order.
 */
export class QueueWorkersStack extends Stack {
  public readonly standardWorker: QueueWorker;
  public readonly fifoWorker: QueueWorker;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // One key for both workers: each customer-managed key costs $1/month while idle.
    const key = new kms.Key(this, 'QueueKey', {
      description: 'Encrypts the QueueWorkers example queues',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.standardWorker = new QueueWorker(this, 'StandardWorker', {
      encryptionKey: key,
      handler: createHandlerFunction(this, 'StandardHandler', { handlerName: 'queue-worker', description: 'Consumes the standard queue' }),
      maxConcurrency: 5,
    });
    this.fifoWorker = new QueueWorker(this, 'FifoWorker', {
      handler: createHandlerFunction(this, 'FifoHandler', { handlerName: 'queue-worker', description: 'Consumes the FIFO queue in order per message group' }),
      encryptionKey: key,
      fifo: true,
      contentBasedDeduplication: true,
      maxConcurrency: 5,
    });

    for (const worker of [this.standardWorker, this.fifoWorker]) {
      acknowledgeNoFunctionDlq(worker.handler, 'invoked synchronously by the SQS event source mapping; failed records return to the queue and reach its dead-letter queue');
    }

    new CfnOutput(this, 'StandardQueueUrl', { value: this.standardWorker.queue.queueUrl });
    new CfnOutput(this, 'FifoQueueUrl', { value: this.fifoWorker.queue.queueUrl });
  }
}
