import { CfnParameter, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BastionMode, HaBastion, HaBastionProps } from '../../lib/ha/ha-bastion';
import { HA_GROUP_TAG_KEY } from '../../lib/ha/ha-instance';
import { testApp } from '../support/app';
import { userDataOf } from '../support/user-data';

function newStack(): { stack: Stack; vpc: ec2.Vpc } {
  const stack = new Stack(testApp(), 'TestStack');
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2, natGateways: 0,
    subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  return { stack, vpc };
}

function build(props: Partial<HaBastionProps> = {}, configure?: (b: HaBastion, stack: Stack, vpc: ec2.IVpc) => void) {
  const { stack, vpc } = newStack();
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

    test('grantSessionAccess allows sessions on these hosts only, with the logging document enforced', () => {
      const { template: t, bastion: b } = build({}, (bb, stack) => bb.grantSessionAccess(new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() })));
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^Operator') }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Action: 'ssm:StartSession',
            Condition: { StringEquals: { [`ssm:resourceTag/${HA_GROUP_TAG_KEY}`]: [b.instance!.groupId] }, BoolIfExists: { 'ssm:SessionDocumentAccessCheck': 'true' } },
          })]),
        },
      });
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
        const { stack, vpc } = newStack();
        const nlb = new elbv2.NetworkLoadBalancer(stack, 'Shared', { vpc, internetFacing: true });
        new HaBastion(stack, 'Bastion', { vpc, mode: BastionMode.LOAD_BALANCER, loadBalancer: nlb });
        return { template: Template.fromStack(stack) };
      })();
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 22, LoadBalancerArn: { Ref: Match.stringLikeRegexp('^Shared') } });
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
      const { stack, vpc } = newStack();
      const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
      expect(() => new HaBastion(stack, 'Bastion', { vpc, mode: BastionMode.LOAD_BALANCER, loadBalancer: alb }))
        .toThrow(/loadBalancer 'TestStack\/Alb': SSH is a TCP protocol, not HTTP: an Application Load Balancer \(layer 7\) .* Fix: pass an elbv2.NetworkLoadBalancer/);
    });

    test('fails if SSH from 0.0.0.0/0 or ::/0 is asked for without the opt-in', () => {
      expect(() => build({ sshAllowedCidrs: ['0.0.0.0/0', '::/0'] }))
        .toThrow(/has 2 configuration error\(s\)[\s\S]*sshAllowedCidrs '0.0.0.0\/0': SSH from the whole internet .* needs an explicit opt-in\. Fix: .*allowSshFromAnywhere: true[\s\S]*sshAllowedCidrs '::\/0'/);
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
      const { stack, vpc } = newStack();
      const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc });
      expect(() => new HaBastion(stack, 'Bastion', { vpc, loadBalancer: nlb })).toThrow(/loadBalancer 'TestStack\/Nlb': only the load balancer mode uses one/);
    });

    test('fails if instanceCount is a token: the mode rule must be checked at synth', () => {
      const { stack, vpc } = newStack();
      const count = new CfnParameter(stack, 'Count', { type: 'Number' });
      expect(() => new HaBastion(stack, 'Bastion', { vpc, mode: BastionMode.LOAD_BALANCER, instanceCount: count.valueAsNumber }))
        .toThrow(/instanceCount '\(token\)': .* must be checked at synth time/);
    });
  });
});
