import { Annotations, ArnFormat, Duration, Fn, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ConfigErrors } from '../private/config-errors';
import { encryptedGp3Root, hardenedLaunchTemplate, ssmInstanceRole } from '../private/ec2-building-blocks';
import { HA_GROUP_TAG_KEY, createHaGroup, createHaGroupAlarms, defaultHaSubnets } from '../private/ha-group';
import { completeLaunchCommands, imdsFunctions, imdsRootOnlyCommands, sharedHostKeyCommands } from '../private/ha-user-data';
import { SECURITY_GROUP_DESCRIPTION, TAG_VALUE, describePath, pathLabel } from '../private/labels';
import { BastionMode, HaBastionProps } from './ha-bastion-props';
import { HaGroupBase } from './ha-group-base';
import { HaInstance } from './ha-instance';
import { checkHaBastionProps, cidrProblem } from './validate-ha-bastion-props';

/**
 * A highly available bastion host: SSM Session Manager by default (no inbound SSH at all), SSH
 * only from what you name, session logs to an encrypted log group, and one SSH host key set for
 * every host (kept in an SSM SecureString parameter), so clients never see a host-key change when
 * a host is replaced or the load balancer picks another one.
 *
 * Two modes ({@link BastionMode}): one host with an Elastic IP in public subnets (an
 * {@link HaInstance}), or two or more hosts in private subnets behind an internet-facing Network
 * Load Balancer (layer 4: SSH is not HTTP, so an Application Load Balancer cannot be used).
 *
 * @example
 * const bastion = new HaBastion(this, 'Bastion', { vpc, mode: BastionMode.LOAD_BALANCER });
 * bastion.allowSshFrom(ec2.Peer.ipv4('203.0.113.0/24'));
 * database.connections.allowDefaultPortFrom(bastion);
 */
export class HaBastion extends HaGroupBase implements ec2.IConnectable {
  /** The mode. */
  public readonly mode: BastionMode;
  /** Number of hosts. */
  public readonly instanceCount: number;
  /** The Auto Scaling group of the hosts. */
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  /** The hosts' role. */
  public readonly role: iam.Role;
  /** The hosts' security group. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** Network access from the hosts to your resources: `db.connections.allowDefaultPortFrom(bastion)`. */
  public readonly connections: ec2.Connections;
  /** The single host with its Elastic IP; undefined behind a load balancer. */
  public readonly instance?: HaInstance;
  /** The public address of the Elastic IP; undefined behind a load balancer. */
  public readonly publicIp?: string;
  /** The load balancer; undefined with an Elastic IP. */
  public readonly loadBalancer?: elbv2.INetworkLoadBalancer;
  /** The SSH listener (TCP 22); undefined with an Elastic IP. */
  public readonly listener?: elbv2.NetworkListener;
  /** The hosts' target group; undefined with an Elastic IP. */
  public readonly targetGroup?: elbv2.NetworkTargetGroup;
  /** Alarm when a host fails an EC2 status check for 2 minutes. */
  public readonly statusCheckFailedAlarm: cloudwatch.IAlarm;
  /** Alarm when fewer hosts than `instanceCount` have been in service for 5 minutes. */
  public readonly inServiceInstancesAlarm: cloudwatch.IAlarm;
  /** Alarm when the load balancer has seen an unhealthy host for 3 minutes; undefined with an Elastic IP. */
  public readonly unhealthyHostsAlarm?: cloudwatch.IAlarm;
  /** DNS name to connect to: the load balancer's; undefined with an Elastic IP (use `publicIp`). */
  public readonly loadBalancerDnsName?: string;
  /** Key of the session log group and the host key parameter. */
  public readonly encryptionKey: kms.IKey;
  /** Where Session Manager sessions are logged (encrypted, with retention). */
  public readonly sessionLogGroup: logs.LogGroup;
  /** The Session Manager document that logs to `sessionLogGroup`; start sessions with `--document-name`. */
  public readonly sessionDocument: ssm.CfnDocument;
  /** Name of the SecureString parameter holding the shared SSH host keys (created by the first host). */
  public readonly hostKeyParameterName: string;

  private readonly sshPeersConnections: ec2.Connections;
  private readonly allowSshFromAnywhere: boolean;
  private readonly groupIds: string[];

  constructor(scope: Construct, id: string, props: HaBastionProps) {
    super(scope, id, props.alarmActions);
    this.mode = props.mode ?? BastionMode.ELASTIC_IP;
    const nlb = this.mode === BastionMode.LOAD_BALANCER;
    this.instanceCount = props.instanceCount ?? (nlb ? 2 : 1);
    this.allowSshFromAnywhere = props.allowSshFromAnywhere ?? false;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    const errors = new ConfigErrors('HaBastion', this.node.path);
    const instanceSelection = props.vpcSubnets ?? defaultHaSubnets(props.vpc, !nlb);
    const lbSelection = props.loadBalancerSubnets ?? { subnetType: ec2.SubnetType.PUBLIC };
    checkHaBastionProps(errors, props, { nlb, instanceSelection, lbSelection });
    errors.throwIfAny();

    this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: `Encrypts the session logs and SSH host keys of HaBastion ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy,
    });
    // Named, so the key policy can name the log group's ARN without depending on the log group
    // (which depends on the key). The stack ID's UUID changes when the stack is created again, so a
    // log group retained by an earlier deletion never blocks a redeploy.
    const stack = Stack.of(this);
    const stackUuid = Fn.select(2, Fn.split('/', stack.stackId));
    const sessionLogGroupName = `/ha-bastion/${stack.stackName}/${this.node.addr}/${stackUuid}/sessions`;
    this.sessionLogGroup = new logs.LogGroup(this, 'SessionLogs', {
      logGroupName: sessionLogGroupName,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: this.encryptionKey,
      removalPolicy,
    });
    // A key in this stack names the log group exactly. A key in another stack names it with a
    // wildcard for the stack UUID, so its policy never references this stack (references stay one way).
    const keyInThisStack = Stack.of(this.encryptionKey) === stack;
    this.allowLogsToUseKey(keyInThisStack ? sessionLogGroupName : `/ha-bastion/${stack.stackName}/${this.node.addr}/*`);
    this.hostKeyParameterName = `/ha-bastion/${this.node.addr}/ssh-host-keys`;

    if (nlb) {
      const built = this.buildLoadBalanced(props, instanceSelection, lbSelection);
      this.autoScalingGroup = built.asg;
      this.role = built.role;
      this.securityGroup = built.securityGroup;
      this.loadBalancer = built.loadBalancer;
      this.listener = built.listener;
      this.targetGroup = built.targetGroup;
      this.loadBalancerDnsName = built.loadBalancer.loadBalancerDnsName;
      // SSH rules go where clients are checked: the load balancer's security groups, else the hosts'.
      this.sshPeersConnections = built.loadBalancer.connections.securityGroups.length > 0
        ? built.loadBalancer.connections : new ec2.Connections({ securityGroups: [built.securityGroup] });
      this.groupIds = [built.groupId];
    } else {
      // IMDS for root only and the shared host keys before the Elastic IP claim: clients reach the
      // host at the address only once sshd serves the shared keys.
      const userData = ec2.UserData.forLinux();
      userData.addCommands(...imdsFunctions(), ...imdsRootOnlyCommands(), ...this.hostKeyCommands());
      this.instance = new HaInstance(this, 'Host', {
        vpc: props.vpc,
        vpcSubnets: instanceSelection,
        instanceType: props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO),
        machineImage: props.machineImage,
        elasticIp: true,
        instanceName: pathLabel(this, '', TAG_VALUE),
        userData,
        alarmActions: props.alarmActions,
      });
      this.autoScalingGroup = this.instance.autoScalingGroup;
      this.role = this.instance.role;
      this.securityGroup = this.instance.securityGroup;
      this.publicIp = this.instance.publicIp;
      this.sshPeersConnections = this.instance.connections;
      this.groupIds = [this.instance.groupId];
    }
    if (this.instance) {
      // the host's own alarms (status check, in service below 1), with this bastion's actions
      this.statusCheckFailedAlarm = this.instance.statusCheckFailedAlarm;
      this.inServiceInstancesAlarm = this.instance.inServiceInstancesAlarm;
    } else {
      const groupAlarms = createHaGroupAlarms(this, this._alarmSet, {
        statusCheckFailed: this.metricStatusCheckFailed(),
        statusCheckFailedDescription: `HaBastion ${this.node.path}: a host failed an EC2 status check (system, instance or attached EBS) for 2 minutes. `
          + 'Auto Scaling replaces it; if this repeats, look at the hosts\' status checks and system logs in the EC2 console.',
        inServiceInstances: this.metricInServiceInstances(),
        desired: this.instanceCount,
        inServiceInstancesDescription: `HaBastion ${this.node.path}: fewer than ${this.instanceCount} hosts have been in service for 5 minutes, so the bastion no longer survives the loss of a host or an AZ. `
          + 'Look at the Auto Scaling group\'s activity history (failed launches, launch lifecycle hooks abandoned by user data).',
      });
      this.statusCheckFailedAlarm = groupAlarms.statusCheckFailed;
      this.inServiceInstancesAlarm = groupAlarms.inServiceInstances;
      this.unhealthyHostsAlarm = this._alarmSet.add(new cloudwatch.Alarm(this, 'UnhealthyHostsAlarm', {
        alarmDescription: `HaBastion ${this.node.path}: the load balancer has seen an unhealthy host (TCP 22 health check) for 3 minutes; SSH sessions reach the remaining hosts only. `
          + 'Look at the target group\'s health reasons and whether sshd runs on the host (Session Manager still reaches it).',
        // any unhealthy host in 3 consecutive minutes: the ELB health check replaces it after the grace period; a flap does not page
        metric: this.metricUnhealthyHostCount(),
        threshold: 1,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // no registered target reports nothing: the in-service alarm covers that
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
    }
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(22) });

    this.grantHostAccess();
    this.sessionDocument = new ssm.CfnDocument(this, 'SessionDocument', {
      documentType: 'Session',
      documentFormat: 'JSON',
      updateMethod: 'NewVersion',
      content: {
        schemaVersion: '1.0',
        description: `Session Manager sessions on HaBastion ${this.node.path}, logged to CloudWatch Logs`,
        sessionType: 'Standard_Stream',
        inputs: {
          cloudWatchLogGroupName: this.sessionLogGroup.logGroupName,
          cloudWatchEncryptionEnabled: true,
          cloudWatchStreamingEnabled: true,
          idleSessionTimeout: '20',
          runAsEnabled: false,
          shellProfile: { linux: 'cd ~ && exec bash -l' },
        },
      },
    });

    for (const cidr of props.sshAllowedCidrs ?? []) {
      this.allowSshFrom(!Token.isUnresolved(cidr) && cidr.includes(':') ? ec2.Peer.ipv6(cidr) : ec2.Peer.ipv4(cidr));
    }
  }

  /** Every alarm of the bastion (with an Elastic IP: those of its `instance`). */
  public override get alarms(): cloudwatch.IAlarm[] {
    return [...this.instance?.alarms ?? [], ...super.alarms];
  }

  /** Adds actions to every alarm of the bastion, present and future. */
  public override addAlarmActions(...actions: cloudwatch.IAlarmAction[]): void {
    this.instance?.addAlarmActions(...actions);
    super.addAlarmActions(...actions);
  }

  /** `AWS/NetworkELB` `UnHealthyHostCount` of the hosts' target group (Maximum, 1 minute). Throws with an Elastic IP. */
  public metricUnhealthyHostCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireTargetGroup('metricUnhealthyHostCount').metrics.unHealthyHostCount({ statistic: 'Maximum', period: Duration.minutes(1), ...props });
  }

  /** `AWS/NetworkELB` `HealthyHostCount` of the hosts' target group (Minimum, 1 minute). Throws with an Elastic IP. */
  public metricHealthyHostCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireTargetGroup('metricHealthyHostCount').metrics.healthyHostCount({ statistic: 'Minimum', period: Duration.minutes(1), ...props });
  }

  /** `AWS/NetworkELB` `NewFlowCount` of the load balancer: SSH connections opened (Sum, 5 minutes). Throws with an Elastic IP. */
  public metricNewFlowCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.loadBalancer) throw this.noLoadBalancer('metricNewFlowCount');
    return this.loadBalancer.metrics.newFlowCount({ statistic: 'Sum', period: Duration.minutes(5), ...props });
  }

  private requireTargetGroup(method: string): elbv2.NetworkTargetGroup {
    if (!this.targetGroup) throw this.noLoadBalancer(method);
    return this.targetGroup;
  }

  private noLoadBalancer(method: string): Error {
    return new Error(`HaBastion at '${this.node.path}': ${method}() measures the load balancer, which mode ${this.mode} has not. Fix: use mode: BastionMode.LOAD_BALANCER, or the instance metrics (metricStatusCheckFailed, metricInServiceInstances).`);
  }

  /**
   * Allows SSH (TCP 22) from `peer`: to the load balancer behind which the hosts are, or to the
   * host with the Elastic IP. The whole internet (`0.0.0.0/0`, `::/0`) needs `allowSshFromAnywhere`.
   */
  public allowSshFrom(peer: ec2.IPeer, description?: string): void {
    const rule = peer.toIngressRuleConfig() as { cidrIp?: string; cidrIpv6?: string };
    const cidr = rule.cidrIp ?? rule.cidrIpv6;
    const problem = cidr !== undefined && !Token.isUnresolved(cidr) ? cidrProblem(cidr) : undefined;
    if (problem && !problem.anywhere) {
      throw new Error(`HaBastion at '${this.node.path}': allowSshFrom '${cidr}' ${problem.rule}. Fix: ${problem.fix}.`);
    }
    if (isAnywhere(peer) && !this.allowSshFromAnywhere) {
      throw new Error(`HaBastion at '${this.node.path}': allowSshFrom ${peer.uniqueId}: SSH from the whole internet exposes the bastion to every scanner and password-guessing bot. Fix: name the CIDRs or peers that need SSH, use Session Manager (no inbound SSH at all), or set allowSshFromAnywhere: true to opt in.`);
    }
    this.sshPeersConnections.allowFrom(peer, ec2.Port.tcp(22), description ?? 'SSH to the bastion');
  }

  /**
   * Lets `grantee` open Session Manager sessions on the hosts, only with this bastion's logging
   * session document (`ssm:SessionDocumentAccessCheck`), and end its own sessions.
   *
   * `ssm:StartSession` is authorized on the instance and on the document separately: the instances
   * by their group tag (`ssm:resourceTag/...`), the document by its ARN (it carries no such tag).
   */
  public grantSessionAccess(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const documentArn = stack.formatArn({ service: 'ssm', resource: 'document', resourceName: this.sessionDocument.ref });
    const documentCheck = { BoolIfExists: { 'ssm:SessionDocumentAccessCheck': 'true' } };
    const start = iam.Grant.addToPrincipal({
      grantee,
      actions: ['ssm:StartSession'],
      resourceArns: [stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' })],
      conditions: {
        StringEquals: { [`ssm:resourceTag/${HA_GROUP_TAG_KEY}`]: this.groupIds },
        ...documentCheck,
      },
    });
    start.combine(iam.Grant.addToPrincipal({
      grantee,
      actions: ['ssm:StartSession'],
      resourceArns: [documentArn],
      conditions: documentCheck,
    }));
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['ssm:TerminateSession', 'ssm:ResumeSession'],
      resourceArns: [stack.formatArn({ service: 'ssm', resource: 'session', resourceName: '${aws:userid}-*' })],
    });
    return start;
  }

  private hostKeyCommands(): string[] {
    return sharedHostKeyCommands({ parameterName: this.hostKeyParameterName, kmsKeyId: this.encryptionKey.keyArn });
  }

  /**
   * CloudWatch Logs encrypts the session log group with the key: the regional service principal
   * may use it only with that log group's ARN as encryption context (CloudWatch Logs user guide,
   * "Encrypt log data in CloudWatch Logs using AWS KMS").
   */
  private allowLogsToUseKey(logGroupName: string): void {
    const stack = Stack.of(this);
    const logGroupArn = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const { statementAdded } = this.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CloudWatchLogsSessionLogGroup',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.${stack.urlSuffix}`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn } },
    }));
    if (!statementAdded) {
      Annotations.of(this).addWarningV2('cdk-reference-architectures:haBastionImportedKey',
        'encryptionKey is imported, so its key policy cannot be changed here: allow the service principal logs.<region>.amazonaws.com kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey*, kms:Describe* with ArnLike kms:EncryptionContext:aws:logs:arn = the ARN of the session log group (sessionLogGroup), or creating it fails.');
    }
  }

  /** The hosts read/create the shared host keys and stream session logs. */
  private grantHostAccess(): void {
    const stack = Stack.of(this);
    const parameterArn = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: this.hostKeyParameterName.slice(1) });
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'SharedSshHostKeys',
      actions: ['ssm:GetParameter', 'ssm:PutParameter'],
      resources: [parameterArn],
    }));
    // The first host creates the parameter; no host may replace the keys afterwards.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'NeverOverwriteSharedSshHostKeys',
      effect: iam.Effect.DENY,
      actions: ['ssm:PutParameter'],
      resources: [parameterArn],
      conditions: { StringEquals: { 'ssm:Overwrite': 'true' } },
    }));
    this.encryptionKey.grant(this.role, 'kms:Encrypt', 'kms:Decrypt');
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'SessionLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [this.sessionLogGroup.logGroupArn],
    }));
    // The SSM agent checks that the log group is encrypted before it streams to it.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'SessionLogsEncryptionCheck',
      actions: ['logs:DescribeLogGroups'],
      resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }));
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:*]',
      reason: 'logs:DescribeLogGroups only (read-only, lists names and encryption settings): the SSM agent calls it to verify that the session log group is encrypted before streaming; the action has no narrower resource.',
    });
  }

  private buildLoadBalanced(props: HaBastionProps, instanceSelection: ec2.SubnetSelection, lbSelection: ec2.SubnetSelection) {
    const groupId = this.node.addr;
    const instanceType = props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO);
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: pathLabel(this, ' hosts: SSH only from the load balancer', SECURITY_GROUP_DESCRIPTION, 'HaBastion '),
      allowAllOutbound: true,
    });
    let loadBalancer: elbv2.INetworkLoadBalancer;
    if (props.loadBalancer) {
      loadBalancer = props.loadBalancer as elbv2.INetworkLoadBalancer;
    } else {
      const lbSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
        vpc: props.vpc,
        description: pathLabel(this, ' load balancer: no inbound rules until allowSshFrom()', SECURITY_GROUP_DESCRIPTION, 'HaBastion '),
        allowAllOutbound: false,
      });
      const nlb = new elbv2.NetworkLoadBalancer(this, 'LoadBalancer', {
        vpc: props.vpc,
        internetFacing: true,
        vpcSubnets: lbSelection,
        securityGroups: [lbSecurityGroup],
        crossZoneEnabled: true,
      });
      Validations.of(nlb).acknowledge({
        id: 'AwsSolutions-ELB2',
        reason: 'Network Load Balancer access logs are written only for TLS listeners; this listener is plain TCP 22 (SSH encrypts end to end), so there would be nothing to log. Session Manager sessions are logged to the session log group.',
      });
      loadBalancer = nlb;
    }
    const lbGroups = loadBalancer.connections.securityGroups;
    if (lbGroups.length > 0 && Stack.of(loadBalancer) === Stack.of(this)) {
      loadBalancer.connections.allowTo(securityGroup, ec2.Port.tcp(22), 'SSH and health checks to the bastion hosts');
    } else if (lbGroups.length > 0) {
      // A load balancer of another stack: both rules here, so only this stack references the other.
      lbGroups.forEach((group, i) => {
        new ec2.CfnSecurityGroupEgress(this, `LoadBalancerToHosts${i}`, {
          groupId: group.securityGroupId, destinationSecurityGroupId: securityGroup.securityGroupId,
          ipProtocol: 'tcp', fromPort: 22, toPort: 22, description: 'SSH and health checks to the bastion hosts',
        });
        securityGroup.addIngressRule(ec2.Peer.securityGroupId(group.securityGroupId), ec2.Port.tcp(22), 'SSH and health checks from the load balancer');
      });
    } else {
      // A load balancer without security groups passes the clients' addresses through (instance
      // targets keep them): SSH rules belong on the hosts, and health checks come from its nodes in the VPC.
      securityGroup.addIngressRule(ec2.Peer.ipv4(props.vpc.vpcCidrBlock), ec2.Port.tcp(22), 'Health checks from the load balancer nodes in the VPC');
    }

    const role = ssmInstanceRole(this, 'Role', { description: describePath('Instance role of HaBastion ', this, 1000) });
    // The launch hook keeps each host out of the target group until user data has restricted IMDS
    // to root and sshd serves the shared host keys (sshd starts at boot with keys of its own).
    const launchHook = `HaBastionLaunch-${groupId}`;
    const userData = ec2.UserData.forLinux();
    userData.addCommands(
      ...imdsFunctions(),
      ...imdsRootOnlyCommands(),
      ...this.hostKeyCommands(),
      ...completeLaunchCommands({ hookName: launchHook }),
    );
    const launchTemplate = hardenedLaunchTemplate(this, 'LaunchTemplate', {
      machineImage: props.machineImage ?? HaInstance.latestAmazonLinux2023AtLaunch(instanceType.architecture),
      instanceType,
      userData,
      role,
      securityGroup,
      blockDevices: [encryptedGp3Root(8)],
    });
    const asg = createHaGroup(this, {
      vpc: props.vpc,
      vpcSubnets: instanceSelection,
      launchTemplate,
      capacity: this.instanceCount,
      // One host at a time, the others keep serving.
      minInstancesInService: this.instanceCount - 1,
      healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
        additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
        gracePeriod: Duration.minutes(5),
      }),
      groupId,
      instanceName: pathLabel(this, '', TAG_VALUE),
    });
    // In the group itself, so the very first hosts wait as well.
    (asg.node.defaultChild as autoscaling.CfnAutoScalingGroup).lifecycleHookSpecificationList = [{
      lifecycleHookName: launchHook,
      lifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
      heartbeatTimeout: Duration.minutes(15).toSeconds(),
      defaultResult: 'ABANDON',
    }];
    const stack = Stack.of(this);
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'FindOwnAutoScalingGroup',
      actions: ['autoscaling:DescribeAutoScalingInstances'],
      resources: ['*'],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'CompleteOwnLaunch',
      actions: ['autoscaling:CompleteLifecycleAction'],
      resources: [stack.formatArn({ service: 'autoscaling', resource: 'autoScalingGroup', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      conditions: { StringEquals: { [`aws:ResourceTag/${HA_GROUP_TAG_KEY}`]: groupId } },
    }));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only autoscaling:DescribeAutoScalingInstances is on Resource *: it is read-only and supports no resource-level permissions; a host calls it at boot to learn its group\'s name for CompleteLifecycleAction.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:<AWS::Region>:<AWS::AccountId>:autoScalingGroup:*]',
      reason: `The group's ARN contains a UUID unknown until it exists, and the launch template cannot reference the group that uses it; autoscaling:CompleteLifecycleAction is conditioned on the group's tag ${HA_GROUP_TAG_KEY} = this construct's ID.`,
    });
    const listener = loadBalancer.addListener('Ssh', { port: 22, protocol: elbv2.Protocol.TCP });
    const targetGroup = listener.addTargets('Hosts', {
      port: 22,
      protocol: elbv2.Protocol.TCP,
      targets: [asg],
      deregistrationDelay: Duration.seconds(60),
      healthCheck: { protocol: elbv2.Protocol.TCP, interval: Duration.seconds(10), healthyThresholdCount: 2, unhealthyThresholdCount: 2 },
    });
    return { asg, role, securityGroup, loadBalancer, listener, targetGroup, groupId };
  }
}

function isAnywhere(peer: ec2.IPeer): boolean {
  return peer.uniqueId === '0.0.0.0/0' || peer.uniqueId === '::/0';
}
