import { InvalidMessageError, parseEvent, parseJson, validateEvent } from '../../lambda/shared/messaging-event';

/** The error `fn` throws (fails the test if it returns). */
function errorOf(fn: () => unknown): InvalidMessageError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidMessageError);
    return e as InvalidMessageError;
  }
  throw new Error('expected an InvalidMessageError');
}

describe('messaging event contract', () => {
  describe('accepts', () => {
    test('id and type only, dropping other fields', () => {
      expect(parseEvent('{"id":"e-1","type":"order.created","extra":true}')).toEqual({ id: 'e-1', type: 'order.created' });
    });

    test.each([0, 0.01, 1, 1e9])('amount %d (0 is the limit)', (amount) => {
      expect(validateEvent({ id: 'e', type: 't', amount, other: 1 })).toEqual({ id: 'e', type: 't', amount });
    });

    test('ids and types with surrounding spaces, kept as written', () => {
      expect(validateEvent({ id: ' e ', type: ' t' })).toEqual({ id: ' e ', type: ' t' });
    });
  });

  describe('rejects, with reason and detail', () => {
    test.each([
      [null, 'NOT_AN_OBJECT', 'expected a JSON object, got null'],
      [[], 'NOT_AN_OBJECT', 'expected a JSON object, got an array'],
      ['text', 'NOT_AN_OBJECT', 'expected a JSON object, got "text"'],
      [7, 'NOT_AN_OBJECT', 'expected a JSON object, got 7'],
      [true, 'NOT_AN_OBJECT', 'expected a JSON object, got a boolean'],
      [undefined, 'NOT_AN_OBJECT', 'expected a JSON object, got nothing'],
      [{ type: 't' }, 'INVALID_ID', 'id must be a non-empty string, got nothing'],
      [{ id: '', type: 't' }, 'INVALID_ID', 'id must be a non-empty string, got ""'],
      [{ id: ' \t', type: 't' }, 'INVALID_ID', 'id must be a non-empty string, got " \\t"'],
      [{ id: 5, type: 't' }, 'INVALID_ID', 'id must be a non-empty string, got 5'],
      [{ id: {}, type: 't' }, 'INVALID_ID', 'id must be a non-empty string, got a object'],
      [{ id: 'e' }, 'INVALID_TYPE', 'type must be a non-empty string, got nothing'],
      [{ id: 'e', type: '  ' }, 'INVALID_TYPE', 'type must be a non-empty string, got "  "'],
      [{ id: 'e', type: null }, 'INVALID_TYPE', 'type must be a non-empty string, got null'],
      [{ id: 'e', type: 't', amount: -0.01 }, 'INVALID_AMOUNT', 'amount must be a finite number >= 0, got -0.01'],
      [{ id: 'e', type: 't', amount: -1 }, 'INVALID_AMOUNT', 'amount must be a finite number >= 0, got -1'],
      [{ id: 'e', type: 't', amount: Infinity }, 'INVALID_AMOUNT', 'amount must be a finite number >= 0, got Infinity'],
      [{ id: 'e', type: 't', amount: NaN }, 'INVALID_AMOUNT', 'amount must be a finite number >= 0, got NaN'],
      [{ id: 'e', type: 't', amount: '5' }, 'INVALID_AMOUNT', 'amount must be a finite number >= 0, got "5"'],
      [{ id: 'e', type: 't', amount: null }, 'INVALID_AMOUNT', 'amount must be a finite number >= 0, got null'],
      [{ id: 'e', type: 't', amount: [1] }, 'INVALID_AMOUNT', 'amount must be a finite number >= 0, got an array'],
    ])('%p: %s', (value, reason, detail) => {
      const error = errorOf(() => validateEvent(value));
      expect([error.name, error.reason, error.detail, error.message]).toEqual(['InvalidMessageError', reason, detail, `${reason}: ${detail}`]);
    });

    test('a string of 40 characters is quoted; of 41, only its length is given (bodies may be large)', () => {
      expect(errorOf(() => validateEvent({ id: 'x'.repeat(40), type: 5 })).detail).toBe('type must be a non-empty string, got 5');
      expect(errorOf(() => validateEvent('x'.repeat(40))).detail).toBe(`expected a JSON object, got "${'x'.repeat(40)}"`);
      expect(errorOf(() => validateEvent('x'.repeat(41))).detail).toBe('expected a JSON object, got a string of length 41');
    });
  });

  describe('parseJson', () => {
    test('parses JSON of any shape', () => {
      expect(parseJson('[1,{"a":null}]')).toEqual([1, { a: null }]);
    });

    test.each(['', '{', 'not json'])('fails with INVALID_JSON and the parser\'s message for %j', (body) => {
      let parserMessage = '';
      try {
        JSON.parse(body);
      } catch (e) {
        parserMessage = (e as Error).message;
      }
      const error = errorOf(() => parseEvent(body));
      expect([error.reason, error.detail]).toEqual(['INVALID_JSON', parserMessage]);
    });
  });
});
