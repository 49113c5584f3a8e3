import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AlbIpBlocking } from '../edge/alb-ip-blocking';
import { exampleBlocklist } from './edge-example-context';

/**
 * Example of pattern 2: an internet-facing ALB (HTTP on 80, because the example has no domain and
 * so no certificate; pass `certificate` for HTTPS with a redirect) in front of a t4g.nano in an
 * isolated subnet, the blocklist of context `blockedCidrs` denied by the network ACL of the ALB's subnets.
 */
export class BlockIpAlbStack extends Stack {
  public readonly web: AlbIpBlocking;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.web = new AlbIpBlocking(this, 'Web', { blocklist: exampleBlocklist(this) });

    new CfnOutput(this, 'Url', { value: `http://${this.web.loadBalancer.loadBalancerDnsName}/` });
  }
}
