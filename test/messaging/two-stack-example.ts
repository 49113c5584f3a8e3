import { App, Duration, Stack } from 'aws-cdk-lib';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { FanOutTopic, QueueWorker } from '../../lib';

/**
 * The README's two-stack example (section FanOutTopic), quoted there verbatim from between the
 * markers; test/inputs/messaging.test.ts synthesizes it and checks the quote.
 */
export function twoStackExample(app: App): { events: Stack; orders: Stack } {
  // README:begin
  // Producer stack: the topic and one queue per consumer.
  const events = new Stack(app, 'Events');
  const fanOut = new FanOutTopic(events, 'Events', {
    subscribers: { Orders: { visibilityTimeout: Duration.minutes(3) } }, // 6 x the worker's 30 s timeout
  });

  // Consumer stack: a worker on its queue. Only this stack references the other.
  const orders = new Stack(app, 'Orders');
  new QueueWorker(orders, 'OrdersWorker', {
    queue: fanOut.subscribers.Orders.queue,
    handler: new NodejsFunction(orders, 'OrdersHandler', {
      entry: 'lambda/queue-worker/index.ts', // your handler; this repo's queue worker here
      timeout: Duration.seconds(30),
    }),
  });
  // README:end
  return { events, orders };
}
