import { App, CfnParameter, Duration, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Construct } from 'constructs';
import * as lib from '../../lib';
import { testApp } from '../support/app';
import { describeTokenMatrix, longTags, stackDependencies, synthesizeAll, twoStacks, validatingApp } from '../support/input-matrix';
import { schemaStringFindings } from '../support/schema-strings/schema-findings';
import { INPUTS, haVpc } from './ha.cases';

const ENV = { account: '123456789012', region: 'us-east-1' };

/** Dependencies between the app's stacks (asset manifests left out). */
const stackDeps = (app: App) => Object.fromEntries(Object.entries(stackDependencies(app)).map(([k, v]) => [k, v.filter((d) => !d.endsWith('.assets'))]));

function stack(context: Record<string, unknown> = {}): Stack {
  return new Stack(testApp({ context, failOnWarnings: false }), 'Ha', { env: ENV });
}

const instance = (props: Partial<lib.HaInstanceProps>) => () => {
  const s = stack();
  return new lib.HaInstance(s, 'Server', { vpc: haVpc(s), ...props });
};
const bastion = (props: Partial<lib.HaBastionProps>) => () => {
  const s = stack();
  return new lib.HaBastion(s, 'Bastion', { vpc: haVpc(s), ...props });
};

describe('tokens for every validated prop', () => {
  describeTokenMatrix(INPUTS);

  test('token numbers reach the handler and user data as tokens, not as their numeric encoding', () => {
    const s = stack();
    const iops = new CfnParameter(s, 'Iops', { type: 'Number', default: 3000 }).valueAsNumber;
    const claim = new CfnParameter(s, 'Claim', { type: 'Number', default: 900 }).valueAsNumber;
    new lib.HaInstance(s, 'Server', { vpc: haVpc(s), elasticIp: true, elasticIpClaimTimeout: Duration.seconds(claim), dataVolume: { iops } });
    const template = JSON.stringify(Template.fromStack(s).toJSON());
    expect(template).not.toMatch(/-1\.8\d*e\+289/);
    expect(template).toContain('{"Ref":"Iops"}');
    expect(template).toContain('{"Ref":"Claim"}');
  });

  test('a CIDR token in sshAllowedCidrs is accepted (AWS checks it at deploy)', () => {
    const s = stack();
    const cidr = new CfnParameter(s, 'Cidr', { default: '203.0.113.0/24' }).valueAsString;
    new lib.HaBastion(s, 'Bastion', { vpc: haVpc(s), sshAllowedCidrs: [cidr] });
    Template.fromStack(s).hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [Match.objectLike({ CidrIp: { Ref: 'Cidr' }, FromPort: 22 })],
    });
  });

  test('fails if a token duration is in a unit AWS does not take (no conversion at synth)', () => {
    const s = stack();
    const minutes = new CfnParameter(s, 'Minutes', { type: 'Number', default: 15 }).valueAsNumber;
    expect(() => new lib.HaInstance(s, 'Server', { vpc: haVpc(s), dataVolume: {}, lifecycleHookHeartbeat: Duration.minutes(minutes) }))
      .toThrow(/HaInstance: lifecycleHookHeartbeat \(token\): is a token in minutes, but is used in seconds.*Fix: pass the token as Duration\.seconds\(token\)/);
  });
});

describe('HaBastion CIDRs: the rule of the edge constructs (parseCidr)', () => {
  test('fails with its own message, not aws-cdk-lib\'s, if a CIDR is invalid', () => {
    expect(bastion({ sshAllowedCidrs: ['10.0.0.300/24', '2001:db8::zz/64', '198.51.100.7'] }))
      .toThrow(/has 3 configuration error[\s\S]*HaBastion: sshAllowedCidrs\[0\] '10\.0\.0\.300\/24': is not a valid IPv4 address\. Fix: use CIDR notation[\s\S]*sshAllowedCidrs\[1\] '2001:db8::zz\/64': is not a valid IPv6 address[\s\S]*sshAllowedCidrs\[2\] '198\.51\.100\.7': is not in CIDR notation/);
  });

  test('fails if a CIDR has host bits set, as the edge constructs do', () => {
    expect(bastion({ sshAllowedCidrs: ['203.0.113.7/24', '2001:db8::1/64'] }))
      .toThrow(/sshAllowedCidrs\[0\] '203\.0\.113\.7\/24': has host bits set\. Fix: use '203\.0\.113\.0\/24'[\s\S]*sshAllowedCidrs\[1\] '2001:db8::1\/64': has host bits set\. Fix: use '2001:db8::\/64'/);
  });

  test('allowSshFrom applies the same rule', () => {
    const b = bastion({})();
    expect(() => b.allowSshFrom(ec2.Peer.ipv4('203.0.113.7/24'))).toThrow(/HaBastion at '.*': allowSshFrom '203\.0\.113\.7\/24' has host bits set\. Fix: use '203\.0\.113\.0\/24'/);
    expect(() => b.allowSshFrom(ec2.Peer.ipv4('203.0.113.0/24'))).not.toThrow();
  });

  test('the whole internet still needs the opt-in, however it is written', () => {
    expect(bastion({ sshAllowedCidrs: ['0.0.0.0/0'] })).toThrow(/needs an explicit opt-in/);
    expect(bastion({ sshAllowedCidrs: ['0.0.0.0/0'], allowSshFromAnywhere: true })).not.toThrow();
  });
});

describe('HaInstance Elastic IP allocation IDs', () => {
  test.each(['eipalloc-0123abcd', 'eipalloc-0123456789abcdef0'])('accepts %s (8 or 17 hex digits)', (id) => {
    expect(instance({ elasticIpAllocationId: id })).not.toThrow();
  });

  test('fails if the allocation ID is malformed', () => {
    expect(instance({ elasticIpAllocationId: 'eipalloc-12345' }))
      .toThrow(/HaInstance: elasticIpAllocationId 'eipalloc-12345': an Elastic IP allocation ID is eipalloc- followed by 8 or 17 lower-case hexadecimal digits/);
    expect(instance({ elasticIpAllocationId: '203.0.113.5' })).toThrow(/elasticIpAllocationId '203\.0\.113\.5'/);
    expect(instance({ elasticIpAllocationId: 'eipalloc-0123456789abcdef' })).toThrow(/elasticIpAllocationId/);
  });
});

describe('HaInstance data volume: EBS documented ranges (EC2 API CreateVolume, EBS User Guide)', () => {
  const gp3 = (dataVolume: lib.HaDataVolumeOptions) => instance({ dataVolume });
  const io = (volumeType: ec2.EbsDeviceVolumeType, dataVolume: lib.HaDataVolumeOptions) => instance({ dataVolume: { volumeType, ...dataVolume } });

  test('gp3 at its limits is accepted: 3000 and 80000 IOPS, 125 and 2000 MiB/s, 1 and 65536 GiB', () => {
    expect(gp3({ iops: 3000, throughput: 125, size: Size.gibibytes(1) })).not.toThrow();
    expect(gp3({ iops: 80000, throughput: 2000, size: Size.gibibytes(160) })).not.toThrow();
    expect(gp3({ size: Size.gibibytes(65536) })).not.toThrow();
  });

  test('fails one past gp3\'s limits, naming the prop and the range', () => {
    expect(gp3({ iops: 2999 })).toThrow(/dataVolume\.iops '2999': must be a whole number from 3000 to 80000 IOPS \(EC2 API CreateVolume, Iops \(gp3\)\)/);
    expect(gp3({ iops: 80001, size: Size.gibibytes(200) })).toThrow(/dataVolume\.iops '80001': must be a whole number from 3000 to 80000 IOPS/);
    expect(gp3({ throughput: 124 })).toThrow(/dataVolume\.throughput '124': must be a whole number from 125 to 2000 MiB\/s \(EC2 API CreateVolume, Throughput \(gp3\)\)/);
    expect(gp3({ iops: 16000, throughput: 2001, size: Size.gibibytes(100) })).toThrow(/dataVolume\.throughput '2001': must be a whole number from 125 to 2000 MiB\/s/);
    expect(gp3({ size: Size.gibibytes(65537) })).toThrow(/dataVolume\.size '65537 GiB': must be a whole number from 1 to 65536 GiB \(EC2 API CreateVolume, Size \(gp3\)\)/);
  });

  test('fails if gp3 IOPS exceed 500 per GiB, or throughput 0.25 MiB/s per IOPS', () => {
    expect(gp3({ iops: 5000, size: Size.gibibytes(9) })).toThrow(/dataVolume\.iops '5000': gp3 allows at most 500 IOPS per GiB above its baseline of 3000 .* so 9 GiB takes at most 4500\. Fix: lower iops or make the volume at least 10 GiB/);
    expect(gp3({ throughput: 1000 })).toThrow(/dataVolume\.throughput '1000': gp3 allows at most 0\.25 MiB\/s per provisioned IOPS .* so 3000 IOPS take at most 750 MiB\/s\. Fix: lower throughput or raise iops to at least 4000/);
  });

  test('io1 and io2: their IOPS ranges and ratios, IOPS required, no throughput', () => {
    expect(io(ec2.EbsDeviceVolumeType.IO2, { iops: 256000, size: Size.gibibytes(256) })).not.toThrow();
    expect(io(ec2.EbsDeviceVolumeType.IO2, { iops: 256001, size: Size.gibibytes(300) })).toThrow(/dataVolume\.iops '256001': must be a whole number from 100 to 256000 IOPS/);
    expect(io(ec2.EbsDeviceVolumeType.IO1, { iops: 64001, size: Size.gibibytes(2000) })).toThrow(/dataVolume\.iops '64001': must be a whole number from 100 to 64000 IOPS/);
    expect(io(ec2.EbsDeviceVolumeType.IO1, { iops: 1000, size: Size.gibibytes(10) })).toThrow(/io1 allows at most 50 IOPS per GiB/);
    expect(io(ec2.EbsDeviceVolumeType.IO2, {})).toThrow(/dataVolume\.iops \(not set\): io2 volumes need provisioned IOPS/);
    expect(io(ec2.EbsDeviceVolumeType.IO2, { iops: 1000, throughput: 500 })).toThrow(/dataVolume\.throughput '500': only gp3 volumes take a throughput/);
    expect(io(ec2.EbsDeviceVolumeType.IO2, { iops: 1000, size: Size.gibibytes(3) })).toThrow(/dataVolume\.size '3 GiB': must be a whole number from 4 to 65536 GiB/);
  });

  test('gp2, st1: no provisioned IOPS; their own size ranges', () => {
    expect(io(ec2.EbsDeviceVolumeType.GP2, { iops: 3000 })).toThrow(/dataVolume\.iops '3000': only gp3, io1 and io2 volumes take provisioned IOPS, and volumeType is gp2/);
    expect(io(ec2.EbsDeviceVolumeType.ST1, { size: Size.gibibytes(124) })).toThrow(/dataVolume\.size '124 GiB': must be a whole number from 125 to 16384 GiB/);
    expect(io(ec2.EbsDeviceVolumeType.GP2, { size: Size.gibibytes(16385) })).toThrow(/dataVolume\.size '16385 GiB'/);
  });

  test('the root volume (gp3): 1 to 65536 GiB', () => {
    expect(instance({ rootVolumeSize: Size.gibibytes(65536) })).not.toThrow();
    expect(instance({ rootVolumeSize: Size.gibibytes(65537) })).toThrow(/HaInstance: rootVolumeSize '65537 GiB': the root volume is gp3, which must be a whole number from 1 to 65536 GiB/);
  });
});

describe('long and awkward IDs: tags, descriptions within their limits', () => {
  /** A construct path over 300 characters, past every tag (256) and description (255, 256) limit. */
  function longPath(build: (scope: Construct, vpc: ec2.IVpc) => void): string[] {
    const app = testApp();
    const s = new Stack(app, 'LongIds', { env: ENV });
    const vpc = haVpc(s);
    build(new Construct(s, `2nd_${'Very_Long_Scope_'.repeat(20)}`), vpc);
    return [...schemaStringFindings(s).map((f) => `${f.resourceType} ${f.propertyPath}: ${f.message.slice(0, 120)}`), ...longTags(Template.fromStack(s).toJSON())];
  }

  test('HaInstance: Name tags (Auto Scaling group, Elastic IP), security group and function descriptions', () => {
    expect(longPath((scope, vpc) => new lib.HaInstance(scope, 'Server_1', { vpc, elasticIp: true, dataVolume: {} }))).toEqual([]);
  });

  test.each([lib.BastionMode.ELASTIC_IP, lib.BastionMode.LOAD_BALANCER])('HaBastion (%s)', (mode) => {
    expect(longPath((scope, vpc) => new lib.HaBastion(scope, 'Bastion_1', { vpc, mode }))).toEqual([]);
  });

  test('fails if instanceName is longer than a tag value may be', () => {
    expect(instance({ instanceName: 'x'.repeat(257) })).toThrow(/HaInstance: instanceName 'x{40}…': is the Name tag of the instances, and a tag value has 1 to 256 characters .* but it has 257/);
    expect(instance({ instanceName: 'x'.repeat(256) })).not.toThrow();
  });
});

describe('imported resources', () => {
  const lookupContext = {
    'vpc-provider:account=123456789012:filter.vpc-id=vpc-0123456789abcdef0:region=us-east-1:returnAsymmetricSubnets=true': {
      vpcId: 'vpc-0123456789abcdef0', vpcCidrBlock: '10.0.0.0/16', ownerAccountId: '123456789012', availabilityZones: [],
      subnetGroups: [
        { name: 'Public', type: 'Public', subnets: [
          { subnetId: 'subnet-000000000000000a1', cidr: '10.0.0.0/24', availabilityZone: 'us-east-1a', routeTableId: 'rtb-000000000000000a1' },
          { subnetId: 'subnet-000000000000000b1', cidr: '10.0.1.0/24', availabilityZone: 'us-east-1b', routeTableId: 'rtb-000000000000000b1' }] },
        { name: 'Private', type: 'Private', subnets: [
          { subnetId: 'subnet-000000000000000a2', cidr: '10.0.2.0/24', availabilityZone: 'us-east-1a', routeTableId: 'rtb-000000000000000a2' },
          { subnetId: 'subnet-000000000000000b2', cidr: '10.0.3.0/24', availabilityZone: 'us-east-1b', routeTableId: 'rtb-000000000000000b2' }] },
      ],
    },
  };
  const lookedUp = (s: Stack) => ec2.Vpc.fromLookup(s, 'Vpc', { vpcId: 'vpc-0123456789abcdef0' });

  test('Vpc.fromLookup (with context): both constructs synthesize a valid template', () => {
    const app = validatingApp(lookupContext);
    const s = new Stack(app, 'Imported', { env: ENV });
    const vpc = lookedUp(s);
    new lib.HaInstance(s, 'Server', { vpc, elasticIp: true, dataVolume: {} });
    new lib.HaBastion(s, 'Bastion', { vpc, mode: lib.BastionMode.LOAD_BALANCER, sshAllowedCidrs: ['203.0.113.0/24'] });
    expect(synthesizeAll(app)).toEqual([]);
    Template.fromStack(s).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { VPCZoneIdentifier: ['subnet-000000000000000a1', 'subnet-000000000000000b1'] });
  });

  test('HaInstance: an imported security group and an imported key for the data volume', () => {
    const s = stack();
    const securityGroup = ec2.SecurityGroup.fromSecurityGroupId(s, 'Sg', 'sg-0123456789abcdef0');
    const encryptionKey = kms.Key.fromKeyArn(s, 'Key', 'arn:aws:kms:us-east-1:123456789012:key/0b9a1e1e-1111-2222-3333-444455556666');
    const server = new lib.HaInstance(s, 'Server', { vpc: haVpc(s), securityGroup, dataVolume: { encryptionKey } });
    expect(server.securityGroup).toBe(securityGroup);
    const template = Template.fromStack(s);
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: Match.objectLike({ SecurityGroupIds: ['sg-0123456789abcdef0'] }) });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['kms:CreateGrant']), Resource: encryptionKey.keyArn })]) },
    });
  });

  test('HaBastion: an imported key warns that its policy must let CloudWatch Logs use it', () => {
    const s = stack();
    const encryptionKey = kms.Key.fromKeyArn(s, 'Key', 'arn:aws:kms:us-east-1:123456789012:key/0b9a1e1e-1111-2222-3333-444455556666');
    new lib.HaBastion(s, 'Bastion', { vpc: haVpc(s), encryptionKey });
    Annotations.fromStack(s).hasWarning('/Ha/Bastion', Match.stringLikeRegexp('encryptionKey is imported'));
  });

  test('HaBastion: an imported Network Load Balancer without security groups: SSH rules land on the hosts, health checks from the VPC', () => {
    const s = stack();
    const vpc = haVpc(s);
    const loadBalancer = elbv2.NetworkLoadBalancer.fromNetworkLoadBalancerAttributes(s, 'Nlb', {
      loadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/bastion/0123456789abcdef', vpc, loadBalancerDnsName: 'bastion-0123456789abcdef.elb.us-east-1.amazonaws.com',
    });
    const b = new lib.HaBastion(s, 'Bastion', { vpc, mode: lib.BastionMode.LOAD_BALANCER, loadBalancer, sshAllowedCidrs: ['203.0.113.0/24'] });
    const template = Template.fromStack(s);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    const hostGroup = s.resolve((b.securityGroup.node.defaultChild as ec2.CfnSecurityGroup).logicalId);
    const ingress = template.findResources('AWS::EC2::SecurityGroup')[hostGroup].Properties.SecurityGroupIngress;
    expect(ingress).toEqual(expect.arrayContaining([
      expect.objectContaining({ CidrIp: '203.0.113.0/24', FromPort: 22 }),
      expect.objectContaining({ CidrIp: { 'Fn::GetAtt': [expect.stringMatching(/^Vpc/), 'CidrBlock'] }, FromPort: 22 }),
    ]));
  });
});

describe('cross-stack: references point one way', () => {
  test('HaInstance and HaBastion in the consumer, the VPC, key, security group and alarm topic in the producer', () => {
    const app = validatingApp();
    const { producer, consumer } = twoStacks(app);
    const vpc = haVpc(producer);
    const encryptionKey = new kms.Key(producer, 'Key');
    const securityGroup = new ec2.SecurityGroup(producer, 'Sg', { vpc });
    const topic = new sns.Topic(producer, 'Alarms');
    new lib.HaInstance(consumer, 'Server', { vpc, securityGroup, elasticIp: true, dataVolume: { encryptionKey }, alarmActions: [new actions.SnsAction(topic)] });
    new lib.HaBastion(consumer, 'Bastion', { vpc, encryptionKey, mode: lib.BastionMode.LOAD_BALANCER, alarmActions: [new actions.SnsAction(topic)] });
    expect(synthesizeAll(app)).toEqual([]);
    expect(stackDeps(app)).toEqual({ Producer: [], Consumer: ['Producer'] });
  });

  test('HaBastion with a load balancer of the producer: the listener and target group are the load balancer\'s, references one way', () => {
    const app = validatingApp();
    const { producer, consumer } = twoStacks(app);
    const vpc = haVpc(producer);
    const loadBalancer = new elbv2.NetworkLoadBalancer(producer, 'Nlb', {
      vpc, internetFacing: true, securityGroups: [new ec2.SecurityGroup(producer, 'NlbSg', { vpc, allowAllOutbound: false })],
    });
    new lib.HaBastion(consumer, 'Bastion', { vpc, mode: lib.BastionMode.LOAD_BALANCER, loadBalancer, sshAllowedCidrs: ['203.0.113.0/24'] });
    expect(synthesizeAll(app)).toEqual([]);
    const deps = stackDeps(app);
    expect(deps.Producer.includes('Consumer') && deps.Consumer.includes('Producer')).toBe(false);
  });

  test('the other direction: the bastion in the producer, a database security group and an operator role in the consumer', () => {
    const app = validatingApp();
    const { producer, consumer } = twoStacks(app);
    const vpc = haVpc(producer);
    const b = new lib.HaBastion(producer, 'Bastion', { vpc, mode: lib.BastionMode.LOAD_BALANCER });
    const database = new ec2.SecurityGroup(consumer, 'Database', { vpc });
    database.connections.allowFrom(b, ec2.Port.tcp(5432));
    b.grantSessionAccess(new iam.Role(consumer, 'Operator', { assumedBy: new iam.AccountRootPrincipal() }));
    // the consumer opens its own way out; the rule on the server lands in the consumer (aws-cdk-lib's remote rule)
    database.connections.allowTo(new lib.HaInstance(producer, 'Server', { vpc }), ec2.Port.tcp(443));
    expect(synthesizeAll(app)).toEqual([]);
    expect(stackDeps(app)).toEqual({ Producer: [], Consumer: ['Producer'] });
  });
});

