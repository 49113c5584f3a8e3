import { Lazy } from 'aws-cdk-lib';
import { validateTopicName } from '../../lib/messaging/validate-topic-name';
import { ConfigErrors } from '../../lib/private/config-errors';
import { recordedProblems } from '../support/config-problems';

// SNS topic names (SNS API CreateTopic, Name): 1 to 256 of [A-Za-z0-9_-]; a FIFO topic's name ends in
// .fifo, which counts toward the 256.

/** The problem lines validateTopicName records for `name` ([] when none). */
function problems(name: string, fifo: boolean): string[] {
  const errors = new ConfigErrors('FanOutTopic', 'T');
  validateTopicName(errors, 'topicName', name, fifo);
  return recordedProblems(errors);
}

const STANDARD_RULE = 'must be 1 to 256 letters, digits, hyphens or underscores (SNS API CreateTopic, Name; a .fifo suffix only on FIFO topics). '
  + 'Fix: use only those characters, at most 256 of them, or set fifo: true for a FIFO topic.';
const FIFO_RULE = 'must be 1 to 256 letters, digits, hyphens or underscores in all, ending in .fifo for a FIFO topic (SNS API CreateTopic, Name). '
  + 'Fix: use a shorter name of those characters (.fifo is appended when missing).';

describe('a standard topic name', () => {
  test.each([
    ['one character', 'a'],
    ['256 characters', 'a'.repeat(256)],
    ['every allowed character', 'AZaz09_-'],
  ])('%s is accepted', (_what, name) => {
    expect(problems(name, false)).toEqual([]);
  });

  test.each([
    ['empty', ''],
    ['257 characters', 'a'.repeat(257)],
    ['a dot', 'orders.fifo'],
    ['a bad first character', '!orders'],
    ['a bad last character', 'orders!'],
    ['a space', 'my orders'],
  ])('%s is refused', (_what, name) => {
    expect(problems(name, false)).toEqual([`  - FanOutTopic: topicName '${name}': ${STANDARD_RULE}`]);
  });
});

describe('a FIFO topic name', () => {
  test.each([
    ['one character and .fifo', 'a.fifo'],
    ['256 characters with .fifo', `${'a'.repeat(251)}.fifo`],
    ['every allowed character', 'AZaz09_-.fifo'],
  ])('%s is accepted', (_what, name) => {
    expect(problems(name, true)).toEqual([]);
  });

  test.each([
    ['.fifo alone', '.fifo'],
    ['257 characters with .fifo', `${'a'.repeat(252)}.fifo`],
    ['no .fifo', 'orders'],
    ['another character for the dot', 'ordersXfifo'],
    ['text after .fifo', 'orders.fifox'],
    ['a bad first character', '!orders.fifo'],
  ])('%s is refused', (_what, name) => {
    expect(problems(name, true)).toEqual([`  - FanOutTopic: topicName '${name}': ${FIFO_RULE}`]);
  });
});

test('a token is not checked', () => {
  expect(problems(Lazy.string({ produce: () => '!' }), false)).toEqual([]);
  expect(problems(Lazy.string({ produce: () => '!' }), true)).toEqual([]);
});
