import { Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ConfigErrors } from './config-errors';

/** An absolute path of letters, digits, ".", "_", "-" and "/": safe in shell commands and /etc/fstab. */
const MOUNT_POINT = /^\/[A-Za-z0-9._/-]+$/;

/** Records a problem unless `mountPoint` is unset, a token, or an absolute path safe in shell commands and /etc/fstab. */
export function checkMountPoint(errors: ConfigErrors, prop: string, mountPoint: string | undefined, example: string): void {
  if (mountPoint !== undefined && !Token.isUnresolved(mountPoint) && !MOUNT_POINT.test(mountPoint)) {
    errors.add(prop, mountPoint, 'must be an absolute path of letters, digits, ".", "_", "-" and "/" (user data writes it into shell commands and, for file systems and volumes, /etc/fstab)',
      `use e.g. '${example}'`);
  }
}

/** Options of {@link ssmInstanceRole}. */
export interface SsmInstanceRoleOptions {
  /** The role's description. */
  readonly description: string;
  /**
   * What the SSM agent gives access to, in the cdk-nag acknowledgement's reason.
   * @default 'Session Manager access instead of inbound SSH'
   */
  readonly access?: string;
}

/**
 * An EC2 instance role with AmazonSSMManagedInstanceCore (Session Manager instead of inbound SSH),
 * its AwsSolutions-IAM4 finding acknowledged.
 */
export function ssmInstanceRole(scope: Construct, id: string, options: SsmInstanceRoleOptions): iam.Role {
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    description: options.description,
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
  });
  const access = options.access ?? 'Session Manager access instead of inbound SSH';
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
    reason: `AmazonSSMManagedInstanceCore is the AWS-maintained minimum for the SSM agent (${access}); AWS updates it when the agent needs new actions.`,
  });
  return role;
}

/**
 * The Amazon Linux 2023 CPU type for an instance architecture: an arm64 image does not boot on x86
 * and EC2 refuses the launch.
 */
function amazonLinux2023CpuType(architecture: ec2.InstanceArchitecture): ec2.AmazonLinuxCpuType {
  return architecture === ec2.InstanceArchitecture.ARM_64 ? ec2.AmazonLinuxCpuType.ARM_64 : ec2.AmazonLinuxCpuType.X86_64;
}

/** The latest Amazon Linux 2023 AMI for `architecture`, resolved by EC2 at launch, so a new AMI does not replace running instances. */
export function amazonLinux2023AtLaunch(architecture: ec2.InstanceArchitecture): ec2.IMachineImage {
  const parameterName = ec2.AmazonLinux2023ImageSsmParameter.ssmParameterName({
    cpuType: amazonLinux2023CpuType(architecture),
    kernel: ec2.AmazonLinux2023Kernel.DEFAULT,
  });
  return ec2.MachineImage.resolveSsmParameterAtLaunch(parameterName, { os: ec2.OperatingSystemType.LINUX });
}

/**
 * The latest Amazon Linux 2023 AMI for the instance type's architecture, resolved at deploy time.
 * The architecture must be known at synth time.
 */
export function amazonLinux2023AtDeploy(scope: Construct, instanceType: ec2.InstanceType): ec2.IMachineImage {
  if (Token.isUnresolved(instanceType.toString())) {
    throw new Error(`${scope.constructor.name} at '${scope.node.path}': instanceType is a token, so its CPU architecture, which picks the default Amazon Linux 2023 image, is unknown at synth time. Fix: pass machineImage as well, or a literal instanceType.`);
  }
  return ec2.MachineImage.latestAmazonLinux2023({ cpuType: amazonLinux2023CpuType(instanceType.architecture) });
}

/** An encrypted gp3 root volume, deleted with its instance. */
export function encryptedGp3Root(sizeGiB: number, deviceName: string = '/dev/xvda'): ec2.BlockDevice {
  return {
    deviceName,
    volume: ec2.BlockDeviceVolume.ebs(sizeGiB, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3, deleteOnTermination: true }),
  };
}

/**
 * A launch template that requires IMDSv2 with a hop limit of 1, so containers on the instance cannot
 * reach the instance role's credentials.
 */
export function hardenedLaunchTemplate(scope: Construct, id: string, props: ec2.LaunchTemplateProps): ec2.LaunchTemplate {
  return new ec2.LaunchTemplate(scope, id, { ...props, requireImdsv2: true, httpPutResponseHopLimit: 1 });
}
