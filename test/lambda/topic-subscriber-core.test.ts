import type { SNSEvent } from 'aws-lambda';
import { InvalidMessageError, processNotifications } from '../../lambda/topic-subscriber';
import { useCapturedLogs } from '../support/captured-logs';

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111111111111:events';

/** An SNS event with one record per message (Lambda delivers one; the function handles any number). */
const snsEvent = (...messages: string[]) => ({
  Records: messages.map((Message, i) => ({ Sns: { MessageId: `m${i}`, TopicArn: TOPIC_ARN, Message } })),
}) as unknown as SNSEvent;

describe('processNotifications', () => {
  const logs = useCapturedLogs();

  test('returns every event in order and logs each with its message id', () => {
    expect(processNotifications(snsEvent('{"id":"a","type":"t"}', '{"id":"b","type":"u","amount":0}')))
      .toEqual([{ id: 'a', type: 't' }, { id: 'b', type: 'u', amount: 0 }]);
    expect(logs.entries()).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'Notification received', messageId: 'm0', event: { id: 'a', type: 't' } }),
      expect.objectContaining({ level: 'INFO', message: 'Notification received', messageId: 'm1', event: { id: 'b', type: 'u', amount: 0 } }),
    ]);
  });

  test('an empty event yields nothing', () => {
    expect(processNotifications({ Records: [] })).toEqual([]);
  });

  test('stops at the first invalid message, logging its message id, topic, reason and error', () => {
    expect(() => processNotifications(snsEvent('{"id":"a","type":"t"}', '{"id":"","type":"t"}', '{"id":"c","type":"t"}')))
      .toThrow(new InvalidMessageError('INVALID_ID', 'id must be a non-empty string, got ""'));
    const entries = logs.entries();
    expect(entries.map((e) => [e.level, e.message, e.messageId])).toEqual([['INFO', 'Notification received', 'm0'], ['ERROR', 'Notification rejected', 'm1']]);
    expect(entries[1]).toMatchObject({
      topicArn: TOPIC_ARN, reason: 'INVALID_ID', error: expect.objectContaining({ name: 'InvalidMessageError', message: 'INVALID_ID: id must be a non-empty string, got ""' }),
    });
  });
});
