import { cidrContains, formatAddress, parseCidr } from '../../../lib/private/cidr';

/**
 * A small IPv4 reachability model of a synthesized template: security groups (inline rules,
 * AWS::EC2::SecurityGroupIngress/Egress, group references, prefix lists, CIDRs), network ACLs
 * (ordered entries, allow/deny, ports; subnets without an association use the VPC's default ACL,
 * which allows all), which subnets route 0.0.0.0/0 to an internet gateway, public addresses, load
 * balancers (scheme, groups, listeners, target groups, client IP preservation) and the compute
 * behind them (instances, launch templates, Auto Scaling groups, Batch, FSx, EFS, interface endpoints).
 *
 * Who can reach what is answered with abstract sources, each probed with one representative packet:
 * - `internet`: any public address (its `except` lists the template's CIDRs that are refused);
 * - `cidr:<block>`: a CIDR some rule or ACL entry names (reported when `internet` is not admitted);
 * - `vpc`: any address in the VPC CIDR, i.e. any other resource in the VPC;
 * - `sg:<logicalId>`: a member of that security group;
 * - `cloudfront-vpc-origin`: CloudFront's VPC-origin service group (`CloudFront-VPCOrigins-Service-SG`,
 *   which AWS creates in the VPC with the VPC origin; its ENIs have private addresses in the origin's subnets);
 * - `cloudfront-origin-facing`: CloudFront's public origin-facing servers (managed prefix list
 *   `com.amazonaws.global.cloudfront.origin-facing`).
 * IPv6 is not modelled: a template that gives the VPC an IPv6 block is rejected.
 */

export type Protocol = 'tcp' | 'udp' | 'icmp' | 'other';
export const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'icmp', 'other'];
const PROTOCOL_NUMBER: Record<Protocol, number> = { tcp: 6, udp: 17, icmp: 1, other: 47 };
const EPHEMERAL_PORT = 49152;

export const CLOUDFRONT_VPC_ORIGIN = 'cloudfront-vpc-origin';
export const CLOUDFRONT_ORIGIN_FACING = 'cloudfront-origin-facing';
export const CLOUDFRONT_VPC_ORIGIN_GROUP_NAME = 'CloudFront-VPCOrigins-Service-SG';
export const CLOUDFRONT_ORIGIN_FACING_LIST_NAME = 'com.amazonaws.global.cloudfront.origin-facing';
const VPC_DEFAULT_GROUP = 'vpc-default-security-group';

/** A source admitted to a port: `except` lists CIDRs inside it that are refused. */
export interface Admission {
  readonly source: string;
  readonly except: string[];
  /** The listener (logical ID) the traffic came through, for traffic forwarded by a load balancer. */
  readonly via?: string;
}

/** Who reaches a range of ports of one protocol (`icmp` and `other` use port -1). */
export interface PortExposure {
  readonly protocol: Protocol;
  readonly fromPort: number;
  readonly toPort: number;
  readonly sources: Admission[];
}

/** Something with network interfaces: the thing a packet must reach. */
export interface Endpoint {
  readonly id: string;
  readonly kind: 'instance' | 'auto-scaling-group' | 'load-balancer' | 'batch' | 'fsx' | 'efs' | 'vpc-endpoint';
  readonly subnets: string[];
  /** Security group keys (`sg:<logicalId>`, or the VPC's default group); empty: no group filters (NLB without groups). */
  readonly groups: string[];
  /** Has a public address in a subnet that routes 0.0.0.0/0 to an internet gateway. */
  readonly public: boolean;
}

export interface Listener {
  readonly id: string;
  readonly loadBalancer: string;
  readonly protocol: Protocol;
  readonly port: number;
  readonly targetGroups: string[];
}

interface Rule {
  readonly protocol: number; // -1: all
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidr?: string;
  readonly group?: string;
  readonly prefixList?: string;
}

interface AclEntry {
  readonly ruleNumber: number;
  readonly egress: boolean;
  readonly allow: boolean;
  readonly protocol: number;
  readonly cidr: string;
  readonly fromPort: number;
  readonly toPort: number;
}

interface Probe {
  readonly label: string;
  readonly ip: string;
  readonly groups: string[];
  readonly prefixLists: string[];
  /** Arrives from outside the VPC: reaches only endpoints with a public address. */
  readonly external: boolean;
  readonly subnet?: string;
  /** Groups whose egress rules the packet must pass (undefined: unrestricted sender). */
  readonly egressGroups?: string[];
}

interface TargetGroup {
  readonly port?: number;
  readonly protocol: Protocol;
  readonly preserveClientIp: boolean;
  readonly targets: string[];
}

type Json = any;

export interface NetworkModelOptions {
  /**
   * Names of prefix lists the template names by literal ID (e.g. from `ec2.PrefixList.fromLookup`,
   * whose result lives in the app context): ID -> prefix list name.
   * @default - none
   */
  readonly prefixListNames?: Record<string, string>;
}

export class NetworkModel {
  /** Builds the model from `Template.toJSON()` (or any synthesized template object). */
  public static fromTemplate(template: Json, options: NetworkModelOptions = {}): NetworkModel {
    return new NetworkModel(template, options);
  }

  public readonly endpoints: Endpoint[] = [];
  public readonly listeners: Listener[] = [];
  /** Rule peers the model could not name (a token it does not know): tests assert this is empty. */
  public readonly unresolved: string[] = [];
  public readonly vpcCidr?: string;

  private readonly resources: Record<string, Json>;
  private readonly ingress = new Map<string, Rule[]>();
  private readonly egress = new Map<string, Rule[]>();
  private readonly subnetCidr = new Map<string, string>();
  private readonly publicSubnets = new Set<string>();
  private readonly subnetAcl = new Map<string, AclEntry[]>();
  private readonly targetGroups = new Map<string, TargetGroup>();
  private readonly probes: Probe[];

  private readonly template: Json;
  private readonly prefixListIds: Record<string, string>;

  private constructor(template: Json, options: NetworkModelOptions) {
    this.template = template;
    this.prefixListIds = options.prefixListNames ?? {};
    this.resources = template.Resources ?? {};
    const ofType = (type: string) => Object.entries(this.resources).filter(([, r]) => r.Type === type) as [string, Json][];

    const vpcs = ofType('AWS::EC2::VPC');
    if (vpcs.length > 1) throw new Error(`reachability model: ${vpcs.length} VPCs in one template; the model handles one`);
    if (ofType('AWS::EC2::VPCCidrBlock').some(([, r]) => r.Properties?.AmazonProvidedIpv6CidrBlock || r.Properties?.Ipv6CidrBlock || r.Properties?.Ipv6Pool)) {
      throw new Error('reachability model: the VPC has an IPv6 block; the model is IPv4 only');
    }
    this.vpcCidr = vpcs[0]?.[1].Properties?.CidrBlock;

    // Security groups and their rules
    const restrictedDefault = ofType('Custom::VpcRestrictDefaultSG').length > 0;
    this.ingress.set(VPC_DEFAULT_GROUP, restrictedDefault ? [] : [{ protocol: -1, fromPort: -1, toPort: -1, group: VPC_DEFAULT_GROUP }]);
    this.egress.set(VPC_DEFAULT_GROUP, restrictedDefault ? [] : [{ protocol: -1, fromPort: -1, toPort: -1, cidr: '0.0.0.0/0' }]);
    for (const [id, r] of ofType('AWS::EC2::SecurityGroup')) {
      const key = `sg:${id}`;
      this.ingress.set(key, (r.Properties?.SecurityGroupIngress ?? []).map((x: Json) => this.rule(x, 'Source')));
      // No egress rules in the template: CloudFormation keeps EC2's default allow-all rule.
      const egress = r.Properties?.SecurityGroupEgress;
      this.egress.set(key, egress === undefined ? [{ protocol: -1, fromPort: -1, toPort: -1, cidr: '0.0.0.0/0' }] : egress.map((x: Json) => this.rule(x, 'Destination')));
    }
    for (const [type, map, prefix] of [['AWS::EC2::SecurityGroupIngress', this.ingress, 'Source'], ['AWS::EC2::SecurityGroupEgress', this.egress, 'Destination']] as const) {
      for (const [, r] of ofType(type)) {
        const group = this.groupKey(r.Properties.GroupId);
        // A group without inline egress rules keeps EC2's allow-all egress rule beside separate ones.
        map.set(group, [...map.get(group) ?? [], this.rule(r.Properties, prefix)]);
      }
    }

    // Subnets, routes to an internet gateway, network ACLs
    for (const [id, r] of ofType('AWS::EC2::Subnet')) this.subnetCidr.set(id, r.Properties.CidrBlock);
    const igws = new Set(ofType('AWS::EC2::InternetGateway').map(([id]) => id));
    const igwTables = new Set(ofType('AWS::EC2::Route')
      .filter(([, r]) => r.Properties.DestinationCidrBlock === '0.0.0.0/0' && igws.has(ref(r.Properties.GatewayId) ?? ''))
      .map(([, r]) => ref(r.Properties.RouteTableId)));
    for (const [, r] of ofType('AWS::EC2::SubnetRouteTableAssociation')) {
      if (igwTables.has(ref(r.Properties.RouteTableId))) this.publicSubnets.add(ref(r.Properties.SubnetId)!);
    }
    const aclEntries = new Map<string, AclEntry[]>();
    for (const [, r] of ofType('AWS::EC2::NetworkAclEntry')) {
      const p = r.Properties;
      if (p.CidrBlock === undefined) continue; // IPv6 entry
      const acl = ref(p.NetworkAclId)!;
      aclEntries.set(acl, [...aclEntries.get(acl) ?? [], {
        ruleNumber: Number(p.RuleNumber), egress: p.Egress === true || p.Egress === 'true', allow: p.RuleAction === 'allow',
        protocol: Number(p.Protocol), cidr: p.CidrBlock, fromPort: p.PortRange?.From ?? 0, toPort: p.PortRange?.To ?? 65535,
      }]);
    }
    for (const [, r] of ofType('AWS::EC2::SubnetNetworkAclAssociation')) {
      this.subnetAcl.set(ref(r.Properties.SubnetId)!, aclEntries.get(ref(r.Properties.NetworkAclId)!) ?? []);
    }

    // Compute and load balancers
    const eips = new Set(ofType('AWS::EC2::EIP').map(([, r]) => ref(r.Properties?.InstanceId)).filter(Boolean));
    for (const [, r] of ofType('AWS::EC2::EIPAssociation')) eips.add(ref(r.Properties.InstanceId));
    for (const [id, r] of ofType('AWS::EC2::Instance')) {
      const p = r.Properties;
      const lt = this.launchTemplate(p.LaunchTemplate);
      const nic = p.NetworkInterfaces?.[0] ?? lt.NetworkInterfaces?.[0];
      const subnet = ref(p.SubnetId ?? nic?.SubnetId);
      const groups = [...p.SecurityGroupIds ?? [], ...nic?.GroupSet ?? nic?.Groups ?? [], ...p.SecurityGroupIds ? [] : lt.SecurityGroupIds ?? []];
      const publicIp = eips.has(id) || (nic?.AssociatePublicIpAddress ?? this.mapsPublicIp(subnet));
      this.addEndpoint(id, 'instance', subnet ? [subnet] : [], groups, publicIp === true || publicIp === 'true');
    }
    for (const [id, r] of ofType('AWS::AutoScaling::AutoScalingGroup')) {
      const lt = this.launchTemplate(r.Properties.LaunchTemplate ?? r.Properties.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification);
      const nic = lt.NetworkInterfaces?.[0];
      const subnets = (r.Properties.VPCZoneIdentifier ?? []).map(ref);
      const publicIp = nic?.AssociatePublicIpAddress ?? subnets.every((s: string) => this.mapsPublicIp(s));
      this.addEndpoint(id, 'auto-scaling-group', subnets, [...lt.SecurityGroupIds ?? [], ...nic?.Groups ?? []], publicIp === true || publicIp === 'true');
    }
    for (const [id, r] of ofType('AWS::Batch::ComputeEnvironment')) {
      const c = r.Properties.ComputeResources ?? {};
      // Multi-node parallel job ENIs use the compute environment's groups, else the VPC's default
      // group (Batch user guide, "Compute environment considerations for MNP"); they get no public IP.
      this.addEndpoint(id, 'batch', (c.Subnets ?? []).map(ref), c.SecurityGroupIds ?? [], false, true);
    }
    for (const [id, r] of ofType('AWS::FSx::FileSystem')) this.addEndpoint(id, 'fsx', (r.Properties.SubnetIds ?? []).map(ref), r.Properties.SecurityGroupIds ?? [], false, true);
    for (const [id, r] of ofType('AWS::EFS::MountTarget')) this.addEndpoint(id, 'efs', [ref(r.Properties.SubnetId)!], r.Properties.SecurityGroups ?? [], false, true);
    for (const [id, r] of ofType('AWS::EC2::VPCEndpoint')) {
      if (r.Properties.VpcEndpointType === 'Interface') this.addEndpoint(id, 'vpc-endpoint', (r.Properties.SubnetIds ?? []).map(ref), r.Properties.SecurityGroupIds ?? [], false, true);
    }
    for (const [id, r] of ofType('AWS::ElasticLoadBalancingV2::LoadBalancer')) {
      const p = r.Properties;
      const subnets = (p.Subnets ?? (p.SubnetMappings ?? []).map((m: Json) => m.SubnetId)).map(ref);
      const groups = p.SecurityGroups ?? [];
      // An ALB always has groups (the VPC's default one when none is given); an NLB created without any has none.
      this.addEndpoint(id, 'load-balancer', subnets, groups, p.Scheme !== 'internal', p.Type !== 'network');
    }
    for (const [id, r] of ofType('AWS::ElasticLoadBalancingV2::TargetGroup')) {
      const p = r.Properties;
      const attr = (p.TargetGroupAttributes ?? []).find((a: Json) => a.Key === 'preserve_client_ip.enabled')?.Value;
      const protocol = protocolOf(p.Protocol);
      const defaultPreserve = p.Protocol === undefined || /^HTTP/.test(p.Protocol) ? false : (p.TargetType ?? 'instance') === 'instance' || protocol === 'udp';
      const targets = (p.Targets ?? []).map((t: Json) => ref(t.Id)).filter(Boolean);
      this.targetGroups.set(id, { port: p.Port, protocol, preserveClientIp: attr === undefined ? defaultPreserve : String(attr) === 'true', targets });
    }
    for (const [id, r] of ofType('AWS::AutoScaling::AutoScalingGroup')) {
      for (const tg of r.Properties.TargetGroupARNs ?? []) this.targetGroups.get(ref(tg)!)?.targets.push(id);
    }
    const rules = ofType('AWS::ElasticLoadBalancingV2::ListenerRule');
    for (const [id, r] of ofType('AWS::ElasticLoadBalancingV2::Listener')) {
      const actions = [
        ...r.Properties.DefaultActions ?? [],
        ...rules.filter(([, lr]) => ref(lr.Properties.ListenerArn) === id).flatMap(([, lr]) => lr.Properties.Actions ?? []),
      ];
      const targetGroups = actions
        .flatMap((a: Json) => [a.TargetGroupArn, ...(a.ForwardConfig?.TargetGroups ?? []).map((t: Json) => t.TargetGroupArn)])
        .map(ref)
        .filter(Boolean) as string[];
      this.listeners.push({
        id, loadBalancer: ref(r.Properties.LoadBalancerArn)!, protocol: protocolOf(r.Properties.Protocol),
        port: Number(r.Properties.Port), targetGroups,
      });
    }
    this.probes = this.makeProbes(ofType('AWS::CloudFront::VpcOrigin'));
  }

  /** The endpoint with this logical ID. */
  public endpoint(id: string): Endpoint {
    const endpoint = this.endpoints.find((e) => e.id === id);
    if (!endpoint) throw new Error(`reachability model: no endpoint ${id} (have ${this.endpoints.map((e) => e.id).join(', ')})`);
    return endpoint;
  }

  /** Who reaches the endpoint directly, on every port of every protocol (nothing: empty list). */
  public exposure(id: string): PortExposure[] {
    const endpoint = this.endpoint(id);
    const result: PortExposure[] = [];
    for (const protocol of PROTOCOLS) {
      for (const [fromPort, toPort] of this.segments(endpoint, protocol)) {
        const sources = this.admissions((probe) => this.reaches(probe, endpoint, protocol, fromPort), endpoint);
        const last = result[result.length - 1];
        if (last && last.protocol === protocol && last.toPort === fromPort - 1 && same(last.sources, sources)) {
          result[result.length - 1] = { ...last, toPort };
        } else {
          result.push({ protocol, fromPort, toPort, sources });
        }
      }
    }
    return result.filter((e) => e.sources.length > 0);
  }

  /** Who reaches a load balancer listener. */
  public listenerSources(listenerId: string): Admission[] {
    const listener = this.listeners.find((l) => l.id === listenerId);
    if (!listener) throw new Error(`reachability model: no listener ${listenerId}`);
    const lb = this.endpoint(listener.loadBalancer);
    return this.admissions((probe) => this.reaches(probe, lb, listener.protocol, listener.port), lb);
  }

  /**
   * Who reaches the endpoint through each listener that forwards to it: the source must pass the
   * load balancer, then the forwarded packet must pass the target's subnet ACL and groups. An ALB
   * proxies (the target sees the ALB); an NLB preserves client IPs for instance targets (the target
   * sees the client's address, plus the NLB's groups if it has any).
   */
  public throughLoadBalancers(id: string): Admission[] {
    const endpoint = this.endpoint(id);
    const result: Admission[] = [];
    for (const listener of this.listeners) {
      const lb = this.endpoint(listener.loadBalancer);
      for (const tg of listener.targetGroups.map((t) => this.targetGroups.get(t)!).filter((t) => t?.targets.includes(id))) {
        const port = tg.port ?? listener.port;
        const lbProbe = this.memberProbe('lb', lb);
        const admitted = this.admissions((probe) => {
          if (!this.reaches(probe, lb, listener.protocol, listener.port)) return false;
          const forwarded: Probe = tg.preserveClientIp
            ? { ...lbProbe, label: probe.label, ip: probe.ip, prefixLists: probe.prefixLists }
            : lbProbe;
          return this.reaches(forwarded, endpoint, tg.protocol, port);
        });
        result.push(...admitted.map((a) => ({ ...a, via: listener.id })));
      }
    }
    return result;
  }

  /** Whether a DataSync location attaches this group (`sg:<logicalId>`) to its network interfaces. */
  public usedByDataSync(group: string): boolean {
    return group.startsWith('sg:') && Object.values(this.resources).some((r) =>
      String(r.Type).startsWith('AWS::DataSync::Location') && JSON.stringify(r.Properties?.SecurityGroupArns ?? r.Properties?.Ec2Config ?? []).includes(`"${group.slice(3)}"`));
  }

  /** Whether a member of endpoint `fromId` reaches endpoint `toId` on this protocol and port. */
  public canReach(fromId: string, toId: string, protocol: Protocol, port: number): boolean {
    return this.reaches(this.memberProbe(fromId, this.endpoint(fromId)), this.endpoint(toId), protocol, port);
  }

  // ---------------------------------------------------------------- evaluation

  private reaches(probe: Probe, to: Endpoint, protocol: Protocol, port: number): boolean {
    if (probe.external && !to.public) return false;
    return to.subnets.some((subnet) => {
      const ip = this.addressIn(subnet);
      const egressAllows = (g: string) => (this.egress.get(g) ?? []).some((r) => matches(r, protocol, port, ip, to.groups, []));
      if (probe.egressGroups && !probe.egressGroups.some(egressAllows)) return false;
      // ACLs are stateless: the request and the reply (to an ephemeral port) must both pass.
      if (probe.subnet !== subnet) {
        if (probe.subnet && !(this.acl(probe.subnet, true, protocol, port, ip) && this.acl(probe.subnet, false, protocol, EPHEMERAL_PORT, ip))) {
          return false;
        }
        if (!(this.acl(subnet, false, protocol, port, probe.ip) && this.acl(subnet, true, protocol, EPHEMERAL_PORT, probe.ip))) return false;
      }
      const ingressAllows = (g: string) =>
        (this.ingress.get(g) ?? []).some((r) => matches(r, protocol, port, probe.ip, probe.groups, probe.prefixLists));
      return to.groups.length === 0 || to.groups.some(ingressAllows);
    });
  }

  private acl(subnet: string, egress: boolean, protocol: Protocol, port: number, ip: string): boolean {
    const entries = this.subnetAcl.get(subnet);
    if (!entries) return true; // the VPC's default network ACL allows all
    const decisive = entries.filter((e) => e.egress === egress).sort((a, b) => a.ruleNumber - b.ruleNumber).find((e) =>
      (e.protocol === -1 || e.protocol === PROTOCOL_NUMBER[protocol])
      && (e.protocol !== 6 && e.protocol !== 17 || (port >= e.fromPort && port <= e.toPort))
      && cidrContains(e.cidr, ip));
    return decisive?.allow ?? false;
  }

  /** Sources admitted by `pass`, with the narrower sources that a broader admitted one includes left out. */
  private admissions(pass: (probe: Probe) => boolean, target?: Endpoint): Admission[] {
    const passed = new Map(this.probes.filter((p) => !target || !this.onlyMember(target, p.label)).map((p) => [p, pass(p)]));
    const ok = (label: string) => [...passed].some(([p, v]) => v && p.label === label);
    const cidrs = (external: boolean) => [...passed.keys()].filter((p) => p.label.startsWith('cidr:') && p.external === external);
    const refused = (block: string, external: boolean) => cidrs(external)
      .filter((p) => !passed.get(p) && p.label !== `cidr:${block}` && cidrContains(block, p.ip)).map((p) => p.label.slice(5)).sort();
    const result: Admission[] = [];
    if (ok('internet')) {
      result.push({ source: 'internet', except: refused('0.0.0.0/0', true) });
    } else {
      const admitted = cidrs(true).filter((c) => passed.get(c));
      const broadest = admitted.filter((p) =>
        !admitted.some((q) => q !== p && cidrContains(q.label.slice(5), p.ip) && prefixOf(q.label) < prefixOf(p.label)));
      for (const p of broadest) result.push({ source: p.label, except: refused(p.label.slice(5), true) });
      if (ok(CLOUDFRONT_ORIGIN_FACING)) result.push({ source: CLOUDFRONT_ORIGIN_FACING, except: [] });
    }
    if (ok('vpc')) {
      result.push({ source: 'vpc', except: this.vpcCidr ? refused(this.vpcCidr, false) : [] });
    } else {
      for (const p of [...passed.keys()].filter((q) => !q.external && q.label !== 'vpc' && passed.get(q))) {
        result.push({ source: p.label, except: p.label.startsWith('cidr:') ? refused(p.label.slice(5), false) : [] });
      }
    }
    return dedupe(result).sort((a, b) => a.source.localeCompare(b.source));
  }

  /**
   * A group's probe stands for its other members: a single instance or load balancer that is the
   * group's only member has none (an Auto Scaling group, Batch or a file system has several interfaces).
   */
  private onlyMember(endpoint: Endpoint, label: string): boolean {
    return (endpoint.kind === 'instance' || endpoint.kind === 'load-balancer')
      && endpoint.groups.includes(label) && this.endpoints.filter((e) => e.groups.includes(label)).length === 1;
  }

  /** Port ranges over which the endpoint's rules and ACL entries cannot change their answer. */
  private segments(endpoint: Endpoint, protocol: Protocol): [number, number][] {
    if (protocol === 'icmp' || protocol === 'other') return [[-1, -1]];
    const cuts = new Set([0, 65536]);
    const rules = endpoint.groups.flatMap((g) => this.ingress.get(g) ?? []).filter((r) => r.protocol === PROTOCOL_NUMBER[protocol]);
    const acl = endpoint.subnets.flatMap((s) => this.subnetAcl.get(s) ?? []).filter((e) => !e.egress && e.protocol === PROTOCOL_NUMBER[protocol]);
    for (const { fromPort, toPort } of [...rules, ...acl]) { cuts.add(Math.max(fromPort, 0)); cuts.add(Math.min(toPort, 65535) + 1); }
    const sorted = [...cuts].sort((a, b) => a - b);
    return sorted.slice(0, -1).map((from, i) => [from, sorted[i + 1] - 1]);
  }

  // ---------------------------------------------------------------- probes

  private makeProbes(vpcOrigins: [string, Json][]): Probe[] {
    const probes: Probe[] = [];
    const mentioned = new Set<string>();
    for (const rules of [...this.ingress.values()]) for (const r of rules) if (r.cidr) mentioned.add(r.cidr);
    for (const entries of this.subnetAcl.values()) for (const e of entries) mentioned.add(e.cidr);
    const blocks = [...mentioned].map((c) => parseCidr(c)).filter((c): c is Exclude<typeof c, string> => typeof c !== 'string' && c.family === 4 && c.prefixLength > 0);
    const internal = (ip: string) => this.vpcCidr !== undefined && cidrContains(this.vpcCidr, ip);
    const unnamed = (ip: string) => blocks.every((b) => !cidrContains(b.normalized, ip));
    const internetIp = ['52.94.76.10', '3.5.140.2', '18.200.0.1', '100.20.30.40'].find(unnamed);
    if (!internetIp) throw new Error('reachability model: every candidate internet address is inside a CIDR of the template');
    probes.push({ label: 'internet', ip: internetIp, groups: [], prefixLists: [], external: true });
    probes.push({ label: CLOUDFRONT_ORIGIN_FACING, ip: '130.176.0.10', groups: [], prefixLists: [CLOUDFRONT_ORIGIN_FACING], external: true });
    for (const b of blocks) {
      const ip = formatAddress(parseAddressOf(b.normalized), 4);
      probes.push({ label: `cidr:${b.normalized}`, ip, groups: [], prefixLists: [], external: !internal(ip) });
    }
    if (this.vpcCidr) {
      // an address of the VPC outside every subnet of the template: "some other resource in the VPC"
      const vpc = parseCidr(this.vpcCidr);
      if (typeof vpc !== 'string') {
        const top = vpc.address + vpc.size - 6n;
        const ip = formatAddress([...this.subnetCidr.values()].some((s) => cidrContains(s, formatAddress(top, 4))) ? vpc.address + 5n : top, 4);
        probes.push({ label: 'vpc', ip, groups: [], prefixLists: [], external: false });
      }
    }
    const groupKeys = [...this.ingress.keys()].filter((g) => g.startsWith('sg:'));
    for (const group of groupKeys) {
      const member = this.endpoints.find((e) => e.groups.includes(group));
      probes.push(this.memberProbe(group, { subnets: member?.subnets ?? [], groups: [group] }));
    }
    for (const [, origin] of vpcOrigins) {
      const lb = this.endpoints.find((e) => e.id === ref(origin.Properties.VpcOriginEndpointConfig?.Arn));
      const subnet = lb?.subnets[0];
      probes.push({ label: CLOUDFRONT_VPC_ORIGIN, ip: subnet ? this.addressIn(subnet, 200n) : '10.255.255.250', groups: [CLOUDFRONT_VPC_ORIGIN], prefixLists: [], external: false, subnet });
    }
    return probes;
  }

  private memberProbe(label: string, member: { subnets: string[]; groups: string[] }): Probe {
    const subnet = member.subnets[0];
    return {
      label, ip: subnet ? this.addressIn(subnet, 100n) : '10.255.255.251', groups: member.groups, prefixLists: [],
      external: false, subnet, egressGroups: member.groups.length > 0 ? member.groups : undefined,
    };
  }

  // ---------------------------------------------------------------- template reading

  private addEndpoint(id: string, kind: Endpoint['kind'], subnets: string[], groupRefs: Json[], publicIp: boolean, defaultGroupWhenNone = false): void {
    let groups = groupRefs.map((g) => this.groupKey(g));
    if (groups.length === 0 && defaultGroupWhenNone) groups = [VPC_DEFAULT_GROUP];
    this.endpoints.push({ id, kind, subnets, groups, public: publicIp && subnets.length > 0 && subnets.every((s) => this.publicSubnets.has(s)) });
  }

  private launchTemplate(spec: Json): Json {
    if (!spec) return {};
    const id = ref(spec.LaunchTemplateId) ?? Object.entries(this.resources).find(([, r]) => r.Type === 'AWS::EC2::LaunchTemplate' && r.Properties?.LaunchTemplateName === spec.LaunchTemplateName)?.[0];
    return (id && this.resources[id]?.Properties?.LaunchTemplateData) ?? {};
  }

  private mapsPublicIp(subnet: string | undefined): boolean {
    const value = subnet && this.resources[subnet]?.Properties?.MapPublicIpOnLaunch;
    return value === true || value === 'true';
  }

  private addressIn(subnet: string, offset = 10n): string {
    const block = parseCidr(this.subnetCidr.get(subnet) ?? '');
    if (typeof block === 'string') return '10.255.255.252';
    return formatAddress(block.address + (offset < block.size ? offset : 1n), 4);
  }

  private groupKey(value: Json): string {
    const id = ref(value);
    if (id && this.resources[id]?.Type === 'AWS::EC2::SecurityGroup') return `sg:${id}`;
    if (value?.['Fn::GetAtt']?.[1] === 'DefaultSecurityGroup') return VPC_DEFAULT_GROUP;
    if (this.mentions(value, CLOUDFRONT_VPC_ORIGIN_GROUP_NAME)) return CLOUDFRONT_VPC_ORIGIN;
    const name = `unresolved-group:${JSON.stringify(value)}`;
    this.unresolved.push(name);
    return name;
  }

  private rule(x: Json, direction: 'Source' | 'Destination'): Rule {
    const protocol = protocolNumber(x.IpProtocol);
    const all = protocol === -1;
    const base = { protocol, fromPort: all ? -1 : Number(x.FromPort ?? -1), toPort: all ? -1 : Number(x.ToPort ?? -1) };
    if (x.CidrIp !== undefined) return { ...base, cidr: this.cidrValue(x.CidrIp) };
    if (x.CidrIpv6 !== undefined) return { ...base, cidr: '::/128' }; // IPv6: matches no IPv4 probe
    const group = direction === 'Source' ? x.SourceSecurityGroupId ?? x.SourceSecurityGroupName : x.DestinationSecurityGroupId;
    if (group !== undefined) return { ...base, group: this.groupKey(group) };
    const list = direction === 'Source' ? x.SourcePrefixListId : x.DestinationPrefixListId;
    if (list !== undefined) {
      const named = typeof list === 'string' ? this.prefixListIds[list] : undefined;
      if (named === CLOUDFRONT_ORIGIN_FACING_LIST_NAME || this.mentions(list, CLOUDFRONT_ORIGIN_FACING_LIST_NAME)) {
        return { ...base, prefixList: CLOUDFRONT_ORIGIN_FACING };
      }
      const name = `unresolved-prefix-list:${JSON.stringify(list)}`;
      this.unresolved.push(name);
      return { ...base, prefixList: name };
    }
    throw new Error(`reachability model: rule without a peer: ${JSON.stringify(x)}`);
  }

  private cidrValue(value: Json): string {
    if (typeof value === 'string') return value;
    const id = value?.['Fn::GetAtt']?.[0];
    if (id && value['Fn::GetAtt'][1] === 'CidrBlock' && this.resources[id]?.Type === 'AWS::EC2::VPC') return this.resources[id].Properties.CidrBlock;
    this.unresolved.push(`unresolved-cidr:${JSON.stringify(value)}`);
    return '::/128';
  }

  /** Whether a value, or a resource, parameter or mapping it references, mentions `text` (how a looked-up group or prefix list is named). */
  private mentions(value: Json, text: string, depth = 0): boolean {
    const json = JSON.stringify(value ?? null);
    if (json.includes(text)) return true;
    if (depth > 1) return false;
    const referenced = [...json.matchAll(/"(?:Ref|Fn::GetAtt|Fn::FindInMap)":\s*(?:"([^"]+)"|\["([^"]+)")/g)].map((m) => m[1] ?? m[2]);
    return referenced.some((id) => {
      const target = this.resources[id]?.Properties ?? this.template.Parameters?.[id] ?? this.template.Mappings?.[id];
      return target !== undefined && this.mentions(target, text, depth + 1);
    });
  }
}

function matches(rule: Rule, protocol: Protocol, port: number, ip: string, groups: string[], prefixLists: string[]): boolean {
  if (rule.protocol !== -1 && rule.protocol !== PROTOCOL_NUMBER[protocol]) return false;
  if ((protocol === 'tcp' || protocol === 'udp') && rule.protocol !== -1 && !(port >= rule.fromPort && port <= rule.toPort)) return false;
  if (rule.cidr !== undefined) return cidrContains(rule.cidr, ip);
  if (rule.group !== undefined) return groups.includes(rule.group);
  return rule.prefixList !== undefined && prefixLists.includes(rule.prefixList);
}

/** The logical ID a `Ref` or `Fn::GetAtt` points to. */
function ref(value: Json): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return value.Ref ?? value['Fn::GetAtt']?.[0];
}

function protocolNumber(value: Json): number {
  const text = String(value).toLowerCase();
  const named: Record<string, number> = { 'tcp': 6, 'udp': 17, 'icmp': 1, '-1': -1, 'all': -1 };
  return named[text] ?? Number(text);
}

function protocolOf(lbProtocol: string | undefined): Protocol {
  return lbProtocol === 'UDP' ? 'udp' : 'tcp';
}

function parseAddressOf(cidr: string): bigint {
  const parsed = parseCidr(cidr);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed.address;
}

function prefixOf(label: string): number {
  return Number(label.split('/')[1]);
}

function same(a: Admission[], b: Admission[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function dedupe(list: Admission[]): Admission[] {
  const seen = new Set<string>();
  return list.filter((a) => !seen.has(a.source) && seen.add(a.source));
}
