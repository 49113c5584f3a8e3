import { Token } from 'aws-cdk-lib';
import { checkCidr } from '../private/cidr';
import { ConfigErrors, checkTcpPort } from '../private/config-errors';
import type { PublicInstanceIpBlockingProps } from './public-instance-ip-blocking';

/** Default TCP ports the security group of a PublicInstanceIpBlocking opens. */
export const DEFAULT_PUBLIC_INSTANCE_PORTS = [80];

/**
 * Records every problem of PublicInstanceIpBlocking's props in `errors` (the caller throws). Tokens
 * among the ranges and ports are skipped; the list of ranges itself must be literal (the message
 * says why).
 */
export function checkPublicInstanceIpBlockingProps(errors: ConfigErrors, props: PublicInstanceIpBlockingProps): void {
  const ports = props.ports ?? DEFAULT_PUBLIC_INSTANCE_PORTS;
  const allowedCidrsToken = Token.isUnresolved(props.allowedCidrs);
  if (allowedCidrsToken) {
    errors.add('allowedCidrs', '(list token)', 'each range becomes its own security group rule, so the list must be known at synth time',
      'pass a literal list (its entries may be tokens)');
  } else {
    props.allowedCidrs.forEach((cidr, i) => {
      const parsed = checkCidr(errors, `allowedCidrs[${i}]`, cidr);
      if (parsed?.prefixLength === 0) {
        errors.add(`allowedCidrs[${i}]`, cidr, 'an instance must not be open to the whole internet; only a load balancer or distribution listener may be',
          'list the client ranges, or put AlbIpBlocking or NlbIpBlocking in front');
      }
    });
  }
  if (!allowedCidrsToken && props.allowedCidrs.length === 0) {
    errors.add('allowedCidrs', '[]', 'the security group would allow no one', 'list the client ranges allowed to connect');
  }
  if (ports.length === 0) {
    errors.add('ports', '[]', 'the instance would accept no traffic', 'list at least one port, e.g. [80]');
  }
  for (const port of ports) checkTcpPort(errors, 'ports', port, 'use e.g. 80 or 443');
  if (props.vpc && props.logsBucket) {
    errors.add('logsBucket', '(given)', 'only applies to a new VPC (its flow logs), but vpc was given', 'remove logsBucket');
  }
}
