import { decodeS3Key, InvalidNotificationError, parseNotification } from '../../../lambda/thumbnail/notification';
import { encodeS3EventKey, s3NotificationBody, s3TestEventBody } from '../../support/s3-notifications';

describe('parseNotification', () => {
  const record = (key: unknown, extra: object = {}) => ({ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'media' }, object: { key, ...extra } } });

  test('one event per record, key decoded, size when given', () => {
    const body = JSON.stringify({ Records: [record('My+Holiday/caf%C3%A9%2B1.jpg', { size: 10 }), record('a.png')] });
    expect(parseNotification(body)).toEqual([
      { eventName: 'ObjectCreated:Put', bucket: 'media', key: 'My Holiday/café+1.jpg', size: 10 },
      { eventName: 'ObjectCreated:Put', bucket: 'media', key: 'a.png' },
    ]);
  });

  test('reads bucket, decoded key, size and event name from every record as S3 writes them', () => {
    const body = JSON.stringify({
      Records: [
        JSON.parse(s3NotificationBody('b1', 'a b.jpg', 10)).Records[0],
        JSON.parse(s3NotificationBody('b2', 'c.png', 20, { eventName: 'ObjectCreated:CompleteMultipartUpload' })).Records[0],
      ],
    });
    expect(parseNotification(body)).toEqual([
      { eventName: 'ObjectCreated:Put', bucket: 'b1', key: 'a b.jpg', size: 10 },
      { eventName: 'ObjectCreated:CompleteMultipartUpload', bucket: 'b2', key: 'c.png', size: 20 },
    ]);
  });

  test('a size that is not a number is left out; size 0 is kept', () => {
    expect(parseNotification(JSON.stringify({ Records: [record('a', { size: '10' })] }))[0]).not.toHaveProperty('size');
    expect(parseNotification(JSON.stringify({ Records: [record('a', { size: 0 })] }))[0].size).toBe(0);
  });

  test('the s3:TestEvent yields no records; an empty Records array neither', () => {
    expect(parseNotification('{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"media"}')).toEqual([]);
    expect(parseNotification(s3TestEventBody('media'))).toEqual([]);
    expect(parseNotification('{"Records":[]}')).toEqual([]);
  });

  const NOT_A_NOTIFICATION = 'expected an object with a `Records` array or an s3:TestEvent';
  const INCOMPLETE = (i: number) => `Records[${i}] lacks eventName, s3.bucket.name or s3.object.key`;
  test.each([
    ['not JSON', '{"Records"', 'INVALID_JSON', 'body is not JSON (10 characters)'],
    ['cut off', '{"Records":', 'INVALID_JSON', 'body is not JSON (11 characters)'],
    ['null', 'null', 'NOT_AN_S3_NOTIFICATION', NOT_A_NOTIFICATION],
    ['an empty array', '[]', 'NOT_AN_S3_NOTIFICATION', NOT_A_NOTIFICATION],
    ['an array', '[{"Records":[]}]', 'NOT_AN_S3_NOTIFICATION', NOT_A_NOTIFICATION],
    ['Records not an array', '{"Records":{}}', 'NOT_AN_S3_NOTIFICATION', NOT_A_NOTIFICATION],
    ['another event', '{"Event":"s3:Other"}', 'NOT_AN_S3_NOTIFICATION', NOT_A_NOTIFICATION],
    ['JSON without Records', '{"Event":"s3:ObjectCreated:Put"}', 'NOT_AN_S3_NOTIFICATION', NOT_A_NOTIFICATION],
    ['a record that is not an object', '{"Records":[null]}', 'NOT_AN_S3_NOTIFICATION', INCOMPLETE(0)],
    ['a record that is an array', '{"Records":[[]]}', 'NOT_AN_S3_NOTIFICATION', INCOMPLETE(0)],
    ['no eventName', JSON.stringify({ Records: [{ s3: { bucket: { name: 'b' }, object: { key: 'k' } } }] }), 'NOT_AN_S3_NOTIFICATION', INCOMPLETE(0)],
    ['s3 an array', JSON.stringify({ Records: [{ eventName: 'e', s3: [] }] }), 'NOT_AN_S3_NOTIFICATION', INCOMPLETE(0)],
    ['bucket without a name', JSON.stringify({ Records: [record('k'), { eventName: 'e', s3: { bucket: {}, object: { key: 'k' } } }] }), 'NOT_AN_S3_NOTIFICATION', INCOMPLETE(1)],
    ['bucket a string', JSON.stringify({ Records: [{ eventName: 'e', s3: { bucket: 'b', object: { key: 'k' } } }] }), 'NOT_AN_S3_NOTIFICATION', INCOMPLETE(0)],
    ['object a string', JSON.stringify({ Records: [{ eventName: 'e', s3: { bucket: { name: 'b' }, object: 'k' } }] }), 'NOT_AN_S3_NOTIFICATION', INCOMPLETE(0)],
    ['a record without a key', JSON.stringify({ Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: {} } }] }), 'NOT_AN_S3_NOTIFICATION', INCOMPLETE(0)],
    ['a key that is a number', JSON.stringify({ Records: [record(5)] }), 'NOT_AN_S3_NOTIFICATION', INCOMPLETE(0)],
    ['a key that is bad URL encoding', JSON.stringify({ Records: [record('a%E0%A4%A')] }), 'INVALID_KEY', 'object key is not valid URL encoding: "a%E0%A4%A"'],
    ['a key with a bare %', JSON.stringify({ Records: [record('100%.jpg')] }), 'INVALID_KEY', 'object key is not valid URL encoding: "100%.jpg"'],
  ])('fails if the body is %s', (_name, body, reason, detail) => {
    let error: unknown;
    try {
      parseNotification(body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidNotificationError);
    expect(error).toMatchObject({ name: 'InvalidNotificationError', reason, detail, message: `${reason}: ${detail}` });
  });
});

describe('decodeS3Key', () => {
  test('turns every + into a space, and %2B into +', () => {
    expect(decodeS3Key('a+b+c%2Bd')).toBe('a b c+d');
    expect(decodeS3Key('My+Holiday/caf%C3%A9%2B1.jpg')).toBe('My Holiday/café+1.jpg');
  });

  test.each([
    'plain.jpg',
    'with space/and more spaces.jpg',
    'literal+plus.jpg',
    'per%cent %20 not-an-escape.png',
    'unicode/café ☀️ 写真 (1).webp',
    "punctuation !'()*&=?#.jpg",
  ])('decodes the key %j from its event encoding', (key) => {
    // GIVEN the key as S3 writes it into the event (spaces as +, the rest percent-encoded)
    const encoded = encodeS3EventKey(key);
    // WHEN / THEN the real key is recovered
    expect(decodeS3Key(encoded)).toBe(key);
  });
});
