import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { NlbIpBlocking } from '../edge/nlb-ip-blocking';
import { exampleBlocklist } from './edge-example-context';

/**
 * Example of pattern 3: an internet-facing NLB with a security group, TCP 80 passed through with the
 * client address preserved to a t4g.nano in an isolated subnet, the blocklist of context
 * `blockedCidrs` denied by the network ACL of the NLB's subnets.
 */
export class BlockIpNlbStack extends Stack {
  public readonly web: NlbIpBlocking;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.web = new NlbIpBlocking(this, 'Web', { blocklist: exampleBlocklist(this) });

    new CfnOutput(this, 'Url', { value: `http://${this.web.loadBalancer.loadBalancerDnsName}/` });
  }
}
