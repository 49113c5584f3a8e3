import { CfnParameter, Duration, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { HaInstance } from '../../lib/ha/ha-instance';
import { HaInstanceProps } from '../../lib/ha/ha-instance-props';
import { testApp, testStackWithVpc } from '../support/app';
import { expectConsoleOutput } from '../support/console-guard';
import { type PolicyDocumentJson, simulate } from '../support/policy-simulator';
import { userDataOf } from '../support/user-data';
import { ENV, keyPolicy, resolve, roleArn, rolePolicies } from './template-policies';

function build(
  props: Partial<HaInstanceProps> = {}, configure?: (i: HaInstance) => void,
): { stack: Stack; instance: HaInstance; template: Template } {
  const { stack, vpc } = testStackWithVpc();
  const instance = new HaInstance(stack, 'Server', { vpc, ...props });
  configure?.(instance);
  return { stack, instance, template: Template.fromStack(stack) };
}

/** Resources of `type` created by the construct under test (the VPC has a NAT gateway EIP and a custom resource function). */
const ours = (template: Template, type: string) => Object.keys(template.findResources(type)).filter((id) => id.startsWith('Server'));

describe('HaInstance', () => {
  describe('defaults', () => {
    let template: Template;
    let instance: HaInstance;
    beforeAll(() => ({ template, instance } = build()));

    test('an Auto Scaling group of exactly one instance over the private subnets of 2 AZs', () => {
      template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
        MinSize: '1', MaxSize: '1', DesiredCapacity: Match.absent(),
        VPCZoneIdentifier: [{ Ref: Match.stringLikeRegexp('^VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcPrivateSubnet2') }],
        HealthCheckType: 'EC2', HealthCheckGracePeriod: 300,
      });
    });

    test('a rolling update replaces the instance one at a time, visibly, through CloudFormation', () => {
      template.hasResource('AWS::AutoScaling::AutoScalingGroup', {
        UpdatePolicy: { AutoScalingRollingUpdate: { MaxBatchSize: 1, MinInstancesInService: 0 } },
      });
    });

    test('launch template: IMDSv2 required, hop limit 1, encrypted gp3 root, t4g.micro', () => {
      template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
        LaunchTemplateData: Match.objectLike({
          InstanceType: 't4g.micro',
          MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
          BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3', VolumeSize: 8, DeleteOnTermination: true } }],
        }),
      });
    });

    test('the AMI is resolved by EC2 at launch, so a new AMI does not change the template on deploy', () => {
      template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
        LaunchTemplateData: Match.objectLike({ ImageId: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64' }),
      });
      expect(Object.keys(template.toJSON().Parameters ?? {}).filter((p) => p.includes('Ssm'))).toEqual([]);
    });

    test('an x86 instance type gets the x86 AMI', () => {
      const { template: t } = build({ instanceType: new ec2.InstanceType('t3.micro') });
      t.hasResourceProperties('AWS::EC2::LaunchTemplate', {
        LaunchTemplateData: Match.objectLike({ ImageId: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' }),
      });
    });

    test('the security group has no inbound rules; SSM Session Manager through the managed policy', () => {
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: Match.stringLikeRegexp('no inbound rules'), SecurityGroupIngress: Match.absent(),
      });
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] }),
        ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] }],
      });
    });

    test('no Elastic IP, no lifecycle hooks, no function', () => {
      expect(ours(template, 'AWS::EC2::EIP')).toEqual([]);
      expect(ours(template, 'AWS::Lambda::Function')).toEqual([]);
      template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { LifecycleHookSpecificationList: Match.absent() });
      expect(instance.elasticIpAllocationId).toBeUndefined();
    });

    test('instances carry the group tag that the IAM conditions use', () => {
      template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
        Tags: Match.arrayWith([{ Key: HaInstance.GROUP_TAG_KEY, Value: instance.groupId, PropagateAtLaunch: true }]),
      });
    });

    test('allowSshFrom opens TCP 22 to the named peer only', () => {
      const { template: t } = build({}, (i) => i.allowSshFrom(ec2.Peer.ipv4('203.0.113.0/24')));
      t.hasResourceProperties('AWS::EC2::SecurityGroup', {
        SecurityGroupIngress: [{ CidrIp: '203.0.113.0/24', FromPort: 22, ToPort: 22, IpProtocol: 'tcp', Description: 'SSH' }],
      });
    });
  });

  describe('Elastic IP mode', () => {
    let template: Template;
    let instance: HaInstance;
    let userData: string;
    beforeAll(() => {
      ({ template, instance } = build({ elasticIp: true }));
      userData = userDataOf(template);
    });

    test('a new Elastic IP, tagged with the group, and instances in public subnets with a public IP to reach the EC2 API', () => {
      template.hasResourceProperties('AWS::EC2::EIP', { Domain: 'vpc', Tags: Match.arrayWith([{ Key: HaInstance.GROUP_TAG_KEY, Value: instance.groupId }]) });
      template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
        VPCZoneIdentifier: [{ Ref: Match.stringLikeRegexp('^VpcPublicSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcPublicSubnet2') }],
      });
      template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
        LaunchTemplateData: Match.objectLike({ NetworkInterfaces: [Match.objectLike({ AssociatePublicIpAddress: true, DeviceIndex: 0 })] }),
      });
    });

    test('user data gets an IMDSv2 token, then the instance ID and region with it', () => {
      expect(userData).toContain("curl -sS --fail --retry 5 -X PUT 'http://169.254.169.254/latest/api/token' -H 'X-aws-ec2-metadata-token-ttl-seconds: 300'");
      expect(userData).toContain('-H "X-aws-ec2-metadata-token: ${token}" "http://169.254.169.254/latest/meta-data/$1"');
      expect(userData).toContain('self=$(ha_imds instance-id)');
    });

    test('user data associates the stack\'s allocation ID with itself, never with reassociation allowed', () => {
      const [eipId] = ours(template, 'AWS::EC2::EIP');
      expect(userData).toContain(`ha_claim_eip '\${${eipId}.AllocationId}' 900`);
      expect(userData).toContain('aws ec2 associate-address --region "$region" --allocation-id "$alloc" --instance-id "$self" --no-allow-reassociation');
      expect(userData).not.toContain('--allow-reassociation ');
      expect(userData).toContain('aws ec2 disassociate-address --region "$region" --association-id "$assoc"');
    });

    test('IAM: associate/disassociate this one allocation, with instances of this group only; describes on *', () => {
      const [eipId] = ours(template, 'AWS::EC2::EIP');
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Sid: 'ClaimThisElasticIp', Effect: 'Allow', Action: ['ec2:AssociateAddress', 'ec2:DisassociateAddress'],
              Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':elastic-ip/', { 'Fn::GetAtt': [eipId, 'AllocationId'] }]] },
            },
            Match.objectLike({
              Sid: 'AssociateWithInstancesOfThisGroup', Action: 'ec2:AssociateAddress',
              Condition: { StringEquals: { [`aws:ResourceTag/${HaInstance.GROUP_TAG_KEY}`]: instance.groupId } },
            }),
            { Sid: 'SeeWhoHoldsTheAddress', Effect: 'Allow', Action: ['ec2:DescribeAddresses', 'ec2:DescribeInstances'], Resource: '*' },
          ]),
        },
      });
    });

    test('an existing allocation is claimed instead of a new one', () => {
      const { template: t, instance: i } = build({ elasticIpAllocationId: 'eipalloc-0123abcd' });
      expect(ours(t, 'AWS::EC2::EIP')).toEqual([]);
      expect(i.elasticIpAllocationId).toBe('eipalloc-0123abcd');
      expect(userDataOf(t)).toContain("ha_claim_eip 'eipalloc-0123abcd' 900");
    });

    test('the claim timeout is configurable', () => {
      expect(userDataOf(build({ elasticIp: true, elasticIpClaimTimeout: Duration.minutes(3) }).template)).toMatch(/ha_claim_eip '\$\{\w+\.AllocationId\}' 180/);
    });
  });

  describe('EBS mode', () => {
    let template: Template;
    let instance: HaInstance;
    beforeAll(() => ({ template, instance } = build({ dataVolume: {} })));

    test('launch and terminate hooks are part of the group, so even the first instance gets its volume', () => {
      template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
        LifecycleHookSpecificationList: [
          { LifecycleHookName: `HaInstanceLaunch-${instance.groupId}`, LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING', HeartbeatTimeout: 900, DefaultResult: 'ABANDON' },
          { LifecycleHookName: `HaInstanceTerminate-${instance.groupId}`, LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: 900, DefaultResult: 'CONTINUE' },
        ],
      });
      template.resourceCountIs('AWS::AutoScaling::LifecycleHook', 0);
    });

    test('an EventBridge rule sends exactly these hooks\' actions to the handler, which exists before the group', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.autoscaling'],
          'detail-type': ['EC2 Instance-launch Lifecycle Action', 'EC2 Instance-terminate Lifecycle Action'],
          detail: { LifecycleHookName: [`HaInstanceLaunch-${instance.groupId}`, `HaInstanceTerminate-${instance.groupId}`] },
        },
        Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 } })],
      });
      const [asg] = Object.values(template.findResources('AWS::AutoScaling::AutoScalingGroup'));
      const rule = Object.keys(template.findResources('AWS::Events::Rule'))[0];
      const [fn] = ours(template, 'AWS::Lambda::Function');
      const policy = Object.keys(template.findResources('AWS::IAM::Policy')).find((p) => p.startsWith('ServerDataVolumeHandlerPolicy'))!;
      expect(asg.DependsOn).toEqual(expect.arrayContaining([rule, fn, policy]));
    });

    test('the handler runs Node.js 24 on arm64 with the volume configuration', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x', Architectures: ['arm64'], Timeout: 900,
        Environment: {
          Variables: Match.objectLike({
            GROUP_TAG_KEY: HaInstance.GROUP_TAG_KEY, GROUP_TAG_VALUE: instance.groupId, DEVICE_NAME: '/dev/sdf', VOLUME_SIZE_GIB: '10',
            VOLUME_TYPE: 'gp3', SNAPSHOT_RETENTION: '7', DRAIN_TIMEOUT_SECONDS: '120',
          }),
        },
      });
    });

    test('the handler may change only this group\'s volumes, snapshots and lifecycle actions', () => {
      const tagged = { StringEquals: { [`aws:ResourceTag/${HaInstance.GROUP_TAG_KEY}`]: instance.groupId } };
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            { Sid: 'Observe', Effect: 'Allow', Action: ['ec2:DescribeInstances', 'ec2:DescribeSnapshots', 'ec2:DescribeVolumes'], Resource: '*' },
            Match.objectLike({ Sid: 'ManageGroupVolumesAndSnapshots', Condition: tagged }),
            Match.objectLike({ Sid: 'CreateGroupVolumesAndSnapshots', Condition: { StringEquals: { [`aws:RequestTag/${HaInstance.GROUP_TAG_KEY}`]: instance.groupId } } }),
            Match.objectLike({ Sid: 'TagOnCreate', Condition: { StringEquals: Match.objectLike({ 'ec2:CreateAction': ['CreateVolume', 'CreateSnapshot'] }) } }),
            Match.objectLike({ Sid: 'CompleteLifecycleActionsOfThisGroup', Action: 'autoscaling:CompleteLifecycleAction', Condition: tagged }),
          ]),
        },
      });
    });

    test('user data waits for the volume, formats only a new one, mounts it by label and installs the drain service', () => {
      const userData = userDataOf(template);
      expect(userData).toContain("ha_mount_data_volume '/dev/sdf' '/data' 'ha-data' 900");
      expect(userData).toMatch(/if \[ "\$rc" -eq 2 \]; then .*mkfs\.xfs -L "\$label"/);
      expect(userData).toContain('autoscaling/target-lifecycle-state');
      expect(userData).toContain('systemctl daemon-reload && systemctl enable --now ha-data-drain.service');
    });

    test('the instance may detach only volumes of its group', () => {
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Sid: 'DetachOwnDataVolume', Action: 'ec2:DetachVolume',
            Condition: { StringEquals: { [`aws:ResourceTag/${HaInstance.GROUP_TAG_KEY}`]: instance.groupId } },
          })]),
        },
      });
    });

    test('lifecycle events the handler never got or failed on go to an encrypted, retained DLQ with an alarm', () => {
      const [dlqId] = ours(template, 'AWS::SQS::Queue');
      template.hasResource('AWS::SQS::Queue', {
        Properties: { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ServerDataVolumeDeadLetterKey'), 'Arn'] }, MessageRetentionPeriod: 1209600 },
        DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain',
      });
      // the rule's target (EventBridge could not invoke the function)
      template.hasResourceProperties('AWS::Events::Rule', {
        Targets: [Match.objectLike({
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } }, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        })],
      });
      // the function's asynchronous invocations (the handler failed after its retries)
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      });
      expect(instance.dataVolumeDeadLetterQueue).toBeDefined();
    });

    test('EventBridge may send to the DLQ only for this rule', async () => {
      const [dlqId] = ours(template, 'AWS::SQS::Queue');
      const [policy] = Object.values(template.findResources('AWS::SQS::QueuePolicy')).filter((p) => JSON.stringify(p.Properties.Queues).includes(dlqId));
      const [ruleId] = Object.keys(template.findResources('AWS::Events::Rule'));
      const queueArn = `arn:aws:sqs:${ENV.region}:${ENV.account}:${dlqId}`;
      const ruleArn = resolve(template, { 'Fn::GetAtt': [ruleId, 'Arn'] }) as string;
      const request = { principal: 'events.amazonaws.com', action: 'sqs:SendMessage', resource: queueArn, resourceAccount: ENV.account, resourcePolicy: resolve(template, policy.Properties.PolicyDocument) as PolicyDocumentJson };
      await expect(simulate({ ...request, context: { 'aws:SourceArn': ruleArn, 'aws:SecureTransport': 'true' } })).resolves.toBe('Allowed');
      await expect(simulate({ ...request, context: { 'aws:SourceArn': `arn:aws:events:${ENV.region}:${ENV.account}:rule/other`, 'aws:SecureTransport': 'true' } })).resolves.toBe('ImplicitlyDenied');
      // and may use the queue's key for it (EventBridge encrypts dead letters with the queue's key)
      const keyRequest = { principal: 'events.amazonaws.com', resource: `arn:aws:kms:${ENV.region}:${ENV.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, resourceAccount: ENV.account, resourcePolicy: keyPolicy(template, 'ServerDataVolumeDeadLetterKey') };
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
        await expect(simulate({ ...keyRequest, action, context: { 'aws:SourceArn': ruleArn } })).resolves.toBe('Allowed');
        await expect(simulate({ ...keyRequest, action, context: { 'aws:SourceArn': `arn:aws:events:${ENV.region}:${ENV.account}:rule/other` } })).resolves.toBe('ImplicitlyDenied');
      }
    });

    test('the handler\'s role may send its failed events to the DLQ, with the queue\'s key', async () => {
      const [dlqId] = ours(template, 'AWS::SQS::Queue');
      const request = { principal: roleArn(template, 'ServerDataVolumeHandlerRole'), resourceAccount: ENV.account, identityPolicies: rolePolicies(template, 'ServerDataVolumeHandlerRole') };
      await expect(simulate({ ...request, action: 'sqs:SendMessage', resource: `arn:aws:sqs:${ENV.region}:${ENV.account}:${dlqId}` })).resolves.toBe('Allowed');
      const dlqKeyArn = resolve(template, { 'Fn::GetAtt': [Object.keys(template.findResources('AWS::KMS::Key'))[0], 'Arn'] }) as string;
      // the key policy delegates to the account's IAM policies
      await expect(simulate({ ...request, action: 'kms:GenerateDataKey', resource: dlqKeyArn, resourcePolicy: keyPolicy(template, 'ServerDataVolumeDeadLetterKey') })).resolves.toBe('Allowed');
    });

    test('Data Lifecycle Manager snapshots the group\'s volumes hourly, keeps 24, tagged so the launch hook can restore them', () => {
      template.hasResourceProperties('AWS::DLM::LifecyclePolicy', {
        State: 'ENABLED',
        ExecutionRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ServerSnapshotPolicyRole'), 'Arn'] },
        PolicyDetails: {
          PolicyType: 'EBS_SNAPSHOT_MANAGEMENT', ResourceTypes: ['VOLUME'],
          TargetTags: [{ Key: HaInstance.GROUP_TAG_KEY, Value: instance.groupId }],
          Schedules: [Match.objectLike({
            CreateRule: { Interval: 1, IntervalUnit: 'HOURS' }, RetainRule: { Count: 24 },
            TagsToAdd: Match.arrayWith([{ Key: HaInstance.GROUP_TAG_KEY, Value: instance.groupId }]),
          })],
        },
      });
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'dlm.amazonaws.com' } })] }),
      });
      template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ RESTORE_AFTER_SECONDS: Match.absent() }) } });
    });

    test('the restore after an AZ impairment is opt-in, and the schedule configurable', () => {
      const { template: t } = build({
        dataVolume: { restoreFromSnapshotAfter: Duration.minutes(30), snapshotInterval: Duration.hours(4), scheduledSnapshotRetention: 12 },
      });
      t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ RESTORE_AFTER_SECONDS: '1800' }) } });
      t.hasResourceProperties('AWS::DLM::LifecyclePolicy', {
        PolicyDetails: Match.objectLike({ Schedules: [Match.objectLike({ CreateRule: { Interval: 4, IntervalUnit: 'HOURS' }, RetainRule: { Count: 12 } })] }),
      });
    });

    test('options reach the handler; a customer-managed key is granted for EBS encryption', () => {
      const { stack, vpc } = testStackWithVpc();
      const key = new kms.Key(stack, 'VolumeKey');
      new HaInstance(stack, 'Server', {
        vpc, lifecycleHookHeartbeat: Duration.minutes(30),
        dataVolume: { size: Size.gibibytes(50), volumeType: ec2.EbsDeviceVolumeType.IO2, iops: 4000, encryptionKey: key, snapshotRetention: 3, mountPoint: '/srv', deviceName: '/dev/sdg' },
      });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ VOLUME_SIZE_GIB: '50', VOLUME_TYPE: 'io2', VOLUME_IOPS: '4000', SNAPSHOT_RETENTION: '3', DEVICE_NAME: '/dev/sdg', KMS_KEY_ID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^VolumeKey'), 'Arn'] } }) },
      });
      t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { LifecycleHookSpecificationList: Match.arrayWith([Match.objectLike({ HeartbeatTimeout: 1800 })]) });
      t.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['kms:CreateGrant', 'kms:Decrypt']) })]) },
      });
      expect(userDataOf(t)).toContain("ha_mount_data_volume '/dev/sdg' '/srv' 'ha-data' 1800");
    });
  });

  describe('alarms', () => {
    const topicAction = (stack: Stack, id = 'Topic') => ({ bind: () => ({ alarmActionArn: `arn:aws:sns:${ENV.region}:${ENV.account}:${stack.node.id}-${id}` }) });
    const alarmsOf = (template: Template) => Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const asgRef = (template: Template) => ({ Ref: ours(template, 'AWS::AutoScaling::AutoScalingGroup')[0] });

    test('without a data volume: status check failed (2 of 2 minutes) and no instance in service (5 minutes); none has an action by default', () => {
      const { template, instance } = build();
      template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
      expect(instance.alarms).toHaveLength(2);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/EC2', MetricName: 'StatusCheckFailed', Dimensions: [{ Name: 'AutoScalingGroupName', Value: asgRef(template) }],
        Statistic: 'Maximum', Period: 60, Threshold: 1, EvaluationPeriods: 2, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
        AlarmDescription: Match.stringLikeRegexp('failed an EC2 status check'),
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/AutoScaling', MetricName: 'GroupInServiceInstances', Dimensions: [{ Name: 'AutoScalingGroupName', Value: asgRef(template) }],
        Statistic: 'Minimum', Period: 60, Threshold: 1, EvaluationPeriods: 5, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching',
        AlarmDescription: Match.stringLikeRegexp('no instance has been in service'),
      });
      for (const alarm of alarmsOf(template)) expect(alarm.AlarmActions).toBeUndefined();
    });

    test('the group reports every Auto Scaling metric an alarm of the construct uses (group metrics are only sent once enabled)', () => {
      const { template } = build({ dataVolume: {} });
      const [asg] = Object.values(template.findResources('AWS::AutoScaling::AutoScalingGroup'));
      const enabled = asg.Properties.MetricsCollection.flatMap((c: { Granularity: string; Metrics: string[] }) => {
        expect(c.Granularity).toBe('1Minute');
        return c.Metrics;
      });
      const used = alarmsOf(template).filter((a) => a.Namespace === 'AWS/AutoScaling').map((a) => a.MetricName);
      expect(used).toEqual(['GroupInServiceInstances']);
      expect(enabled).toEqual(expect.arrayContaining(used));
    });

    test('with a data volume also: handler errors (any in 5 minutes) and dead letters (the first message)', () => {
      const { template, instance } = build({ dataVolume: {} });
      template.resourceCountIs('AWS::CloudWatch::Alarm', 4);
      expect(instance.alarms).toHaveLength(4);
      expect(instance.alarms).toEqual(expect.arrayContaining([instance.dataVolumeDeadLetterAlarm, instance.dataVolumeHandlerErrorsAlarm]));
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: ours(template, 'AWS::Lambda::Function')[0] } }],
        Statistic: 'Sum', Period: 300, Threshold: 1, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Statistic: 'Maximum', Period: 60,
        Threshold: 1, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
      });
    });

    test('alarmActions reach every alarm, and addAlarmActions adds to every alarm', () => {
      const { template } = build({ dataVolume: {} }, (i) => i.addAlarmActions(topicAction(Stack.of(i), 'Later')));
      const withProp = (() => {
        const { stack: s, vpc } = testStackWithVpc();
        new HaInstance(s, 'Server', { vpc, dataVolume: {}, alarmActions: [topicAction(s)] });
        return Template.fromStack(s);
      })();
      for (const alarm of alarmsOf(withProp)) expect(alarm.AlarmActions).toEqual([`arn:aws:sns:${ENV.region}:${ENV.account}:TestStack-Topic`]);
      const later = alarmsOf(template);
      expect(later).toHaveLength(4);
      for (const alarm of later) expect(alarm.AlarmActions).toEqual([`arn:aws:sns:${ENV.region}:${ENV.account}:TestStack-Later`]);
    });

    test('metric methods give the alarms\' metrics, for alarms of your own', () => {
      const { instance } = build({ dataVolume: {} });
      const stack = Stack.of(instance);
      expect(stack.resolve(instance.metricStatusCheckFailed().toMetricConfig().metricStat)).toMatchObject({ namespace: 'AWS/EC2', metricName: 'StatusCheckFailed', statistic: 'Maximum' });
      expect(stack.resolve(instance.metricInServiceInstances().toMetricConfig().metricStat)).toMatchObject({ namespace: 'AWS/AutoScaling', metricName: 'GroupInServiceInstances', statistic: 'Minimum' });
      expect(instance.metricDataVolumeHandlerErrors().metricName).toBe('Errors');
      expect(instance.metricDataVolumeDeadLetterMessages().metricName).toBe('ApproximateNumberOfMessagesVisible');
      expect(instance.metricInstances('CPUUtilization').namespace).toBe('AWS/EC2');
      expect(instance.metricGroup('GroupPendingInstances').namespace).toBe('AWS/AutoScaling');
    });

    test('fails if a data-volume metric is asked of an instance without a data volume', () => {
      const { instance } = build();
      expect(() => instance.metricDataVolumeHandlerErrors()).toThrow(/metricDataVolumeHandlerErrors\(\) needs the data volume.*Fix: set dataVolume/);
      expect(() => instance.metricDataVolumeDeadLetterMessages()).toThrow(/needs the data volume/);
    });
  });

  describe('validation', () => {
    test('fails if the subnets span fewer than 2 AZs', () => {
      const stack = new Stack(testApp(), 'S');
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1 });
      expect(() => new HaInstance(stack, 'Server', { vpc }))
        .toThrow(/HaInstance: vpcSubnets 'subnetType Private': the selected subnets span 1 Availability Zone\(s\); .* needs subnets in at least 2\. Fix: select subnets in 2 or more AZs/);
    });

    test('fails if the VPC has no subnets of the required type', () => {
      const stack = new Stack(testApp(), 'S');
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      expect(() => new HaInstance(stack, 'Server', { vpc, elasticIp: true }))
        .toThrow(/vpcSubnets 'subnetType Public': the VPC has no subnets of the required type/);
    });

    test('fails if an Elastic IP is asked for in private subnets', () => {
      const { stack, vpc } = testStackWithVpc();
      expect(() => new HaInstance(stack, 'Server', { vpc, elasticIp: true, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }))
        .toThrow(/an Elastic IP only reaches an instance in a public subnet/);
    });

    test('fails if the lifecycle hook heartbeat is outside 30-7200 s', () => {
      const { stack, vpc } = testStackWithVpc();
      expect(() => new HaInstance(stack, 'Server', { vpc, dataVolume: {}, lifecycleHookHeartbeat: Duration.seconds(10) }))
        .toThrow(/lifecycleHookHeartbeat '10 seconds': Auto Scaling allows a lifecycle hook heartbeat from 30 to 7200 seconds/);
      expect(() => new HaInstance(stack, 'Server2', { vpc, dataVolume: {}, lifecycleHookHeartbeat: Duration.hours(3) }))
        .toThrow(/lifecycleHookHeartbeat '3 hours'/);
    });

    test('fails if a heartbeat is given without a data volume', () => {
      const { stack, vpc } = testStackWithVpc();
      expect(() => new HaInstance(stack, 'Server', { vpc, lifecycleHookHeartbeat: Duration.minutes(5) }))
        .toThrow(/only the data volume uses lifecycle hooks/);
    });

    test('fails if elasticIp is false but an allocation ID is given', () => {
      const { stack, vpc } = testStackWithVpc();
      expect(() => new HaInstance(stack, 'Server', { vpc, elasticIp: false, elasticIpAllocationId: 'eipalloc-1' }))
        .toThrow(/elasticIpAllocationId 'eipalloc-1': an allocation ID means the instance claims that Elastic IP, but elasticIp is false/);
    });

    test('fails if the snapshot retention is below 1, the size out of range, the mount point unsafe or the device name unusual', () => {
      const { stack, vpc } = testStackWithVpc();
      expect(() => new HaInstance(stack, 'Server', {
        vpc, dataVolume: { snapshotRetention: 0, size: Size.gibibytes(70000), mountPoint: '/data; rm -rf /', deviceName: '/dev/xvda' },
      })).toThrow(/has 4 configuration error\(s\)[\s\S]*snapshotRetention '0'[\s\S]*dataVolume\.size '70000 GiB'[\s\S]*dataVolume\.mountPoint[\s\S]*dataVolume\.deviceName '\/dev\/xvda'/);
    });

    test('fails if the snapshot interval is not one DLM offers, the scheduled retention out of range, or the restore delay under 5 minutes', () => {
      const { stack, vpc } = testStackWithVpc();
      expect(() => new HaInstance(stack, 'Server', {
        vpc, dataVolume: { snapshotInterval: Duration.hours(5), scheduledSnapshotRetention: 0, restoreFromSnapshotAfter: Duration.minutes(2) },
      })).toThrow(/has 3 configuration error\(s\)[\s\S]*dataVolume\.snapshotInterval '5 hours': Data Lifecycle Manager schedules snapshots every 1, 2, 3, 4, 6, 8, 12 or 24 hours[\s\S]*dataVolume\.scheduledSnapshotRetention '0'[\s\S]*dataVolume\.restoreFromSnapshotAfter '2 minutes'/);
    });

    test('fails if the drain timeout does not fit in the heartbeat', () => {
      const { stack, vpc } = testStackWithVpc();
      expect(() => new HaInstance(stack, 'Server', { vpc, lifecycleHookHeartbeat: Duration.minutes(5), dataVolume: { drainTimeout: Duration.minutes(5) } }))
        .toThrow(/dataVolume\.drainTimeout '5 minutes': must be shorter than the lifecycle hook heartbeat/);
    });

    test('warns when the heartbeat is too short for a restore', () => {
      const printed = expectConsoleOutput();
      const { stack, vpc } = testStackWithVpc({ failOnWarnings: false });
      new HaInstance(stack, 'Server', { vpc, dataVolume: {}, lifecycleHookHeartbeat: Duration.seconds(60) });
      Annotations.fromStack(stack).hasWarning('/TestStack/Server', Match.stringLikeRegexp('restoring the data volume in another AZ .* rarely fits'));
      expect(printed.text()).toContain('Annotation::cdk-reference-architectures:haInstanceShortHeartbeat');
    });

    test('accepts a token heartbeat and token retention (checked by AWS at deploy)', () => {
      const { stack, vpc } = testStackWithVpc();
      const heartbeat = new CfnParameter(stack, 'Heartbeat', { type: 'Number' });
      const retention = new CfnParameter(stack, 'Retention', { type: 'Number' });
      new HaInstance(stack, 'Server', { vpc, lifecycleHookHeartbeat: Duration.seconds(heartbeat.valueAsNumber), dataVolume: { snapshotRetention: retention.valueAsNumber } });
      Template.fromStack(stack).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
        LifecycleHookSpecificationList: Match.arrayWith([Match.objectLike({ HeartbeatTimeout: { Ref: 'Heartbeat' } })]),
      });
    });

    test('an environment-agnostic VPC (AZs are tokens) counts as 2 AZs', () => {
      const { stack, vpc } = testStackWithVpc();
      expect(Stack.of(vpc).availabilityZones.every((az) => az.startsWith('${Token'))).toBe(true);
      expect(() => new HaInstance(stack, 'Server', { vpc })).not.toThrow();
    });

    test('subnets imported without an AZ skip the AZ check', () => {
      const stack = new Stack(testApp(), 'S');
      const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['a'], privateSubnetIds: ['subnet-1'] });
      expect(() => new HaInstance(stack, 'Server', { vpc, vpcSubnets: { subnets: [ec2.Subnet.fromSubnetId(stack, 'Sub', 'subnet-1')] } })).not.toThrow();
    });
  });
});
