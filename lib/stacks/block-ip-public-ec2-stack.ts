import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PublicInstanceIpBlocking } from '../edge/public-instance-ip-blocking';
import { contextList, exampleBlocklist } from './edge-example-context';

/**
 * Example of pattern 1: a t4g.nano with a public IP serving a static page on port 80 to the ranges
 * of context `allowedCidrs` (default `192.0.2.0/24`, a documentation range: deploy with
 * `-c allowedCidrs=$(curl -s https://checkip.amazonaws.com)/32` to reach it), the blocklist of
 * context `blockedCidrs` denied by the subnets' network ACL and by nftables on the host.
 */
export class BlockIpPublicEc2Stack extends Stack {
  public readonly web: PublicInstanceIpBlocking;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.web = new PublicInstanceIpBlocking(this, 'Web', {
      blocklist: exampleBlocklist(this),
      allowedCidrs: contextList(this, 'allowedCidrs') ?? ['192.0.2.0/24'],
      hostFirewall: true,
    });

    new CfnOutput(this, 'InstancePublicIp', { value: this.web.instance.instancePublicIp });
    new CfnOutput(this, 'NetworkAclId', { value: this.web.networkAcl.networkAcl.networkAclId });
  }
}
