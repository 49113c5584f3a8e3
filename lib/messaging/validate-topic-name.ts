import { Token } from 'aws-cdk-lib';
import { ConfigErrors } from '../private/config-errors';

/**
 * SNS topic names: 1 to 256 ASCII letters, digits, hyphens or underscores; a FIFO topic's name
 * ends in `.fifo` (which counts toward the 256). Source: SNS API CreateTopic, Name.
 */
const STANDARD_TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const FIFO_TOPIC_NAME = /^[A-Za-z0-9_-]{1,251}\.fifo$/;

/** Records a problem unless `name` (as the topic will get it, `.fifo` included) is a valid topic name or a token. */
export function validateTopicName(errors: ConfigErrors, prop: string, name: string, fifo: boolean): void {
  if (Token.isUnresolved(name)) {
    return;
  }
  if (fifo && !FIFO_TOPIC_NAME.test(name)) {
    errors.add(prop, name, 'must be 1 to 256 letters, digits, hyphens or underscores in all, ending in .fifo for a FIFO topic (SNS API CreateTopic, Name)',
      'use a shorter name of those characters (.fifo is appended when missing)');
  } else if (!fifo && !STANDARD_TOPIC_NAME.test(name)) {
    errors.add(prop, name, 'must be 1 to 256 letters, digits, hyphens or underscores (SNS API CreateTopic, Name; a .fifo suffix only on FIFO topics)',
      'use only those characters, at most 256 of them, or set fifo: true for a FIFO topic');
  }
}
