import { matchesEventPattern } from './event-pattern';

// The EC2 event and patterns of the EventBridge user guide's "Amazon EventBridge event patterns" pages.
const EC2_EVENT = {
  'version': '0',
  'id': '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  'source': 'aws.ec2',
  'account': '111122223333',
  'time': '2017-12-22T18:43:48Z',
  'region': 'us-west-1',
  'resources': ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  'detail': { 'instance-id': 'i-1234567890abcdef0', 'state': 'terminated', 'count': 3, 'tag': null },
};

describe('matchesEventPattern (EventBridge pattern semantics)', () => {
  test.each([
    ['exact values, fields ANDed', { 'source': ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], 'detail': { state: ['terminated'] } }, true],
    ['one field differs', { source: ['aws.ec2'], detail: { state: ['running'] } }, false],
    ['values of a field are alternatives', { detail: { state: ['running', 'terminated'] } }, true],
    ['a number and null match exactly', { detail: { count: [3], tag: [null] } }, true],
    ['a number does not match its string', { detail: { count: ['3'] } }, false],
    ['a field absent from the event never matches a value', { detail: { reason: ['terminated'] } }, false],
    ['a nested object absent from the event never matches', { detail: { object: { key: ['k'] } } }, false],
    ['exists: false matches an absent field', { detail: { reason: [{ exists: false }] } }, true],
    ['exists: true matches a present field', { detail: { state: [{ exists: true }] } }, true],
    ['exists: false does not match a present field', { detail: { state: [{ exists: false }] } }, false],
    ['an event array matches if any element does', { resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0', 'other'] }, true],
    ['prefix', { region: [{ prefix: 'us-' }] }, true],
    ['prefix, not matching', { region: [{ prefix: 'eu-' }] }, false],
    ['suffix', { detail: { 'instance-id': [{ suffix: 'def0' }] } }, true],
    ['suffix, not matching', { detail: { 'instance-id': [{ suffix: '.png' }] } }, false],
    ['wildcard', { detail: { 'instance-id': [{ wildcard: 'i-*def0' }] } }, true],
    ['wildcard, not matching', { detail: { 'instance-id': [{ wildcard: 'i-*abc' }] } }, false],
    ['anything-but a value', { detail: { state: [{ 'anything-but': 'initializing' }] } }, true],
    ['anything-but the value itself', { detail: { state: [{ 'anything-but': 'terminated' }] } }, false],
    ['anything-but a list', { detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } }, false],
    ['anything-but a prefix', { region: [{ 'anything-but': { prefix: 'us-' } }] }, false],
    ['$or: one branch matches', { source: ['aws.ec2'], $or: [{ detail: { state: ['running'] } }, { 'detail-type': ['EC2 Instance State-change Notification'] }] }, true],
    ['$or: no branch matches', { $or: [{ detail: { state: ['running'] } }, { region: ['eu-west-1'] }] }, false],
    ['$or: a branch matches but a sibling field does not', { source: ['aws.s3'], $or: [{ region: ['us-west-1'] }, { region: ['eu-west-1'] }] }, false],
    ['$or nested inside an object', { detail: { $or: [{ state: ['running'] }, { count: [3] }] } }, true],
  ])('%s', (_name, pattern, expected) => {
    expect(matchesEventPattern(pattern, EC2_EVENT)).toBe(expected);
  });

  test('wildcard: * matches any run of characters, also none; other characters are literal', () => {
    const key = (k: string) => ({ detail: { object: { key: k } } });
    const pattern = { detail: { object: { key: [{ wildcard: 'archive/*.csv' }] } } };
    expect(['archive/.csv', 'archive/a/b.csv'].map((k) => matchesEventPattern(pattern, key(k)))).toEqual([true, true]);
    expect(['archive/a.csvx', 'xarchive/a.csv', 'archive/a.c+v', 'archiveXa.csv'].map((k) => matchesEventPattern(pattern, key(k)))).toEqual([false, false, false, false]);
    expect(matchesEventPattern({ k: [{ wildcard: 'a\\*b' }] }, { k: 'a*b' })).toBe(true);
    expect(matchesEventPattern({ k: [{ wildcard: 'a\\*b' }] }, { k: 'axb' })).toBe(false);
  });

  test('fails if the pattern uses an operator the matcher does not implement', () => {
    expect(() => matchesEventPattern({ detail: { count: [{ numeric: ['>', 0] }] } }, EC2_EVENT)).toThrow(/operator 'numeric' is not implemented/);
  });

  test('fails if a field is neither an array nor an object', () => {
    expect(() => matchesEventPattern({ source: 'aws.ec2' }, EC2_EVENT)).toThrow(/source must be an array of values or an object/);
  });
});
