import { Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ConfigErrors } from './config-errors';

/** An absolute path of letters, digits, ".", "_", "-" and "/": safe to write into a shell script and /etc/fstab. */
const MOUNT_POINT = /^\/[A-Za-z0-9._/-]+$/;

/** Records a problem unless `mountPoint` is unset, a token, or an absolute path safe for a shell script and /etc/fstab. */
export function checkMountPoint(errors: ConfigErrors, prop: string, mountPoint: string | undefined, example: string): void {
  if (mountPoint !== undefined && !Token.isUnresolved(mountPoint) && !MOUNT_POINT.test(mountPoint)) {
    errors.add(prop, mountPoint, 'must be an absolute path of letters, digits, ".", "_", "-" and "/" (it is written into a shell script and /etc/fstab)',
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
