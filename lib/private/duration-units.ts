import { Duration } from 'aws-cdk-lib';
import { ConfigErrors } from './config-errors';

/**
 * Records a problem when `duration` is a token in another unit than `unit`: aws-cdk-lib cannot
 * convert a token (its value is unknown at synth), so the field that takes `unit` needs the token in
 * that unit, e.g. `Duration.seconds(parameter.valueAsNumber)`.
 */
export function checkTokenUnit(errors: ConfigErrors, prop: string, duration: Duration | undefined, unit: 'millis' | 'seconds' | 'hours'): void {
  if (duration?.isUnresolved() && duration.unitLabel() !== unit) {
    errors.add(prop, duration, `is a token in ${duration.unitLabel()}, but is used in ${unit}, and a value unknown until deployment cannot be converted at synth`,
      `pass the token as Duration.${unit}(token), or a concrete duration`);
  }
}
