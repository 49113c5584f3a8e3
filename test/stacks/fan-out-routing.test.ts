import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Template } from 'aws-cdk-lib/assertions';
import { FanOutStack } from '../../lib/stacks';
import { testApp } from '../support/app';
import { useLocalAws } from '../support/local-aws';

/**
 * Fan-out routing as deployed: the topic, queues and subscriptions of the FanOut example are
 * created on a local SNS/SQS server (fauxqs) with exactly the filter policies, filter scopes and
 * raw-delivery settings of the synthesized template; the real producer handler publishes, and
 * each queue must receive exactly what its filter allows.
 */

interface TemplateSubscription {
  /** Logical ID of the subscribed queue. */
  readonly queueId: string;
  readonly attributes: Record<string, string>;
}

/** The SQS subscriptions of the template, as SNS `Subscribe` attributes. */
function sqsSubscriptions(template: Template): TemplateSubscription[] {
  return Object.values(template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'sqs' } })).map((sub) => {
    const props = sub.Properties;
    const attributes: Record<string, string> = { RawMessageDelivery: String(props.RawMessageDelivery ?? false) };
    if (props.FilterPolicy) attributes.FilterPolicy = JSON.stringify(props.FilterPolicy);
    if (props.FilterPolicyScope) attributes.FilterPolicyScope = props.FilterPolicyScope;
    return { queueId: props.Endpoint['Fn::GetAtt'][0], attributes };
  });
}

const EVENTS = [
  { id: 'e1', type: 'order.created', amount: 50 },
  { id: 'e2', type: 'order.cancelled' },
  { id: 'e3', type: 'payment.captured', amount: 150 },
  { id: 'e4', type: 'payment.captured', amount: 20 },
  { id: 'e5', type: 'user.signed-up' },
  { id: 'e6', type: 'payment.captured', amount: 100 },
];

describe('FanOut example routing on a local SNS/SQS server', () => {
  const aws = useLocalAws();
  let sns: SNSClient;
  let sqs: SQSClient;
  let template: Template;
  /** queue logical ID -> queue URL on the local server */
  const queueUrls: Record<string, string> = {};

  beforeAll(async () => {
    const app = testApp();
    template = Template.fromStack(new FanOutStack(app, 'FanOut'));
    sns = aws.sns();
    sqs = aws.sqs();

    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'fan-out-routing' }));
    for (const subscription of sqsSubscriptions(template)) {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: subscription.queueId }));
      const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
      queueUrls[subscription.queueId] = QueueUrl!;
      await sns.send(new SubscribeCommand({
        TopicArn, Protocol: 'sqs', Endpoint: attrs.Attributes!.QueueArn, Attributes: subscription.attributes,
      }));
    }

    process.env.TOPIC_ARN = TopicArn;
    const producer = await import('../../lambda/producer');
    await producer.handler({ events: EVENTS });
  });

  afterAll(() => {
    delete process.env.TOPIC_ARN;
  });

  /** Every message body in the queue of the subscriber whose logical ID starts with `prefix`. */
  async function bodiesIn(prefix: string): Promise<string[]> {
    const ids = Object.keys(queueUrls).filter((id) => id.startsWith(prefix));
    expect(ids).toHaveLength(1);
    const bodies: string[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
        QueueUrl: queueUrls[ids[0]], MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60,
      }));
      if (Messages.length === 0) return bodies;
      bodies.push(...Messages.map((m) => m.Body!));
    }
  }

  const idsOf = (bodies: string[]) => bodies.map((b) => JSON.parse(b)).map((m) => (m.Type === 'Notification' ? JSON.parse(m.Message) : m).id).sort();

  test('the template has the three SQS subscribers of the example', () => {
    expect(Object.keys(queueUrls).map((id) => id.replace(/Queue[0-9A-F]{8}$/, '')).sort())
      .toEqual(['EventsAudit', 'LargePaymentsWorker', 'OrdersWorker']);
  });

  test('Orders receives only order.* events, raw (no SNS envelope)', async () => {
    const bodies = await bodiesIn('OrdersWorkerQueue');
    expect(idsOf(bodies)).toEqual(['e1', 'e2']);
    expect(JSON.parse(bodies[0]).Type).toBeUndefined();
  });

  test('LargePayments receives only payment.captured with amount >= 100, in the SNS envelope', async () => {
    const bodies = await bodiesIn('LargePaymentsWorkerQueue');
    expect(idsOf(bodies)).toEqual(['e3', 'e6']);
    expect(JSON.parse(bodies[0])).toMatchObject({ Type: 'Notification', MessageAttributes: { eventType: { Value: 'payment.captured' } } });
  });

  test('Audit receives every event', async () => {
    expect(idsOf(await bodiesIn('EventsAudit'))).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
  });
});
