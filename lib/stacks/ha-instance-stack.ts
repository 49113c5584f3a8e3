import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { HaInstance } from '../ha/ha-instance';
import { contextChoice, exampleVpc } from './ha-vpc';

/** The variants of the `HaInstance` example stack. */
export const HA_INSTANCE_MODES = ['ebs', 'eip'] as const;
export type HaInstanceMode = typeof HA_INSTANCE_MODES[number];

export interface HaInstanceStackProps extends StackProps {
  /**
   * `ebs`: the data volume follows the instance across AZs; `eip`: the instance keeps an Elastic IP.
   *
   * @default - context `haInstanceMode`, else 'ebs'
   */
  readonly mode?: HaInstanceMode;
}

/**
 * Example: one t4g.micro instance kept alive by an Auto Scaling group over 2 AZs of a VPC without NAT
 * gateway, in public subnets with no inbound rules (access through Session Manager).
 * `npx cdk deploy HaInstance -c haInstanceMode=eip` for the Elastic IP variant.
 */
export class HaInstanceStack extends Stack {
  public readonly instance: HaInstance;

  constructor(scope: Construct, id: string, props: HaInstanceStackProps = {}) {
    super(scope, id, props);
    const mode = props.mode ?? contextChoice(this, 'haInstanceMode', HA_INSTANCE_MODES, 'ebs');
    const vpc = exampleVpc(this, false);
    this.instance = new HaInstance(this, 'Server', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      elasticIp: mode === 'eip',
      // A public IPv4 address for the SSM and EC2 APIs (no NAT gateway, no endpoints); no inbound rules.
      associatePublicIpAddress: true,
      dataVolume: mode === 'ebs' ? {} : undefined,
    });
    new CfnOutput(this, 'AutoScalingGroupName', { value: this.instance.autoScalingGroup.autoScalingGroupName });
    if (this.instance.publicIp) {
      new CfnOutput(this, 'PublicIp', { value: this.instance.publicIp });
    }
  }
}
