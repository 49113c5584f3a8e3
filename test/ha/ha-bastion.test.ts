import { spawnSync } from 'child_process';
import { CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { HaBastion } from '../../lib/ha/ha-bastion';
import { BastionMode, HaBastionProps } from '../../lib/ha/ha-bastion-props';
import { HaInstance } from '../../lib/ha/ha-instance';
import { testApp, testStackWithVpc } from '../support/app';
import { expectConsoleOutput } from '../support/console-guard';
import { simulate } from '../support/policy-simulator';
import { userDataOf } from '../support/user-data';
import { ENV, keyPolicy, resolve, roleArn, rolePolicies } from './template-policies';

/** Public and isolated subnets only: the bastion needs no NAT. */
const VPC_PROPS: ec2.VpcProps = {
  maxAzs: 2, natGateways: 0,
  subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
};

function build(props: Partial<HaBastionProps> = {}, configure?: (b: HaBastion, stack: Stack, vpc: ec2.IVpc) => void) {
  const { stack, vpc } = testStackWithVpc({ vpcProps: VPC_PROPS });
  const bastion = new HaBastion(stack, 'Bastion', { vpc, ...props });
  configure?.(bastion, stack, vpc);
  return { stack, bastion, template: Template.fromStack(stack) };
}

describe('HaBastion', () => {
  describe('defaults (Elastic IP mode)', () => {
    let template: Template;
    let bastion: HaBastion;
    beforeAll(() => ({ template, bastion } = build()));

    test('one t4g.nano in the public subnets of 2 AZs, claiming one Elastic IP', () => {
      expect(bastion.mode).toBe(BastionMode.ELASTIC_IP);
      template.resourceCountIs('AWS::EC2::EIP', 1);
      template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
        MinSize: '1', MaxSize: '1',
        VPCZoneIdentifier: [{ Ref: Match.stringLikeRegexp('^VpcPublicSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcPublicSubnet2') }],
      });
      template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
        LaunchTemplateData: Match.objectLike({ InstanceType: 't4g.nano', MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 } }),
      });
      expect(userDataOf(template)).toMatch(/ha_claim_eip '\$\{BastionHostElasticIp\w+\.AllocationId\}'/);
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    });

    test('no inbound SSH at all: access is through Session Manager', () => {
      for (const sg of Object.values(template.findResources('AWS::EC2::SecurityGroup'))) {
        expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
      }
      template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    });

    test('sessions are logged to a KMS-encrypted log group kept one year, through a Session document', () => {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BastionKey'), 'Arn'] },
      });
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      template.hasResourceProperties('AWS::SSM::Document', {
        DocumentType: 'Session',
        Content: Match.objectLike({
          sessionType: 'Standard_Stream',
          inputs: Match.objectLike({ cloudWatchLogGroupName: { Ref: Match.stringLikeRegexp('^BastionSessionLogs') }, cloudWatchEncryptionEnabled: true, cloudWatchStreamingEnabled: true }),
        }),
      });
    });

    test('the hosts share one SSH host key set in a SecureString parameter, created atomically by the first host', () => {
      const userData = userDataOf(template);
      expect(userData).toContain(`ha_shared_host_keys '${bastion.hostKeyParameterName}'`);
      expect(userData).toMatch(/aws ssm put-parameter --region "\$region" --name "\$name" --type SecureString --key-id "\$key"/);
      expect(userData).not.toContain('--overwrite');
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'SharedSshHostKeys', Action: ['ssm:GetParameter', 'ssm:PutParameter'],
              Resource: { 'Fn::Join': ['', Match.arrayWith([`:parameter${bastion.hostKeyParameterName}`])] },
            }),
            Match.objectLike({ Action: ['kms:Decrypt', 'kms:Encrypt'] }),
            Match.objectLike({ Sid: 'SessionLogs', Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'] }),
          ]),
        },
      });
    });

    test('the AMI is resolved at launch (a new AMI never replaces the running host on deploy)', () => {
      template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
        LaunchTemplateData: Match.objectLike({ ImageId: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64' }),
      });
    });

    test('allowSshFrom opens TCP 22 on the host to the named CIDR only', () => {
      const { template: t } = build({}, (b) => b.allowSshFrom(ec2.Peer.ipv4('198.51.100.7/32')));
      t.hasResourceProperties('AWS::EC2::SecurityGroup', {
        SecurityGroupIngress: [Match.objectLike({ CidrIp: '198.51.100.7/32', FromPort: 22, ToPort: 22 })],
      });
    });

    test('implements IConnectable: other resources can allow the bastion in', () => {
      const { template: t } = build({}, (b, stack, vpc) => {
        const db = new ec2.SecurityGroup(stack, 'Db', { vpc });
        db.connections.allowFrom(b, ec2.Port.tcp(5432));
      });
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        FromPort: 5432, SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BastionHostSecurityGroup'), 'GroupId'] },
      });
    });

    test('grantSessionAccess: StartSession on a tagged host with the logging document is allowed; an untagged host and other documents are denied', async () => {
      const { template: t, bastion: b } = build({}, (bb, stack) => bb.grantSessionAccess(new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() })));
      const documentName = resolve(t, { Ref: Object.keys(t.findResources('AWS::SSM::Document'))[0] }) as string;
      const request = {
        principal: roleArn(t, 'Operator'), action: 'ssm:StartSession', resourceAccount: ENV.account, identityPolicies: rolePolicies(t, 'Operator'),
      };
      const instance = `arn:aws:ec2:${ENV.region}:${ENV.account}:instance/i-0123456789abcdef0`;
      const document = (name: string) => `arn:aws:ssm:${ENV.region}:${ENV.account}:document/${name}`;
      const tagged = { [`ssm:resourceTag/${HaInstance.GROUP_TAG_KEY}`]: b.instance!.groupId, 'ssm:SessionDocumentAccessCheck': 'true' };
      // StartSession is authorized on the instance and on the document: both must be allowed
      await expect(simulate({ ...request, resource: instance, context: tagged })).resolves.toBe('Allowed');
      await expect(simulate({ ...request, resource: document(documentName), context: { 'ssm:SessionDocumentAccessCheck': 'true' } })).resolves.toBe('Allowed');
      await expect(simulate({ ...request, resource: instance, context: { [`ssm:resourceTag/${HaInstance.GROUP_TAG_KEY}`]: 'another-group', 'ssm:SessionDocumentAccessCheck': 'true' } })).resolves.toBe('ImplicitlyDenied');
      await expect(simulate({ ...request, resource: instance, context: { 'ssm:SessionDocumentAccessCheck': 'true' } })).resolves.toBe('ImplicitlyDenied');
      await expect(simulate({ ...request, resource: document('SSM-SessionManagerRunShell'), context: { 'ssm:SessionDocumentAccessCheck': 'true' } })).resolves.toBe('ImplicitlyDenied');
    });
  });

  describe('load balancer mode', () => {
    let template: Template;
    let bastion: HaBastion;
    beforeAll(() => ({ template, bastion } = build({ mode: BastionMode.LOAD_BALANCER })));

    test('two hosts in the private subnets of 2 AZs, replaced one at a time', () => {
      template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
        MinSize: '2', MaxSize: '2', HealthCheckType: 'ELB',
        VPCZoneIdentifier: [{ Ref: Match.stringLikeRegexp('^VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcPrivateSubnet2') }],
      });
      template.hasResource('AWS::AutoScaling::AutoScalingGroup', { UpdatePolicy: { AutoScalingRollingUpdate: { MaxBatchSize: 1, MinInstancesInService: 1 } } });
      template.resourceCountIs('AWS::EC2::EIP', 0);
    });

    test('an internet-facing NLB with a security group, in the public subnets, listening on TCP 22', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        Type: 'network', Scheme: 'internet-facing', SecurityGroups: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^BastionLoadBalancerSecurityGroup'), 'GroupId'] }],
        Subnets: [{ Ref: Match.stringLikeRegexp('^VpcPublicSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcPublicSubnet2') }],
      });
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 22, Protocol: 'TCP' });
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 22, Protocol: 'TCP', HealthCheckProtocol: 'TCP' });
      expect(bastion.loadBalancerDnsName).toBeDefined();
    });

    test('the hosts accept SSH from the load balancer only; the load balancer from nobody until allowSshFrom', () => {
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        FromPort: 22, ToPort: 22,
        GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BastionSecurityGroup'), 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BastionLoadBalancerSecurityGroup'), 'GroupId'] },
      });
      template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: Match.stringLikeRegexp('load balancer: no inbound rules'), SecurityGroupIngress: Match.absent(),
      });
    });

    test('allowSshFrom opens TCP 22 on the load balancer', () => {
      const { template: t } = build({ mode: BastionMode.LOAD_BALANCER, sshAllowedCidrs: ['203.0.113.0/24'] });
      t.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: Match.stringLikeRegexp('load balancer'),
        SecurityGroupIngress: [Match.objectLike({ CidrIp: '203.0.113.0/24', FromPort: 22 })],
      });
    });

    test('shared host keys are installed by every host', () => {
      expect(userDataOf(template)).toContain(`ha_shared_host_keys '${bastion.hostKeyParameterName}'`);
    });

    test('more hosts on request', () => {
      build({ mode: BastionMode.LOAD_BALANCER, instanceCount: 3 }).template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '3', MaxSize: '3' });
    });

    test('an existing Network Load Balancer gets the listener', () => {
      const { template: t } = (() => {
        const { stack, vpc } = testStackWithVpc({ vpcProps: VPC_PROPS });
        const nlb = new elbv2.NetworkLoadBalancer(stack, 'Shared', { vpc, internetFacing: true });
        new HaBastion(stack, 'Bastion', { vpc, mode: BastionMode.LOAD_BALANCER, loadBalancer: nlb });
        return { template: Template.fromStack(stack) };
      })();
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 22, LoadBalancerArn: { Ref: Match.stringLikeRegexp('^Shared') } });
    });
  });

  describe.each([BastionMode.ELASTIC_IP, BastionMode.LOAD_BALANCER])('%s mode: what the services and the hosts may do', (mode) => {
    let template: Template;
    let bastion: HaBastion;
    beforeAll(() => ({ template, bastion } = build({ mode })));
    const logGroupArn = (name: string) => `arn:aws:logs:${ENV.region}:${ENV.account}:log-group:${name}`;
    const keyArn = `arn:aws:kms:${ENV.region}:${ENV.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

    test('the key policy lets CloudWatch Logs use the key for the session log group, and for no other log group', async () => {
      const sessionLogGroupName = resolve(template, template.toJSON().Resources[Object.keys(template.findResources('AWS::Logs::LogGroup')).find((id) => id.startsWith('BastionSessionLogs'))!].Properties.LogGroupName) as string;
      const request = { principal: `logs.${ENV.region}.amazonaws.com`, resource: keyArn, resourceAccount: ENV.account, resourcePolicy: keyPolicy(template, 'BastionKey') };
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:Encrypt', 'kms:ReEncryptFrom', 'kms:DescribeKey']) {
        await expect(simulate({ ...request, action, context: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn(sessionLogGroupName) } })).resolves.toBe('Allowed');
      }
      await expect(simulate({ ...request, action: 'kms:GenerateDataKey', context: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn('/some/other/log-group') } })).resolves.toBe('ImplicitlyDenied');
      await expect(simulate({ ...request, action: 'kms:GenerateDataKey', context: {} })).resolves.toBe('ImplicitlyDenied');
      await expect(simulate({ ...request, principal: 'logs.us-east-1.amazonaws.com', action: 'kms:GenerateDataKey', context: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn(sessionLogGroupName) } })).resolves.toBe('ImplicitlyDenied');
    });

    test('the log group is named (the key policy names it without a dependency cycle) after the stack and the stack\'s creation, so a retained one never blocks a redeploy', () => {
      const [logGroup] = Object.entries(template.findResources('AWS::Logs::LogGroup')).filter(([id]) => id.startsWith('BastionSessionLogs'));
      expect(resolve(template, logGroup[1].Properties.LogGroupName)).toBe(`/ha-bastion/TestStack/${bastion.node.addr}/0a1b2c3d-4e5f-6789-abcd-ef0123456789/sessions`);
      expect(JSON.stringify(template.toJSON().Resources[Object.keys(template.findResources('AWS::KMS::Key'))[0]])).not.toContain(logGroup[0]);
    });

    test('the host role creates the host-key parameter but can never overwrite it', async () => {
      const roleId = mode === BastionMode.ELASTIC_IP ? 'BastionHostRole' : 'BastionRole';
      const parameter = `arn:aws:ssm:${ENV.region}:${ENV.account}:parameter${bastion.hostKeyParameterName}`;
      const request = { principal: roleArn(template, roleId), resourceAccount: ENV.account, identityPolicies: rolePolicies(template, roleId) };
      await expect(simulate({ ...request, action: 'ssm:PutParameter', resource: parameter, context: { 'ssm:Overwrite': 'false' } })).resolves.toBe('Allowed');
      await expect(simulate({ ...request, action: 'ssm:PutParameter', resource: parameter, context: { 'ssm:Overwrite': 'true' } })).resolves.toBe('ExplicitlyDenied');
      await expect(simulate({ ...request, action: 'ssm:GetParameter', resource: parameter })).resolves.toBe('Allowed');
      await expect(simulate({ ...request, action: 'ssm:DeleteParameter', resource: parameter })).resolves.toBe('ImplicitlyDenied');
      await expect(simulate({ ...request, action: 'ssm:GetParameter', resource: `arn:aws:ssm:${ENV.region}:${ENV.account}:parameter/other` })).resolves.toBe('ImplicitlyDenied');
    });

    test('user data restricts IMDS to root first, persistently, before anything that uses the role', () => {
      const userData = userDataOf(template);
      // top-level commands (function bodies are indented; definitions end in '() {')
      const firstCall = userData.split('\n').find((line) => /^(ha_[a-z_]+|aws|if|dnf|systemctl|curl|nft)\b/.test(line) && !line.includes('() {'));
      expect(firstCall).toBe('ha_imds_root_only || ha_boot_failed="${ha_boot_failed:-}IMDS restriction;"');
      expect(userData).toContain('ip daddr 169.254.169.254 meta skuid != 0 reject');
      expect(userData).toContain('ip6 daddr fd00:ec2::254 meta skuid != 0 reject');
      expect(userData).toContain('echo \'include "/etc/nftables/ha-imds-root-only.nft"\' >> /etc/sysconfig/nftables.conf');
      expect(userData).toContain('systemctl enable nftables');
    });

    test('user data is valid bash', () => {
      const result = spawnSync('bash', ['-n'], { input: userDataOf(template), encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });

    test('sshd is restarted only after the shared host keys are installed, and is not started before', () => {
      const userData = userDataOf(template);
      const sshdStarts = [...userData.matchAll(/systemctl (?:re)?start sshd|systemctl (?:enable --now|reload) sshd|service sshd/g)].map((m) => m.index!);
      const installed = userData.indexOf('tar -C /etc/ssh -xzf -');
      const configured = userData.indexOf('00-ha-host-keys.conf');
      expect(sshdStarts).toHaveLength(1);
      expect(installed).toBeGreaterThan(0);
      expect(sshdStarts[0]).toBeGreaterThan(installed);
      expect(sshdStarts[0]).toBeGreaterThan(configured);
      // the function that does it runs before the host can be reached
      const keysCall = userData.indexOf(`ha_shared_host_keys '${bastion.hostKeyParameterName}'`);
      const reachable = mode === BastionMode.ELASTIC_IP ? userData.indexOf('ha_claim_eip \'') : userData.indexOf('ha_complete_launch \'HaBastionLaunch-');
      expect(keysCall).toBeGreaterThan(0);
      expect(reachable).toBeGreaterThan(keysCall);
    });
  });

  describe('load balancer mode: no host is in service before it serves the shared host keys', () => {
    let template: Template;
    let bastion: HaBastion;
    beforeAll(() => ({ template, bastion } = build({ mode: BastionMode.LOAD_BALANCER })));

    test('a launch lifecycle hook in the group holds every host (the first ones too), abandoning it when user data does not finish', () => {
      template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
        LifecycleHookSpecificationList: [{
          LifecycleHookName: `HaBastionLaunch-${bastion.node.addr}`, LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING', HeartbeatTimeout: 900, DefaultResult: 'ABANDON',
        }],
      });
    });

    test('user data completes the hook with CONTINUE only when the IMDS rule and the host keys are in place, else ABANDON', () => {
      const userData = userDataOf(template);
      expect(userData).toMatch(/if \[ -z "\$\{ha_boot_failed:-\}" \]; then\n {2}ha_complete_launch 'HaBastionLaunch-\w+' CONTINUE\nelse\n.*\n {2}ha_complete_launch 'HaBastionLaunch-\w+' ABANDON\nfi/);
      expect(userData.lastIndexOf('ha_complete_launch \'')).toBeGreaterThan(userData.indexOf(`ha_shared_host_keys '${bastion.hostKeyParameterName}'`));
    });

    test('a host may complete the lifecycle action of its own group only', async () => {
      const request = { principal: roleArn(template, 'BastionRole'), action: 'autoscaling:CompleteLifecycleAction', resourceAccount: ENV.account, identityPolicies: rolePolicies(template, 'BastionRole') };
      const group = `arn:aws:autoscaling:${ENV.region}:${ENV.account}:autoScalingGroup:0a1b2c3d-1111-2222-3333-444455556666:autoScalingGroupName/Bastion-AutoScalingGroup-ABC`;
      await expect(simulate({ ...request, resource: group, context: { [`aws:ResourceTag/${HaInstance.GROUP_TAG_KEY}`]: bastion.node.addr } })).resolves.toBe('Allowed');
      await expect(simulate({ ...request, resource: group, context: { [`aws:ResourceTag/${HaInstance.GROUP_TAG_KEY}`]: 'another-group' } })).resolves.toBe('ImplicitlyDenied');
    });
  });

  test('warns that an imported key needs the CloudWatch Logs statement added by its owner', () => {
    const printed = expectConsoleOutput();
    const stack = new Stack(testApp({ failOnWarnings: false }), 'TestStack');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
    const encryptionKey = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    new HaBastion(stack, 'Bastion', { vpc, encryptionKey });
    Annotations.fromStack(stack).hasWarning('/TestStack/Bastion', Match.stringLikeRegexp('logs.<region>.amazonaws.com .* kms:EncryptionContext:aws:logs:arn'));
    expect(printed.text()).toContain('Annotation::cdk-reference-architectures:haBastionImportedKey');
  });

  describe('alarms', () => {
    const action = (name: string) => ({ bind: () => ({ alarmActionArn: `arn:aws:sns:${ENV.region}:${ENV.account}:${name}` }) });
    const alarmsOf = (template: Template) => Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const asgRef = (template: Template) => ({ Ref: Object.keys(template.findResources('AWS::AutoScaling::AutoScalingGroup'))[0] });

    test('Elastic IP mode: the host\'s alarms (status check, in service below 1) with the bastion\'s actions', () => {
      const { template, bastion } = build({ alarmActions: [action('Ops')] });
      template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
      expect(bastion.alarms).toEqual([bastion.statusCheckFailedAlarm, bastion.inServiceInstancesAlarm]);
      expect(bastion.alarms).toEqual(bastion.instance!.alarms);
      expect(bastion.unhealthyHostsAlarm).toBeUndefined();
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'GroupInServiceInstances', Threshold: 1, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 5 });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'StatusCheckFailed', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 2 });
      for (const alarm of alarmsOf(template)) expect(alarm.AlarmActions).toEqual([`arn:aws:sns:${ENV.region}:${ENV.account}:Ops`]);
    });

    test('Elastic IP mode: addAlarmActions reaches the host\'s alarms', () => {
      const { template } = build({}, (b) => b.addAlarmActions(action('Later')));
      for (const alarm of alarmsOf(template)) expect(alarm.AlarmActions).toEqual([`arn:aws:sns:${ENV.region}:${ENV.account}:Later`]);
    });

    describe('load balancer mode', () => {
      let template: Template;
      let bastion: HaBastion;
      beforeAll(() => ({ template, bastion } = build({ mode: BastionMode.LOAD_BALANCER })));

      test('three alarms, without actions by default', () => {
        template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
        expect(bastion.alarms).toEqual([bastion.statusCheckFailedAlarm, bastion.inServiceInstancesAlarm, bastion.unhealthyHostsAlarm]);
        for (const alarm of alarmsOf(template)) expect(alarm.AlarmActions).toBeUndefined();
      });

      test('in service below the desired count (2) for 5 minutes; missing data breaches', () => {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/AutoScaling', MetricName: 'GroupInServiceInstances', Dimensions: [{ Name: 'AutoScalingGroupName', Value: asgRef(template) }],
          Statistic: 'Minimum', Period: 60, Threshold: 2, EvaluationPeriods: 5, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching',
        });
        build({ mode: BastionMode.LOAD_BALANCER, instanceCount: 3 }).template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'GroupInServiceInstances', Threshold: 3 });
      });

      test('the group reports GroupInServiceInstances (group metrics are only sent once enabled)', () => {
        template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
          MetricsCollection: [{ Granularity: '1Minute', Metrics: Match.arrayWith(['GroupInServiceInstances']) }],
        });
      });

      test('any host failing a status check for 2 minutes', () => {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/EC2', MetricName: 'StatusCheckFailed', Dimensions: [{ Name: 'AutoScalingGroupName', Value: asgRef(template) }],
          Statistic: 'Maximum', Period: 60, Threshold: 1, EvaluationPeriods: 2, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
        });
      });

      test('an unhealthy host behind the load balancer for 3 minutes', () => {
        const [targetGroup] = Object.keys(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'));
        const [listener] = Object.keys(template.findResources('AWS::ElasticLoadBalancingV2::Listener'));
        // the load balancer's `net/<name>/<id>`, which aws-cdk-lib cuts out of the SSH listener's ARN
        const fromListener = (i: number) => ({ 'Fn::Select': [i, { 'Fn::Split': ['/', { Ref: listener }] }] });
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/NetworkELB', MetricName: 'UnHealthyHostCount',
          Dimensions: [
            { Name: 'LoadBalancer', Value: { 'Fn::Join': ['', [fromListener(1), '/', fromListener(2), '/', fromListener(3)]] } },
            { Name: 'TargetGroup', Value: { 'Fn::GetAtt': [targetGroup, 'TargetGroupFullName'] } },
          ],
          Statistic: 'Maximum', Period: 60, Threshold: 1, EvaluationPeriods: 3, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
        });
      });

      test('alarmActions and addAlarmActions reach every alarm', () => {
        const { template: t } = build({ mode: BastionMode.LOAD_BALANCER, alarmActions: [action('Ops')] }, (b) => b.addAlarmActions(action('Later')));
        const alarms = alarmsOf(t);
        expect(alarms).toHaveLength(3);
        for (const alarm of alarms) {
          expect(alarm.AlarmActions).toEqual([`arn:aws:sns:${ENV.region}:${ENV.account}:Ops`, `arn:aws:sns:${ENV.region}:${ENV.account}:Later`]);
        }
      });

      test('metric methods give the alarms\' and the dashboard\'s metrics', () => {
        expect(bastion.metricUnhealthyHostCount().metricName).toBe('UnHealthyHostCount');
        expect(bastion.metricHealthyHostCount().metricName).toBe('HealthyHostCount');
        expect(bastion.metricNewFlowCount().metricName).toBe('NewFlowCount');
        expect(bastion.metricStatusCheckFailed().metricName).toBe('StatusCheckFailed');
        expect(bastion.metricInServiceInstances().metricName).toBe('GroupInServiceInstances');
        expect(bastion.metricInstances('CPUUtilization').namespace).toBe('AWS/EC2');
      });

      test('an existing load balancer: the unhealthy-host alarm measures it', () => {
        const { stack, vpc } = testStackWithVpc({ vpcProps: VPC_PROPS });
        const nlb = new elbv2.NetworkLoadBalancer(stack, 'Shared', { vpc, internetFacing: true });
        new HaBastion(stack, 'Bastion', { vpc, mode: BastionMode.LOAD_BALANCER, loadBalancer: nlb });
        const t = Template.fromStack(stack);
        const [listener] = Object.keys(t.findResources('AWS::ElasticLoadBalancingV2::Listener', { Properties: { LoadBalancerArn: { Ref: Match.stringLikeRegexp('^Shared') } } }));
        expect(listener).toBeDefined();
        const [alarm] = Object.values(t.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'UnHealthyHostCount' } }));
        const loadBalancerDimension = alarm.Properties.Dimensions.find((d: { Name: string }) => d.Name === 'LoadBalancer');
        expect(JSON.stringify(loadBalancerDimension.Value)).toContain(`"Fn::Split":["/",{"Ref":"${listener}"}]`);
      });
    });

    test('fails if a load balancer metric is asked of the Elastic IP mode', () => {
      const { bastion } = build();
      expect(() => bastion.metricUnhealthyHostCount()).toThrow(/metricUnhealthyHostCount\(\) measures the load balancer, which mode eip has not. Fix: use mode: BastionMode.LOAD_BALANCER/);
      expect(() => bastion.metricNewFlowCount()).toThrow(/measures the load balancer/);
    });
  });

  describe('validation', () => {
    test('fails if the Elastic IP mode is asked for more than one host', () => {
      expect(() => build({ instanceCount: 2 }))
        .toThrow(/HaBastion: instanceCount '2': with an Elastic IP there is exactly one host .* Fix: use mode: BastionMode.LOAD_BALANCER for 2 or more hosts/);
    });

    test('fails if the load balancer mode has fewer than 2 hosts', () => {
      expect(() => build({ mode: BastionMode.LOAD_BALANCER, instanceCount: 1 }))
        .toThrow(/instanceCount '1': behind a load balancer, high availability needs at least 2 hosts in 2 AZs/);
    });

    test('fails if the load balancer mode has fewer than 2 AZs', () => {
      const stack = new Stack(testApp(), 'S');
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      expect(() => new HaBastion(stack, 'Bastion', { vpc, mode: BastionMode.LOAD_BALANCER }))
        .toThrow(/vpcSubnets 'subnetType Isolated': the hosts' subnets span 1 Availability Zone\(s\)[\s\S]*loadBalancerSubnets 'subnetType Public': the load balancer's subnets span 1/);
    });

    test('fails if the load balancer is not layer 4, explaining that SSH is not HTTP', () => {
      const { stack, vpc } = testStackWithVpc({ vpcProps: VPC_PROPS });
      const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
      expect(() => new HaBastion(stack, 'Bastion', { vpc, mode: BastionMode.LOAD_BALANCER, loadBalancer: alb }))
        .toThrow(/loadBalancer 'TestStack\/Alb': SSH is a TCP protocol, not HTTP: an Application Load Balancer \(layer 7\) .* Fix: pass an elbv2.NetworkLoadBalancer/);
    });

    test('fails if SSH from 0.0.0.0/0 or ::/0 is asked for without the opt-in', () => {
      expect(() => build({ sshAllowedCidrs: ['0.0.0.0/0', '::/0'] }))
        .toThrow(/has 2 configuration error\(s\)[\s\S]*sshAllowedCidrs\[0\] '0.0.0.0\/0': SSH from the whole internet .* needs an explicit opt-in\. Fix: .*allowSshFromAnywhere: true[\s\S]*sshAllowedCidrs\[1\] '::\/0'/);
      expect(() => build({}, (b) => b.allowSshFrom(ec2.Peer.anyIpv4())))
        .toThrow(/allowSshFrom 0.0.0.0\/0: SSH from the whole internet .* or set allowSshFromAnywhere: true to opt in/);
    });

    test('SSH from anywhere works with the explicit opt-in', () => {
      build({ allowSshFromAnywhere: true, sshAllowedCidrs: ['0.0.0.0/0'] }).template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        SecurityGroupIngress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 22 })],
      });
    });

    test('fails if the VPC has no subnets of the required type', () => {
      const stack = new Stack(testApp(), 'S');
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
      expect(() => new HaBastion(stack, 'Bastion', { vpc, mode: BastionMode.LOAD_BALANCER }))
        .toThrow(/vpcSubnets 'subnetType Private': the VPC has no subnets of the required type/);
    });

    test('fails if a load balancer is given in Elastic IP mode', () => {
      const { stack, vpc } = testStackWithVpc({ vpcProps: VPC_PROPS });
      const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc });
      expect(() => new HaBastion(stack, 'Bastion', { vpc, loadBalancer: nlb })).toThrow(/loadBalancer 'TestStack\/Nlb': only the load balancer mode uses one/);
    });

    test('fails if instanceCount is a token: the mode rule must be checked at synth', () => {
      const { stack, vpc } = testStackWithVpc({ vpcProps: VPC_PROPS });
      const count = new CfnParameter(stack, 'Count', { type: 'Number' });
      expect(() => new HaBastion(stack, 'Bastion', { vpc, mode: BastionMode.LOAD_BALANCER, instanceCount: count.valueAsNumber }))
        .toThrow(/instanceCount '\(token\)': .* must be checked at synth time/);
    });
  });
});
