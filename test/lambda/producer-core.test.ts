import { InvalidPublishRequestError, toPublishEntry, validatePublishRequest } from '../../lambda/producer';

/** The problems `validatePublishRequest(input)` reports, and its message. */
function rejection(input: unknown): { problems: unknown; message: string } {
  try {
    validatePublishRequest(input);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidPublishRequestError);
    const error = e as InvalidPublishRequestError;
    expect(error.name).toBe('InvalidPublishRequestError');
    return { problems: error.problems, message: error.message };
  }
  throw new Error('expected an InvalidPublishRequestError');
}

describe('producer core', () => {
  describe('validatePublishRequest', () => {
    test('returns the valid events, with a group id where given', () => {
      expect(validatePublishRequest({ events: [{ id: 'a', type: 't' }, { id: 'b', type: 't', amount: 0, groupId: 'g' }] }))
        .toEqual([{ id: 'a', type: 't' }, { id: 'b', type: 't', amount: 0, groupId: 'g' }]);
    });

    test('an empty list is valid', () => {
      expect(validatePublishRequest({ events: [] })).toEqual([]);
    });

    test.each([null, undefined, {}, { events: 'a' }, { events: { 0: {} } }, []])('fails if the request is %p', (input) => {
      expect(rejection(input)).toEqual({
        problems: [{ reason: 'INVALID_REQUEST', detail: 'expected an object with an `events` array' }],
        message: 'Invalid publish request, nothing was published: INVALID_REQUEST: expected an object with an `events` array',
      });
    });

    test('collects every problem of every event, with its index, and publishes nothing', () => {
      const { problems, message } = rejection({
        events: [
          { id: 'a', type: 't' },
          { id: '', type: 't' },
          { id: 'c', type: 't', groupId: '' },
          { id: 'd', type: 't', groupId: ' ' },
          { id: 'e', type: 't', groupId: 7 },
          { id: 'a', type: 't' },
        ],
      });
      expect(problems).toEqual([
        { index: 1, reason: 'INVALID_ID', detail: 'id must be a non-empty string, got ""' },
        { index: 2, reason: 'INVALID_GROUP_ID', detail: 'groupId, when given, must be a non-empty string' },
        { index: 3, reason: 'INVALID_GROUP_ID', detail: 'groupId, when given, must be a non-empty string' },
        { index: 4, reason: 'INVALID_GROUP_ID', detail: 'groupId, when given, must be a non-empty string' },
        { index: 5, reason: 'DUPLICATE_ID', detail: 'id "a" appears more than once' },
      ]);
      expect(message).toBe('Invalid publish request, nothing was published: events[1] INVALID_ID: id must be a non-empty string, got ""; '
        + 'events[2] INVALID_GROUP_ID: groupId, when given, must be a non-empty string; '
        + 'events[3] INVALID_GROUP_ID: groupId, when given, must be a non-empty string; '
        + 'events[4] INVALID_GROUP_ID: groupId, when given, must be a non-empty string; '
        + 'events[5] DUPLICATE_ID: id "a" appears more than once');
    });

    test('an event rejected for its group id does not count as seen', () => {
      expect(rejection({ events: [{ id: 'a', type: 't', groupId: '' }, { id: 'a', type: 't' }] }).problems)
        .toEqual([{ index: 0, reason: 'INVALID_GROUP_ID', detail: 'groupId, when given, must be a non-empty string' }]);
    });
  });

  describe('toPublishEntry', () => {
    test('standard topic: the contract as the message, the type as the eventType attribute, no FIFO fields', () => {
      expect(toPublishEntry({ id: 'a', type: 'order', amount: 5, groupId: 'g' }, 'e0', false)).toEqual({
        Id: 'e0',
        Message: '{"id":"a","type":"order","amount":5}',
        MessageAttributes: { eventType: { DataType: 'String', StringValue: 'order' } },
      });
    });

    test('without an amount, the message has none', () => {
      expect(toPublishEntry({ id: 'a', type: 'order' }, 'e1', false).Message).toBe('{"id":"a","type":"order"}');
      expect(toPublishEntry({ id: 'a', type: 'order', amount: 0 }, 'e1', false).Message).toBe('{"id":"a","type":"order","amount":0}');
    });

    test('FIFO topic: the group id (default: the event id) and the event id as deduplication id', () => {
      expect(toPublishEntry({ id: 'a', type: 't', groupId: 'g' }, 'e0', true)).toMatchObject({ MessageGroupId: 'g', MessageDeduplicationId: 'a' });
      expect(toPublishEntry({ id: 'a', type: 't' }, 'e0', true)).toMatchObject({ MessageGroupId: 'a', MessageDeduplicationId: 'a' });
    });
  });
});
