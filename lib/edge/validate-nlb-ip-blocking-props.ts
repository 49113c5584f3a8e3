import { ConfigErrors, checkTcpPort } from '../private/config-errors';
import type { NlbIpBlockingProps } from './nlb-ip-blocking';

/** Records every problem of NlbIpBlocking's props in `errors` (the caller throws) and returns the port to use. */
export function checkNlbIpBlockingProps(errors: ConfigErrors, props: NlbIpBlockingProps): number {
  const port = props.port ?? 80;
  checkTcpPort(errors, 'port', port, 'use e.g. 80 or 443');
  return port;
}
