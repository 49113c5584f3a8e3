import type { SQSEvent } from 'aws-lambda';
import { InvalidMessageError, handleEvent, isFifoBatch, parseRecordBody } from '../../lambda/queue-worker';

const batchFrom = (...arns: (string | undefined)[]) => ({ Records: arns.map((eventSourceARN) => ({ eventSourceARN })) }) as unknown as SQSEvent;

describe('queue worker core', () => {
  describe('handleEvent', () => {
    test('trims and lower-cases the type, and turns the amount into whole cents', () => {
      expect(handleEvent({ id: 'e', type: ' Order.Created ', amount: 12.345 })).toEqual({ id: 'e', type: 'order.created', amountCents: 1235 });
    });

    test.each([
      [undefined, 0], [0, 0], [0.004, 0], [0.005, 1], [1, 100], [19.99, 1999],
    ])('amount %p is %d cents', (amount, amountCents) => {
      expect(handleEvent({ id: 'e', type: 't', amount }).amountCents).toBe(amountCents);
    });
  });

  describe('parseRecordBody', () => {
    test('a raw contract object', () => {
      expect(parseRecordBody('{"id":"e","type":"t","amount":1}')).toEqual({ id: 'e', type: 't', amount: 1 });
    });

    test('an SNS notification envelope, whose Message is the contract object', () => {
      const envelope = { Type: 'Notification', MessageId: 'm', Message: '{"id":"e","type":"t"}' };
      expect(parseRecordBody(JSON.stringify(envelope))).toEqual({ id: 'e', type: 't' });
    });

    test.each([
      ['another SNS message type', { Type: 'SubscriptionConfirmation', Message: '{"id":"e","type":"t"}' }],
      ['a Message that is not a string', { Type: 'Notification', Message: { id: 'e', type: 't' } }],
    ])('%s is validated as the object itself, and fails', (_name, body) => {
      expect(() => parseRecordBody(JSON.stringify(body))).toThrow(new InvalidMessageError('INVALID_ID', 'id must be a non-empty string, got nothing'));
    });

    test('an envelope with an invalid Message fails with the Message\'s problem', () => {
      const envelope = { Type: 'Notification', Message: '{"id":"e","type":""}' };
      expect(() => parseRecordBody(JSON.stringify(envelope))).toThrow('INVALID_TYPE: type must be a non-empty string, got ""');
      expect(() => parseRecordBody(JSON.stringify({ ...envelope, Message: 'nope' }))).toThrow(/^INVALID_JSON: /);
    });

    test.each(['null', '[]', '"text"'])('%s fails as not an object', (body) => {
      expect(() => parseRecordBody(body)).toThrow(/^NOT_AN_OBJECT: /);
    });
  });

  describe('isFifoBatch', () => {
    test.each([
      [['arn:aws:sqs:eu-west-1:111111111111:orders.fifo'], true],
      [['arn:aws:sqs:eu-west-1:111111111111:orders'], false],
      [['arn:aws:sqs:eu-west-1:111111111111:fifo-orders'], false],
      [[undefined], false],
      [[], false],
    ])('%j: %s', (arns, fifo) => {
      expect(isFifoBatch(batchFrom(...arns))).toBe(fifo);
    });
  });
});
