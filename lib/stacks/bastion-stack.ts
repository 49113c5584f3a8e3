import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { BastionMode, HaBastion } from '../ha/ha-bastion';
import { contextChoice, exampleVpc } from './ha-vpc';

export interface BastionStackProps extends StackProps {
  /**
   * @default - context `bastionMode` (`eip` or `nlb`), else BastionMode.ELASTIC_IP
   */
  readonly mode?: BastionMode;
}

/**
 * Example: a highly available bastion, Session Manager only (no SSH ingress).
 *
 * - `eip` (default): one t4g.nano in the public subnets of 2 AZs, claiming one Elastic IP.
 * - `nlb` (`-c bastionMode=nlb`): two t4g.nano in private isolated subnets of 2 AZs behind an
 *   internet-facing NLB. No NAT gateway: the hosts reach SSM, CloudWatch Logs and Auto Scaling through
 *   interface endpoints (ssm, ssmmessages, ec2messages, logs, autoscaling) and the Amazon Linux repositories through a free
 *   S3 gateway endpoint. Add SSH sources with `bastion.allowSshFrom(...)`.
 */
export class BastionStack extends Stack {
  public readonly bastion: HaBastion;

  constructor(scope: Construct, id: string, props: BastionStackProps = {}) {
    super(scope, id, props);
    const mode = props.mode ?? contextChoice(this, 'bastionMode', [BastionMode.ELASTIC_IP, BastionMode.LOAD_BALANCER], BastionMode.ELASTIC_IP);
    const nlb = mode === BastionMode.LOAD_BALANCER;
    const vpc = exampleVpc(this, nlb);
    this.bastion = new HaBastion(this, 'Bastion', { vpc, mode });
    if (nlb) {
      const subnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
      vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [subnets] });
      const endpoints: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
        Ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
        SsmMessages: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
        Ec2Messages: ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
        Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
        // Each host completes its launch lifecycle hook once it serves the shared host keys.
        AutoScaling: ec2.InterfaceVpcEndpointAwsService.AUTOSCALING,
      };
      for (const [name, service] of Object.entries(endpoints)) {
        // Reachable on 443 from the bastion hosts only, not from the whole VPC CIDR.
        const endpoint = vpc.addInterfaceEndpoint(name, { service, subnets, privateDnsEnabled: true, open: false });
        endpoint.connections.allowDefaultPortFrom(this.bastion, 'HTTPS from the bastion hosts');
        // The hosts fetch the shared host keys at boot, through these endpoints.
        this.bastion.autoScalingGroup.node.addDependency(endpoint);
      }
    }

    if (this.bastion.publicIp) {
      new CfnOutput(this, 'PublicIp', { value: this.bastion.publicIp });
    }
    if (this.bastion.loadBalancerDnsName) {
      new CfnOutput(this, 'LoadBalancerDnsName', { value: this.bastion.loadBalancerDnsName });
    }
    new CfnOutput(this, 'SessionDocumentName', { value: this.bastion.sessionDocument.ref });
    new CfnOutput(this, 'AutoScalingGroupName', { value: this.bastion.autoScalingGroup.autoScalingGroupName });
  }
}
