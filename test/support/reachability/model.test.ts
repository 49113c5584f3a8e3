import { CLOUDFRONT_ORIGIN_FACING, CLOUDFRONT_VPC_ORIGIN, NetworkModel } from './model';

const getAtt = (id: string, attr = 'GroupId') => ({ 'Fn::GetAtt': [id, attr] });
const ref = (id: string) => ({ Ref: id });

/**
 * A VPC 10.0.0.0/16 with a public subnet (10.0.0.0/24, route to an internet gateway) and a private
 * one (10.0.1.0/24), plus whatever resources a test adds.
 */
function template(resources: Record<string, any>): any {
  return {
    Resources: {
      Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
      Igw: { Type: 'AWS::EC2::InternetGateway', Properties: {} },
      Public: { Type: 'AWS::EC2::Subnet', Properties: { CidrBlock: '10.0.0.0/24', VpcId: ref('Vpc') } },
      Private: { Type: 'AWS::EC2::Subnet', Properties: { CidrBlock: '10.0.1.0/24', VpcId: ref('Vpc') } },
      PublicTable: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: ref('Vpc') } },
      PublicAssoc: { Type: 'AWS::EC2::SubnetRouteTableAssociation', Properties: { SubnetId: ref('Public'), RouteTableId: ref('PublicTable') } },
      PublicDefault: { Type: 'AWS::EC2::Route', Properties: { RouteTableId: ref('PublicTable'), DestinationCidrBlock: '0.0.0.0/0', GatewayId: ref('Igw') } },
      ...resources,
    },
  };
}

function group(ingress: any[] = [], egress?: any[]): any {
  return { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'g', VpcId: ref('Vpc'), SecurityGroupIngress: ingress, ...egress ? { SecurityGroupEgress: egress } : {} } };
}

function instance(subnet: string, groups: string[], publicIp = false): any {
  return {
    Type: 'AWS::EC2::Instance',
    Properties: { NetworkInterfaces: [{ DeviceIndex: '0', SubnetId: ref(subnet), AssociatePublicIpAddress: publicIp, GroupSet: groups.map((g) => getAtt(g)) }] },
  };
}

function acl(subnet: string, entries: any[]): Record<string, any> {
  return {
    Acl: { Type: 'AWS::EC2::NetworkAcl', Properties: { VpcId: ref('Vpc') } },
    AclAssoc: { Type: 'AWS::EC2::SubnetNetworkAclAssociation', Properties: { SubnetId: ref(subnet), NetworkAclId: ref('Acl') } },
    ...Object.fromEntries(entries.map((e, i) => [`Entry${i}`, {
      Type: 'AWS::EC2::NetworkAclEntry',
      Properties: { NetworkAclId: ref('Acl'), Protocol: -1, Egress: false, ...e },
    }])),
  };
}

const BOTH_WAYS = (cidr: string, ruleNumber: number, action: 'allow' | 'deny') => [
  { CidrBlock: cidr, RuleNumber: ruleNumber, RuleAction: action, Egress: false },
  { CidrBlock: cidr, RuleNumber: ruleNumber, RuleAction: action, Egress: true },
];

const HTTP_FROM_ANYWHERE = { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, CidrIp: '0.0.0.0/0' };

describe('NetworkModel', () => {
  describe('security group rules', () => {
    test('a CIDR rule opens one protocol and port range, to the internet only with a public address in a public subnet', () => {
      // GIVEN the same group on a public instance, a private-IP instance in the public subnet and one in the private subnet
      const model = NetworkModel.fromTemplate(template({
        Web: group([HTTP_FROM_ANYWHERE]),
        PublicHost: instance('Public', ['Web'], true),
        NoPublicIp: instance('Public', ['Web'], false),
        PrivateHost: instance('Private', ['Web'], true),
      }));
      // THEN
      expect(model.exposure('PublicHost')).toEqual([
        { protocol: 'tcp', fromPort: 80, toPort: 80, sources: [{ source: 'internet', except: [] }, { source: 'vpc', except: [] }] },
      ]);
      expect(model.exposure('NoPublicIp')).toEqual([{ protocol: 'tcp', fromPort: 80, toPort: 80, sources: [{ source: 'vpc', except: [] }] }]);
      expect(model.exposure('PrivateHost')).toEqual([{ protocol: 'tcp', fromPort: 80, toPort: 80, sources: [{ source: 'vpc', except: [] }] }]);
    });

    test('udp, icmp and all-traffic rules, port ranges and specific CIDRs', () => {
      const model = NetworkModel.fromTemplate(template({
        Web: group([
          { IpProtocol: 'udp', FromPort: 1000, ToPort: 1999, CidrIp: '198.51.100.0/24' },
          { IpProtocol: 'icmp', FromPort: -1, ToPort: -1, CidrIp: '10.0.0.0/16' },
          { IpProtocol: '-1', CidrIp: '192.0.2.7/32' },
        ]),
        Host: instance('Public', ['Web'], true),
      }));
      const admit = (source: string) => ({ source, except: [] });
      expect(model.exposure('Host')).toEqual([
        { protocol: 'tcp', fromPort: 0, toPort: 65535, sources: [admit('cidr:192.0.2.7/32')] },
        { protocol: 'udp', fromPort: 0, toPort: 999, sources: [admit('cidr:192.0.2.7/32')] },
        { protocol: 'udp', fromPort: 1000, toPort: 1999, sources: [admit('cidr:192.0.2.7/32'), admit('cidr:198.51.100.0/24')] },
        { protocol: 'udp', fromPort: 2000, toPort: 65535, sources: [admit('cidr:192.0.2.7/32')] },
        { protocol: 'icmp', fromPort: -1, toPort: -1, sources: [admit('cidr:192.0.2.7/32'), admit('vpc')] },
        { protocol: 'other', fromPort: -1, toPort: -1, sources: [admit('cidr:192.0.2.7/32')] },
      ]);
    });

    test('a rule referencing a group admits its members only, and only if their egress allows it', () => {
      // GIVEN Front may send to Back on 8080; Mute's egress only allows 443 anywhere
      const model = NetworkModel.fromTemplate(template({
        Front: group([], [{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, DestinationSecurityGroupId: getAtt('Back') }]),
        Mute: group([], [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }]),
        Back: group(),
        FromFront: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { GroupId: getAtt('Back'), IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, SourceSecurityGroupId: getAtt('Front') } },
        FromMute: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { GroupId: getAtt('Back'), IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, SourceSecurityGroupId: getAtt('Mute') } },
        FrontHost: instance('Public', ['Front']),
        MuteHost: instance('Public', ['Mute']),
        BackHost: instance('Private', ['Back']),
      }));
      expect(model.exposure('BackHost')).toEqual([{ protocol: 'tcp', fromPort: 8080, toPort: 8080, sources: [{ source: 'sg:Front', except: [] }] }]);
      expect(model.canReach('FrontHost', 'BackHost', 'tcp', 8080)).toBe(true);
      expect(model.canReach('MuteHost', 'BackHost', 'tcp', 8080)).toBe(false);
      expect(model.canReach('FrontHost', 'BackHost', 'tcp', 8081)).toBe(false);
    });

    test('a self-referencing all-traffic rule admits the group\'s members on every protocol and port', () => {
      const model = NetworkModel.fromTemplate(template({
        Nodes: group(),
        Self: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { GroupId: getAtt('Nodes'), IpProtocol: '-1', SourceSecurityGroupId: getAtt('Nodes') } },
        A: instance('Private', ['Nodes']),
        B: instance('Private', ['Nodes']),
      }));
      expect(model.exposure('A')).toEqual(['tcp', 'udp', 'icmp', 'other'].map((protocol) => ({
        protocol, fromPort: protocol === 'tcp' || protocol === 'udp' ? 0 : -1, toPort: protocol === 'tcp' || protocol === 'udp' ? 65535 : -1,
        sources: [{ source: 'sg:Nodes', except: [] }],
      })));
      expect(model.canReach('B', 'A', 'other', -1)).toBe(true);
    });

    test('a Batch compute environment without groups uses the VPC default group, which restrictDefaultSecurityGroup empties', () => {
      const batch = { Type: 'AWS::Batch::ComputeEnvironment', Properties: { ComputeResources: { Subnets: [ref('Private')] } } };
      const open = NetworkModel.fromTemplate(template({ Batch: batch }));
      expect(open.endpoint('Batch').groups).toEqual(['vpc-default-security-group']);
      expect(open.canReach('Batch', 'Batch', 'tcp', 22)).toBe(true);
      const restricted = NetworkModel.fromTemplate(template({
        Batch: batch,
        Restrict: { Type: 'Custom::VpcRestrictDefaultSG', Properties: { DefaultSecurityGroupId: getAtt('Vpc', 'DefaultSecurityGroup') } },
      }));
      expect(restricted.exposure('Batch')).toEqual([]);
      expect(restricted.canReach('Batch', 'Batch', 'tcp', 22)).toBe(false);
    });

    test('a rule on the VPC CIDR token resolves to the VPC CIDR; an unknown token is reported as unresolved', () => {
      const model = NetworkModel.fromTemplate(template({
        Web: group([{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, CidrIp: getAtt('Vpc', 'CidrBlock') }, { IpProtocol: 'tcp', FromPort: 81, ToPort: 81, CidrIp: ref('SomeParameter') }]),
        Host: instance('Private', ['Web']),
      }));
      expect(model.exposure('Host')).toEqual([{ protocol: 'tcp', fromPort: 80, toPort: 80, sources: [{ source: 'vpc', except: [] }] }]);
      expect(model.unresolved).toEqual(['unresolved-cidr:{"Ref":"SomeParameter"}']);
    });
  });

  describe('network ACLs', () => {
    test('entries are evaluated in rule-number order: a deny before the allow-all refuses the range (both directions)', () => {
      const model = NetworkModel.fromTemplate(template({
        Web: group([HTTP_FROM_ANYWHERE]),
        Host: instance('Public', ['Web'], true),
        ...acl('Public', [...BOTH_WAYS('203.0.113.0/24', 100, 'deny'), ...BOTH_WAYS('0.0.0.0/0', 200, 'allow')]),
      }));
      expect(model.exposure('Host')[0].sources).toEqual([{ source: 'internet', except: ['203.0.113.0/24'] }, { source: 'vpc', except: [] }]);
    });

    test('the lowest matching rule number decides: an allow numbered before a deny wins, one numbered after loses', () => {
      const build = (allowNumber: number) => NetworkModel.fromTemplate(template({
        Web: group([HTTP_FROM_ANYWHERE]),
        Host: instance('Public', ['Web'], true),
        ...acl('Public', [...BOTH_WAYS('203.0.113.9/32', allowNumber, 'allow'), ...BOTH_WAYS('203.0.113.0/24', 100, 'deny'), ...BOTH_WAYS('0.0.0.0/0', 200, 'allow')]),
      }));
      expect(build(90).exposure('Host')[0].sources[0]).toEqual({ source: 'internet', except: ['203.0.113.0/24'] });
      // the /32 probe is admitted by rule 90 although its /24 is denied
      expect(build(90).exposure('Host')[0].sources[0].except).not.toContain('203.0.113.9/32');
      expect(build(150).exposure('Host')[0].sources[0]).toEqual({ source: 'internet', except: ['203.0.113.0/24', '203.0.113.9/32'] });
    });

    test('ACLs are stateless: a reply refused outbound refuses the connection; an entry only for another port does not matter', () => {
      const model = NetworkModel.fromTemplate(template({
        Web: group([HTTP_FROM_ANYWHERE]),
        Host: instance('Public', ['Web'], true),
        ...acl('Public', [
          { CidrBlock: '0.0.0.0/0', RuleNumber: 100, RuleAction: 'allow', Egress: false },
          { CidrBlock: '0.0.0.0/0', RuleNumber: 100, RuleAction: 'allow', Egress: true, Protocol: 6, PortRange: { From: 80, To: 80 } },
        ]),
      }));
      expect(model.exposure('Host')).toEqual([]);
    });

    test('an ACL port range limits one protocol; no entry matching means the implicit deny', () => {
      const model = NetworkModel.fromTemplate(template({
        Web: group([{ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, CidrIp: '0.0.0.0/0' }]),
        Host: instance('Public', ['Web'], true),
        ...acl('Public', [
          { CidrBlock: '0.0.0.0/0', RuleNumber: 100, RuleAction: 'allow', Protocol: 6, PortRange: { From: 443, To: 443 } },
          { CidrBlock: '0.0.0.0/0', RuleNumber: 100, RuleAction: 'allow', Egress: true },
        ]),
      }));
      expect(model.exposure('Host')).toEqual([{ protocol: 'tcp', fromPort: 443, toPort: 443, sources: [{ source: 'internet', except: [] }, { source: 'vpc', except: [] }] }]);
    });

    test('a subnet without an ACL association uses the default ACL, which allows all', () => {
      const model = NetworkModel.fromTemplate(template({
        Web: group([HTTP_FROM_ANYWHERE]),
        Host: instance('Private', ['Web']),
        ...acl('Public', BOTH_WAYS('0.0.0.0/0', 100, 'deny')),
      }));
      expect(model.exposure('Host')[0].sources).toEqual([{ source: 'vpc', except: [] }]);
    });
  });

  describe('load balancers', () => {
    const lb = (type: 'application' | 'network', scheme: string, groups: string[]) => ({
      Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
      Properties: { Type: type, Scheme: scheme, Subnets: [ref('Public')], ...groups.length ? { SecurityGroups: groups.map((g) => getAtt(g)) } : {} },
    });
    const listener = (port: number, protocol: string) => ({
      Type: 'AWS::ElasticLoadBalancingV2::Listener',
      Properties: { LoadBalancerArn: ref('Lb'), Port: port, Protocol: protocol, DefaultActions: [{ Type: 'forward', TargetGroupArn: ref('Tg') }] },
    });
    const targetGroup = (protocol: string, attributes: any[] = []) => ({
      Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
      Properties: { Port: 80, Protocol: protocol, TargetType: 'instance', Targets: [{ Id: ref('Host') }], TargetGroupAttributes: attributes },
    });

    test('ALB: its groups filter clients; the target sees the ALB, so it admits the ALB group, and clients come through it', () => {
      const model = NetworkModel.fromTemplate(template({
        LbGroup: group([{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }]),
        Lb: lb('application', 'internet-facing', ['LbGroup']),
        Listener: listener(443, 'HTTPS'),
        Tg: targetGroup('HTTP'),
        Web: group([{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, SourceSecurityGroupId: getAtt('LbGroup') }]),
        Host: instance('Private', ['Web']),
        ...acl('Public', [...BOTH_WAYS('203.0.113.0/24', 100, 'deny'), ...BOTH_WAYS('0.0.0.0/0', 200, 'allow')]),
      }));
      expect(model.listenerSources('Listener')).toEqual([{ source: 'internet', except: ['203.0.113.0/24'] }, { source: 'vpc', except: [] }]);
      expect(model.exposure('Host')).toEqual([{ protocol: 'tcp', fromPort: 80, toPort: 80, sources: [{ source: 'sg:LbGroup', except: [] }] }]);
      expect(model.throughLoadBalancers('Host')).toEqual([
        { source: 'internet', except: ['203.0.113.0/24'], via: 'Listener' }, { source: 'vpc', except: [], via: 'Listener' },
      ]);
    });

    test('ALB: a listener port its group does not open is reachable by nobody; an internal ALB not from the internet', () => {
      const model = NetworkModel.fromTemplate(template({
        LbGroup: group([{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }]),
        Lb: lb('application', 'internal', ['LbGroup']),
        Listener: listener(80, 'HTTP'),
        Https: { ...listener(443, 'HTTPS') },
        Tg: targetGroup('HTTP'),
        Host: instance('Private', []),
      }));
      expect(model.listenerSources('Listener')).toEqual([]);
      expect(model.listenerSources('Https')).toEqual([{ source: 'vpc', except: [] }]);
    });

    test('NLB without groups passes client IPs: the target\'s group and subnet ACL see the client', () => {
      const model = NetworkModel.fromTemplate(template({
        Lb: lb('network', 'internet-facing', []),
        Listener: listener(80, 'TCP'),
        Tg: targetGroup('TCP'),
        Web: group([{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, CidrIp: '198.51.100.0/24' }]),
        Host: instance('Private', ['Web']),
        ...acl('Private', [...BOTH_WAYS('198.51.100.66/32', 100, 'deny'), ...BOTH_WAYS('0.0.0.0/0', 200, 'allow')]),
      }));
      // the NLB itself filters nothing
      expect(model.listenerSources('Listener')).toEqual([{ source: 'internet', except: [] }, { source: 'vpc', except: [] }]);
      expect(model.throughLoadBalancers('Host')).toEqual([{ source: 'cidr:198.51.100.0/24', except: ['198.51.100.66/32'], via: 'Listener' }]);
    });

    test('NLB with client IP preservation off: the target sees the NLB\'s address, so client CIDR rules admit no one', () => {
      const model = NetworkModel.fromTemplate(template({
        Lb: lb('network', 'internet-facing', []),
        Listener: listener(80, 'TCP'),
        Tg: targetGroup('TCP', [{ Key: 'preserve_client_ip.enabled', Value: 'false' }]),
        Web: group([{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, CidrIp: '198.51.100.0/24' }]),
        Host: instance('Private', ['Web']),
      }));
      expect(model.throughLoadBalancers('Host')).toEqual([]);
    });

    test('NLB with a group: clients pass its group; a target rule on the NLB group admits them with their own IP', () => {
      const model = NetworkModel.fromTemplate(template({
        LbGroup: group([{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, CidrIp: '0.0.0.0/0' }]),
        Lb: lb('network', 'internet-facing', ['LbGroup']),
        Listener: listener(80, 'TCP'),
        Tg: targetGroup('TCP'),
        Web: group([{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, SourceSecurityGroupId: getAtt('LbGroup') }]),
        Host: instance('Private', ['Web']),
        ...acl('Private', [...BOTH_WAYS('203.0.113.0/24', 100, 'deny'), ...BOTH_WAYS('0.0.0.0/0', 200, 'allow')]),
      }));
      // the blocklist sits on the target's subnet, not the NLB's: preserved client IPs meet it there
      expect(model.listenerSources('Listener')).toEqual([{ source: 'internet', except: [] }, { source: 'vpc', except: [] }]);
      expect(model.throughLoadBalancers('Host')).toEqual([
        { source: 'internet', except: ['203.0.113.0/24'], via: 'Listener' }, { source: 'vpc', except: [], via: 'Listener' },
      ]);
    });
  });

  describe('CloudFront', () => {
    const vpcOriginAlb = (lbIngress: any[], extra: Record<string, any> = {}) => template({
      LbGroup: group(lbIngress),
      Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Type: 'application', Scheme: 'internal', Subnets: [ref('Private')], SecurityGroups: [getAtt('LbGroup')] } },
      Listener: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { LoadBalancerArn: ref('Lb'), Port: 80, Protocol: 'HTTP', DefaultActions: [] } },
      Origin: { Type: 'AWS::CloudFront::VpcOrigin', Properties: { VpcOriginEndpointConfig: { Arn: ref('Lb'), HTTPPort: 80, Name: 'o', OriginProtocolPolicy: 'http-only' } } },
      ...extra,
    });
    // how aws-cdk-lib's aws-cloudfront-origins README finds the VPC-origin service group
    const serviceGroupLookup = {
      Type: 'Custom::AWS',
      Properties: { Create: JSON.stringify({ service: 'EC2', action: 'describeSecurityGroups', parameters: { Filters: [{ Name: 'group-name', Values: ['CloudFront-VPCOrigins-Service-SG'] }] } }) },
    };

    test('an internal ALB admitting the VPC-origin service group is reachable from CloudFront only', () => {
      const model = NetworkModel.fromTemplate(vpcOriginAlb(
        [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, SourceSecurityGroupId: getAtt('GetServiceGroup', 'SecurityGroups.0.GroupId') }],
        { GetServiceGroup: serviceGroupLookup },
      ));
      expect(model.listenerSources('Listener')).toEqual([{ source: CLOUDFRONT_VPC_ORIGIN, except: [] }]);
      expect(model.unresolved).toEqual([]);
    });

    test('an internal ALB admitting the VPC CIDR is reachable from the whole VPC (CloudFrontWafAlb\'s old rule)', () => {
      const model = NetworkModel.fromTemplate(vpcOriginAlb([{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, CidrIp: '10.0.0.0/16' }]));
      expect(model.listenerSources('Listener')).toEqual([{ source: 'vpc', except: [] }]);
    });

    test('the origin-facing prefix list admits CloudFront\'s public servers, and only to a public load balancer', () => {
      const rule = { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, SourcePrefixListId: getAtt('OriginFacing', 'PrefixLists.0.PrefixListId') };
      const lookup = { Type: 'Custom::AWS', Properties: { Create: JSON.stringify({ action: 'describeManagedPrefixLists', parameters: { Filters: [{ Name: 'prefix-list-name', Values: ['com.amazonaws.global.cloudfront.origin-facing'] }] } }) } };
      const publicAlb = vpcOriginAlb([rule], { OriginFacing: lookup });
      publicAlb.Resources.Lb.Properties = { ...publicAlb.Resources.Lb.Properties, Scheme: 'internet-facing', Subnets: [ref('Public')] };
      expect(NetworkModel.fromTemplate(publicAlb).listenerSources('Listener')).toEqual([{ source: CLOUDFRONT_ORIGIN_FACING, except: [] }]);
      expect(NetworkModel.fromTemplate(vpcOriginAlb([rule], { OriginFacing: lookup })).listenerSources('Listener')).toEqual([]);
    });

    test('a prefix list named by a literal ID the caller knows (a lookup) is recognised', () => {
      const model = NetworkModel.fromTemplate(
        vpcOriginAlb([{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, SourcePrefixListId: 'pl-12345678' }]),
        { prefixListNames: { 'pl-12345678': 'com.amazonaws.global.cloudfront.origin-facing' } },
      );
      expect(model.unresolved).toEqual([]);
    });

    test('a prefix list the model cannot name is reported as unresolved', () => {
      const model = NetworkModel.fromTemplate(vpcOriginAlb([{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, SourcePrefixListId: 'pl-12345678' }]));
      expect(model.unresolved).toEqual(['unresolved-prefix-list:"pl-12345678"']);
      expect(model.listenerSources('Listener')).toEqual([]);
    });
  });

  test('rejects a VPC with an IPv6 block (the model is IPv4 only)', () => {
    expect(() => NetworkModel.fromTemplate(template({
      V6: { Type: 'AWS::EC2::VPCCidrBlock', Properties: { VpcId: ref('Vpc'), AmazonProvidedIpv6CidrBlock: true } },
    }))).toThrow(/IPv6/);
  });
});
