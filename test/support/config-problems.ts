import { ConfigErrors } from '../../lib/private/config-errors';

/**
 * The problems recorded in `errors`, as the lines of the message `throwIfAny` throws without its header:
 * `  - <Construct>: <prop> '<value>': <rule>. Fix: <fix>.`, or with `bare` just `<prop> '<value>': ...`.
 * None when `errors` holds none.
 */
export function recordedProblems(errors: ConfigErrors, bare = false): string[] {
  try {
    errors.throwIfAny();
  } catch (e) {
    const lines = (e as Error).message.split('\n').slice(1);
    return bare ? lines.map((line) => line.replace(/^ {2}- \w+: /, '')) : lines;
  }
  return [];
}
