import type { Context, SNSEvent } from 'aws-lambda';
import { InvalidMessageError, handler, processNotifications } from '../../lambda/topic-subscriber';
import { useCapturedLogs } from '../support/captured-logs';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:events';

/** An SNS event as Lambda receives it from a topic subscription (SNS delivers one record per invocation). */
function snsEvent(message: string, messageId = 'sns-msg-1'): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${TOPIC_ARN}:5f0c6f6a-0000-4000-8000-000000000000`,
        Sns: {
          Type: 'Notification',
          MessageId: messageId,
          TopicArn: TOPIC_ARN,
          Subject: '',
          Message: message,
          Timestamp: '2025-01-01T00:00:00.000Z',
          SignatureVersion: '1',
          Signature: 'EXAMPLE',
          SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/cert.pem',
          UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
          MessageAttributes: { eventType: { Type: 'String', Value: 'order.created' } },
        },
      },
    ],
  };
}

const context = { functionName: 'topic-subscriber', awsRequestId: 'req-1' } as Context;

describe('topic subscriber', () => {
  const logs = useCapturedLogs();

  describe('valid notification', () => {
    test('is parsed with the message contract and logged', () => {
      // GIVEN a notification carrying a valid event
      const event = snsEvent(JSON.stringify({ id: 'o-1', type: 'order.created', amount: 3 }));
      // WHEN
      const parsed = processNotifications(event);
      // THEN
      expect(parsed).toEqual([{ id: 'o-1', type: 'order.created', amount: 3 }]);
      expect(logs.entries()).toEqual([
        expect.objectContaining({ level: 'INFO', message: 'Notification received', messageId: 'sns-msg-1', event: parsed[0] }),
      ]);
    });

    test('the handler completes, so Lambda does not retry', async () => {
      await expect(handler(snsEvent('{"id":"o-1","type":"t"}'), context)).resolves.toBeUndefined();
    });
  });

  describe('invalid notification', () => {
    test('fails with InvalidMessageError so async retries and the on-failure destination take over', async () => {
      // GIVEN a notification whose message breaks the contract (negative amount)
      const event = snsEvent(JSON.stringify({ id: 'o-1', type: 't', amount: -1 }), 'sns-bad');
      // WHEN / THEN the handler rejects with the typed error
      const rejection = handler(event, context);
      await expect(rejection).rejects.toBeInstanceOf(InvalidMessageError);
      await expect(rejection).rejects.toMatchObject({ reason: 'INVALID_AMOUNT' });
      // AND the rejection is logged with the SNS message id and the reason
      expect(logs.entries()).toEqual([
        expect.objectContaining({ level: 'ERROR', message: 'Notification rejected', messageId: 'sns-bad', reason: 'INVALID_AMOUNT' }),
      ]);
    });

    test('fails if the message is not JSON', () => {
      expect(() => processNotifications(snsEvent('not json'))).toThrow(expect.objectContaining({ reason: 'INVALID_JSON' }));
    });

    test('does not accept an SNS envelope nested in the message (that is only for SQS bodies)', () => {
      const nested = JSON.stringify({ Type: 'Notification', Message: '{"id":"o-1","type":"t"}' });
      expect(() => processNotifications(snsEvent(nested))).toThrow(expect.objectContaining({ reason: 'INVALID_ID' }));
    });
  });
});
