import { ConfigErrors, checkTcpPort } from '../private/config-errors';
import { DEFAULT_SERVER_ERROR_THRESHOLD } from '../private/edge-alarms';
import type { AlbIpBlockingProps } from './alb-ip-blocking';
import { checkServerErrorThreshold } from './validate-alarm-thresholds';

/** What AlbIpBlocking's constructor needs from its props once they are checked. */
export interface CheckedAlbIpBlockingInputs {
  /** The instance port (a token when `instancePort` is one). */
  readonly port: number;
  /** The 5xx threshold of both alarms. */
  readonly serverErrorThreshold: number;
}

/** Records every problem of AlbIpBlocking's props in `errors` (the caller throws) and returns the resolved defaults. */
export function checkAlbIpBlockingProps(errors: ConfigErrors, props: AlbIpBlockingProps): CheckedAlbIpBlockingInputs {
  const port = props.instancePort ?? 80;
  checkTcpPort(errors, 'instancePort', port, 'use e.g. 80 or 8080');
  const serverErrorThreshold = props.serverErrorThreshold ?? DEFAULT_SERVER_ERROR_THRESHOLD;
  checkServerErrorThreshold(errors, serverErrorThreshold);
  return { port, serverErrorThreshold };
}
