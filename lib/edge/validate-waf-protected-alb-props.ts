import { ConfigErrors } from '../private/config-errors';
import { DEFAULT_SERVER_ERROR_THRESHOLD } from '../private/edge-alarms';
import { checkServerErrorThreshold } from './validate-alarm-thresholds';
import type { WafProtectedAlbProps } from './waf-protected-alb';

/**
 * Records every problem of WafProtectedAlb's own props in `errors` (the caller throws; EdgeWebAcl
 * checks the web ACL's) and returns the server error threshold to use.
 */
export function checkWafProtectedAlbProps(errors: ConfigErrors, props: WafProtectedAlbProps): number {
  if (props.loadBalancer) {
    for (const prop of ['vpc', 'certificate', 'logsBucket'] as const) {
      if (props[prop] !== undefined) {
        errors.add(prop, '(given)', 'only applies to a new load balancer, but an existing loadBalancer was given',
          `configure the existing load balancer directly and remove ${prop}`);
      }
    }
  }
  const serverErrorThreshold = props.serverErrorThreshold ?? DEFAULT_SERVER_ERROR_THRESHOLD;
  checkServerErrorThreshold(errors, serverErrorThreshold);
  return serverErrorThreshold;
}
