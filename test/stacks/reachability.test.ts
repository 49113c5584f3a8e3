import { App, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as cr from 'aws-cdk-lib/custom-resources';
import { MissingContext } from 'aws-cdk-lib/cloud-assembly-schema';
import { BastionStack, EXAMPLE_STACKS } from '../../lib/stacks';
import { DEFAULT_EXAMPLE_BLOCKED_CIDRS } from '../../lib/stacks/edge-example-context';
import { CDK_JSON_CONTEXT, testApp } from '../support/app';
import { EXAMPLE_VARIANTS } from '../support/example-variants';
import { SYNTH_TIMEOUT_MS, synthesizedVariant, synthesizeVariants } from '../support/synth-cache';
import { Admission, CLOUDFRONT_ORIGIN_FACING, CLOUDFRONT_VPC_ORIGIN, Endpoint, NetworkModel, PortExposure } from '../support/reachability/model';
import { cidrContains } from '../../lib/private/cidr';

/**
 * Finding 1's class check: who can reach each load balancer listener and each instance, file system
 * and endpoint port of every edge, HA and HPC example stack, in every mode, computed from the
 * synthesized template by the reachability model and compared with what the stack intends.
 */

/** The example stacks whose network this check covers: every variant of these must have an intent. */
const NETWORK_STACKS = ['BlockIpPublicEc2', 'BlockIpAlb', 'BlockIpNlb', 'WafAlb', 'CloudFrontWafAlb', 'CloudFrontWafAlbWebAcl', 'CloudFrontWafAlbAlarms', 'HaInstance', 'Bastion', 'Hpc'];

const BLOCKED_V4 = DEFAULT_EXAMPLE_BLOCKED_CIDRS.filter((c) => !c.includes(':')).sort();
const admit = (source: string, except: string[] = []): Admission => ({ source, except });
/** Any public address except the example blocklist, and (0.0.0.0/0 includes it) anything in the VPC. */
const INTERNET_MINUS_BLOCKLIST = [admit('internet', BLOCKED_V4), admit('vpc')];
const via = (admissions: Admission[], listener: string) => admissions.map((a) => ({ ...a, via: listener }));
const group = (endpoint: Endpoint) => {
  expect(endpoint.groups).toHaveLength(1);
  return endpoint.groups[0];
};

interface Network {
  readonly model: NetworkModel;
  readonly context: Record<string, string>;
  /** The endpoints of one kind (asserting how many there are). */
  one(kind: Endpoint['kind']): Endpoint;
  all(kind: Endpoint['kind']): Endpoint[];
}

/**
 * The intent of each variant. Each one names every endpoint of its stack (`expectOnlyCovered`
 * fails on an endpoint no intent looked at), so a new listener or open port fails the check.
 */
const INTENTS: Record<string, (net: Network) => void> = {
  'BlockIpPublicEc2': ({ model, one, context }) => {
    // the allowed ranges (context allowedCidrs, default 192.0.2.0/24) on port 80, minus the NACL's blocklist
    const allowed = (context.allowedCidrs ?? '192.0.2.0/24').split(',');
    const host = one('instance');
    expect(model.exposure(host.id)).toEqual([{
      protocol: 'tcp', fromPort: 80, toPort: 80,
      sources: allowed.filter((c) => !BLOCKED_V4.some((b) => covers(b, c)))
        .map((c) => admit(`cidr:${c}`, BLOCKED_V4.filter((b) => b !== c && covers(c, b)))).sort((a, b) => a.source.localeCompare(b.source)),
    }]);
    expectOnlyCovered(model, [host]);
  },
  'BlockIpAlb': ({ model, one }) => {
    const [lb, host] = [one('load-balancer'), one('instance')];
    const listener = onlyListener(model, lb, 80);
    expect(model.listenerSources(listener)).toEqual(INTERNET_MINUS_BLOCKLIST);
    expect(model.exposure(host.id)).toEqual([{ protocol: 'tcp', fromPort: 80, toPort: 80, sources: [admit(group(lb))] }]);
    expect(model.throughLoadBalancers(host.id)).toEqual(via(INTERNET_MINUS_BLOCKLIST, listener));
    expectOnlyCovered(model, [lb, host]);
  },
  'BlockIpNlb': ({ model, one }) => {
    const [lb, host] = [one('load-balancer'), one('instance')];
    const listener = onlyListener(model, lb, 80);
    expect(model.listenerSources(listener)).toEqual(INTERNET_MINUS_BLOCKLIST);
    // client IPs reach the instance through the NLB (its group admits the NLB's group, which the clients' packets carry)
    expect(model.exposure(host.id)).toEqual([{ protocol: 'tcp', fromPort: 80, toPort: 80, sources: [admit(group(lb))] }]);
    expect(model.throughLoadBalancers(host.id)).toEqual(via(INTERNET_MINUS_BLOCKLIST, listener));
    expectOnlyCovered(model, [lb, host]);
  },
  'WafAlb': ({ model, one }) => {
    // the web ACL filters at layer 7; the network admits everyone to the ALB and only the ALB to the instance
    const [lb, host] = [one('load-balancer'), one('instance')];
    const listener = onlyListener(model, lb, 80);
    expect(model.listenerSources(listener)).toEqual([admit('internet'), admit('vpc')]);
    expect(model.exposure(host.id)).toEqual([{ protocol: 'tcp', fromPort: 80, toPort: 80, sources: [admit(group(lb))] }]);
    expect(model.throughLoadBalancers(host.id)).toEqual(via([admit('internet'), admit('vpc')], listener));
    expectOnlyCovered(model, [lb, host]);
  },
  'CloudFrontWafAlb': ({ model, one }) => {
    // VPC origin: the internal ALB from CloudFront's VPC-origin service group only, not from the rest of the VPC
    const [lb, host] = [one('load-balancer'), one('instance')];
    expect(lb.public).toBe(false);
    const listener = onlyListener(model, lb, 80);
    expect(model.listenerSources(listener)).toEqual([admit(CLOUDFRONT_VPC_ORIGIN)]);
    expect(model.exposure(host.id)).toEqual([{ protocol: 'tcp', fromPort: 80, toPort: 80, sources: [admit(group(lb))] }]);
    expect(model.throughLoadBalancers(host.id)).toEqual(via([admit(CLOUDFRONT_VPC_ORIGIN)], listener));
    expectOnlyCovered(model, [lb, host]);
  },
  'CloudFrontWafAlb -c cloudFrontOriginMode=public-alb': ({ model, one }) => {
    // public ALB: from CloudFront's origin-facing servers only (managed prefix list); the secret
    // origin header that keeps out other distributions is layer 7, outside this model
    const [lb, host] = [one('load-balancer'), one('instance')];
    expect(lb.public).toBe(true);
    const listeners = model.listeners.filter((l) => l.loadBalancer === lb.id);
    expect(listeners.length).toBeGreaterThan(0);
    for (const listener of listeners) expect(model.listenerSources(listener.id)).toEqual([admit(CLOUDFRONT_ORIGIN_FACING)]);
    const exposure = model.exposure(host.id);
    expect(exposure.length).toBeGreaterThan(0);
    for (const e of exposure) expect(e.sources).toEqual([admit(group(lb))]);
    expect(new Set(model.throughLoadBalancers(host.id).map((a) => a.source))).toEqual(new Set([CLOUDFRONT_ORIGIN_FACING]));
    expectOnlyCovered(model, [lb, host]);
  },
  'CloudFrontWafAlbWebAcl': ({ model }) => {
    expect(model.endpoints).toEqual([]);
  },
  // count-only WAF changes what the web ACL does with requests, not who reaches what
  'WafAlb -c wafCountOnly=true': (net) => INTENTS.WafAlb(net),
  'CloudFrontWafAlbWebAcl -c wafCountOnly=true': (net) => INTENTS.CloudFrontWafAlbWebAcl(net),
  // the distribution's alarms in us-east-1: monitoring only, nothing reachable
  'CloudFrontWafAlbAlarms': ({ model }) => {
    expect(model.endpoints).toEqual([]);
  },
  'HaInstance': ({ model, one }) => {
    // no inbound rules: Session Manager only
    const host = one('auto-scaling-group');
    expect(model.exposure(host.id)).toEqual([]);
    expectOnlyCovered(model, [host]);
  },
  'HaInstance -c haInstanceMode=eip': (net) => INTENTS.HaInstance(net),
  'Bastion': ({ model, one }) => {
    // Session Manager only: port 22 from the allowed CIDRs, and the example allows none
    const host = one('auto-scaling-group');
    expect(model.exposure(host.id)).toEqual([]);
    expectOnlyCovered(model, [host]);
  },
  'Bastion -c bastionMode=nlb': ({ model, one, all }) => {
    const [lb, hosts] = [one('load-balancer'), one('auto-scaling-group')];
    const listener = onlyListener(model, lb, 22);
    expect(model.listenerSources(listener)).toEqual([]);
    expect(model.exposure(hosts.id)).toEqual([{ protocol: 'tcp', fromPort: 22, toPort: 22, sources: [admit(group(lb))] }]);
    expect(model.throughLoadBalancers(hosts.id)).toEqual([]);
    // the SSM and Logs interface endpoints: HTTPS from the bastion hosts only
    const endpoints = all('vpc-endpoint');
    for (const endpoint of endpoints) {
      expect(model.exposure(endpoint.id)).toEqual([{ protocol: 'tcp', fromPort: 443, toPort: 443, sources: [admit(group(hosts))] }]);
      expect(model.canReach(hosts.id, endpoint.id, 'tcp', 443)).toBe(true);
    }
    expectOnlyCovered(model, [lb, hosts, ...endpoints]);
  },
  'Hpc': ({ model, all }) => {
    // nodes (the EFA group's instances; Batch's multi-node containers): all traffic within each set (EFA
    // and MPI need it), Lustre ports (TCP 988, 1018-1023) between the instances and the file system
    // (Batch hosts mount it for their containers), nothing else
    const nodes = [...all('auto-scaling-group'), ...all('batch')];
    const fileSystems = all('fsx');
    expect(nodes.length).toBeGreaterThan(1);
    expect(fileSystems).toHaveLength(1);
    const nodeGroups = new Set(nodes.flatMap((n) => n.groups));
    const fsGroups = new Set(fileSystems.flatMap((f) => f.groups));
    const lustre = (e: PortExposure) => e.protocol === 'tcp' && (e.fromPort === 988 && e.toPort === 988 || e.fromPort >= 1018 && e.toPort <= 1023);
    const problems: string[] = [];
    for (const node of nodes) {
      for (const e of model.exposure(node.id)) {
        for (const s of e.sources.filter((x) => !nodeGroups.has(x.source) && !(fsGroups.has(x.source) && lustre(e)))) {
          problems.push(`${node.id} admits ${s.source} on ${e.protocol} ${e.fromPort}-${e.toPort}`);
        }
      }
      for (const [protocol, ports] of [['tcp', [1, 22, 988, 1023, 5000, 65535]], ['udp', [1, 65535]], ['icmp', [-1]], ['other', [-1]]] as const) {
        const refused = ports.filter((port) => !model.canReach(node.id, node.id, protocol, port));
        if (refused.length > 0) problems.push(`${node.id} cannot reach its own members on ${protocol} ${refused.join(',')}`);
      }
    }
    for (const fs of fileSystems) {
      for (const e of model.exposure(fs.id)) {
        if (!lustre(e)) problems.push(`${fs.id} is open on ${e.protocol} ${e.fromPort}-${e.toPort} (not a Lustre port)`);
        for (const s of e.sources.filter((x) => !nodeGroups.has(x.source) && !fsGroups.has(x.source) && !model.usedByDataSync(x.source))) {
          problems.push(`${fs.id} admits ${s.source} on ${e.protocol} ${e.fromPort}-${e.toPort}`);
        }
      }
      for (const node of all('auto-scaling-group')) {
        const refused = [988, 1018, 1023].filter((port) => !model.canReach(node.id, fs.id, 'tcp', port));
        if (refused.length > 0) problems.push(`${node.id} cannot reach ${fs.id} on tcp ${refused.join(',')}`);
      }
    }
    // anything else from the nodes only (EFS mount targets); interface endpoints may also take HTTPS
    // from the VPC (aws-cdk-lib's default), since they only front AWS APIs that IAM guards
    const httpsFromVpc = (endpoint: Endpoint, e: PortExposure, source: string) =>
      endpoint.kind === 'vpc-endpoint' && source === 'vpc' && e.protocol === 'tcp' && e.fromPort === 443 && e.toPort === 443;
    for (const endpoint of model.endpoints.filter((e) => !nodes.includes(e) && !fileSystems.includes(e))) {
      for (const e of model.exposure(endpoint.id)) {
        const unexpected = e.sources.filter((x) =>
          !nodeGroups.has(x.source) && !endpoint.groups.includes(x.source) && !httpsFromVpc(endpoint, e, x.source));
        for (const s of unexpected) {
          problems.push(`${endpoint.id} admits ${s.source} on ${e.protocol} ${e.fromPort}-${e.toPort}`);
        }
      }
    }
    expect(problems).toEqual([]);
  },
};

/** Whether CIDR `outer` contains all of CIDR `inner`. */
function covers(outer: string, inner: string): boolean {
  const [network, prefix] = inner.split('/');
  return Number(outer.split('/')[1]) <= Number(prefix) && cidrContains(outer, network);
}

function onlyListener(model: NetworkModel, lb: Endpoint, port: number): string {
  const listeners = model.listeners.filter((l) => l.loadBalancer === lb.id);
  expect(listeners.map((l) => l.port)).toEqual([port]);
  return listeners[0].id;
}

/** Every endpoint outside `covered` has no exposure at all (a new open port fails the intent). */
function expectOnlyCovered(model: NetworkModel, covered: Endpoint[]): void {
  const others = model.endpoints.filter((e) => !covered.includes(e));
  expect(others.map((e) => ({ id: e.id, exposure: model.exposure(e.id) }))).toEqual(others.map((e) => ({ id: e.id, exposure: [] })));
}

/** Builds a variant: one of EXAMPLE_VARIANTS, or `Stack -c key=value ...` from EXAMPLE_STACKS (a mode not listed yet). */
function buildVariant(key: string): { stack: Stack; context: Record<string, string> } {
  const listed = EXAMPLE_VARIANTS[key];
  const [stackName, ...options] = key.split(' -c ');
  const context = listed?.context ?? Object.fromEntries(options.map((o) => o.split('=') as [string, string]));
  const app: App = testApp({ context });
  const stack = listed ? listed.build(app) : EXAMPLE_STACKS[stackName].build(app, stackName);
  return { stack, context };
}

/**
 * Prefix list IDs the app looked up by name (`ec2.PrefixList.fromLookup`): from the context, or the
 * lookup's placeholder ID when the context is missing (as in tests).
 */
function lookedUpPrefixLists(missingContext: readonly MissingContext[], context: Record<string, unknown>): Record<string, string> {
  const names: Record<string, string> = {};
  for (const missing of missingContext) {
    const name = (missing.props as { propertyMatch?: { PrefixListName?: string } }).propertyMatch?.PrefixListName;
    if (name) names['pl-xxxxxxxx'] = name;
  }
  for (const [key, value] of Object.entries(context)) {
    const name = /PrefixListName=([^:]+)/.exec(key)?.[1];
    const id = Array.isArray(value) ? value[0]?.PrefixListId : undefined;
    if (name && id) names[id] = name;
  }
  return names;
}

function network(stack: Stack, context: Record<string, string>): Network {
  const missing = (Stage.of(stack) as App).synth().manifest.missing ?? [];
  return networkOf(Template.fromStack(stack).toJSON(), context, lookedUpPrefixLists(missing, stack.node.getAllContext()));
}

/** The network of a listed variant as the harness synthesized it (shared with the other example-stack tests). */
function synthesizedNetwork(key: string): Network {
  const synthesized = synthesizedVariant(key);
  const context = EXAMPLE_VARIANTS[key].context;
  return networkOf(synthesized.template.toJSON(), context, lookedUpPrefixLists(synthesized.missing, { ...CDK_JSON_CONTEXT, ...context }));
}

/** A listed variant's template as the harness synthesized it, to edit into a broken or fixed copy. */
function synthesizedTemplate(key: string): { template: any; context: Record<string, string> } {
  return { template: structuredClone(synthesizedVariant(key).template.toJSON()), context: EXAMPLE_VARIANTS[key].context };
}

function networkOf(template: object, context: Record<string, string>, prefixListNames: Record<string, string>): Network {
  const model = NetworkModel.fromTemplate(template, { prefixListNames });
  expect(model.unresolved).toEqual([]);
  const all = (kind: Endpoint['kind']) => model.endpoints.filter((e) => e.kind === kind);
  return {
    model, context, all,
    one: (kind) => {
      expect(all(kind).map((e) => e.kind)).toEqual([kind]);
      return all(kind)[0];
    },
  };
}

describe('reachability of the example stacks', () => {
  beforeAll(() => synthesizeVariants(Object.keys(INTENTS)), SYNTH_TIMEOUT_MS);

  const networkVariants = Object.keys(EXAMPLE_VARIANTS).filter((key) => NETWORK_STACKS.includes(EXAMPLE_VARIANTS[key].stackName));

  test('every edge, HA and HPC variant has an intent', () => {
    expect(networkVariants.filter((key) => !INTENTS[key])).toEqual([]);
    expect(NETWORK_STACKS.filter((name) => !networkVariants.some((key) => EXAMPLE_VARIANTS[key].stackName === name))).toEqual([]);
  });

  test.each(Object.keys(INTENTS))('%s', (key) => {
    INTENTS[key](synthesizedNetwork(key));
  });

  test('BlockIpPublicEc2 -c allowedCidrs=198.51.100.0/24,203.0.113.128/25: the allowed ranges minus the blocklist', () => {
    // 198.51.100.66/32 and 203.0.113.0/24 are blocked: the first range loses one address, the second all of it
    const { stack, context } = buildVariant('BlockIpPublicEc2 -c allowedCidrs=198.51.100.0/24,203.0.113.128/25');
    const net = network(stack, context);
    INTENTS.BlockIpPublicEc2(net);
    expect(net.model.exposure(net.one('instance').id)[0].sources).toEqual([admit('cidr:198.51.100.0/24', ['198.51.100.66/32'])]);
  });

  test.each(['eip', 'nlb'])('Bastion -c bastionMode=%s with allowSshFrom(198.51.100.0/24): port 22 from that range only', (mode) => {
    const app = testApp({ context: { bastionMode: mode } });
    const stack = new BastionStack(app, 'Bastion');
    stack.bastion.allowSshFrom(ec2.Peer.ipv4('198.51.100.0/24'));
    const { model, one } = network(stack, {});
    const hosts = one('auto-scaling-group');
    if (mode === 'eip') {
      expect(model.exposure(hosts.id)).toEqual([{ protocol: 'tcp', fromPort: 22, toPort: 22, sources: [admit('cidr:198.51.100.0/24')] }]);
    } else {
      const listener = onlyListener(model, one('load-balancer'), 22);
      expect(model.listenerSources(listener)).toEqual([admit('cidr:198.51.100.0/24')]);
      expect(model.throughLoadBalancers(hosts.id)).toEqual(via([admit('cidr:198.51.100.0/24')], listener));
    }
  });

  /** The CloudFrontWafAlb template with its ALB group's ingress replaced by `ingress`. */
  function cloudFrontWafAlbWith(ingress: unknown[], extraResources: Record<string, unknown> = {}): Network {
    const { template, context } = synthesizedTemplate('CloudFrontWafAlb');
    const lbId = Object.keys(template.Resources).find((id) => template.Resources[id].Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer')!;
    const lbGroupId = template.Resources[lbId].Properties.SecurityGroups[0]['Fn::GetAtt'][0];
    for (const [id, r] of Object.entries<any>(template.Resources)) {
      if (r.Type === 'AWS::EC2::SecurityGroupIngress' && JSON.stringify(r.Properties.GroupId).includes(lbGroupId)) delete template.Resources[id];
    }
    template.Resources[lbGroupId].Properties.SecurityGroupIngress = ingress;
    Object.assign(template.Resources, extraResources);
    const model = NetworkModel.fromTemplate(template);
    const all = (kind: Endpoint['kind']) => model.endpoints.filter((e) => e.kind === kind);
    return { model, context, all, one: (kind) => all(kind)[0] };
  }

  test('fails on a copy of CloudFrontWafAlb\'s old rule: an internal ALB admitting the VPC CIDR behind a VPC origin', () => {
    const net = cloudFrontWafAlbWith([{ CidrIp: '10.0.0.0/16', IpProtocol: 'tcp', FromPort: 80, ToPort: 80, Description: 'CloudFront VPC origin (inside the VPC) on 80' }]);
    // the whole VPC reaches the ALB, bypassing the web ACL and the geo restriction
    expect(() => INTENTS.CloudFrontWafAlb(net)).toThrow(/cloudfront-vpc-origin/);
    expect(net.model.listenerSources(net.model.listeners[0].id)).toEqual([admit('vpc')]);
  });

  test('passes on a copy whose ALB admits only the VPC-origin service group (the intent can be met)', () => {
    const net = cloudFrontWafAlbWith(
      [{ SourceSecurityGroupId: { 'Fn::GetAtt': ['GetServiceGroup', 'SecurityGroups.0.GroupId'] }, IpProtocol: 'tcp', FromPort: 80, ToPort: 80 }],
      { GetServiceGroup: { Type: 'Custom::AWS', Properties: { Create: '{"action":"describeSecurityGroups","parameters":{"Filters":[{"Name":"group-name","Values":["CloudFront-VPCOrigins-Service-SG"]}]}}' } } },
    );
    INTENTS.CloudFrontWafAlb(net);
  });

  test('recognises the origin-facing prefix list looked up with ec2.PrefixList.fromLookup', () => {
    const app = testApp();
    const stack = new Stack(app, 'Lookup', { env: { account: '123456789012', region: 'eu-west-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
    alb.addListener('Http', { port: 80, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(200) });
    alb.connections.allowFrom(ec2.PrefixList.fromLookup(stack, 'OriginFacing', { prefixListName: 'com.amazonaws.global.cloudfront.origin-facing' }), ec2.Port.tcp(80));
    const { model, one } = network(stack, {});
    expect(model.listenerSources(onlyListener(model, one('load-balancer'), 80))).toEqual([admit(CLOUDFRONT_ORIGIN_FACING)]);
  });

  test('recognises the VPC-origin service group found as aws-cdk-lib\'s cloudfront-origins README shows', () => {
    const app = testApp();
    const stack = new Stack(app, 'VpcOrigin', { env: { account: '123456789012', region: 'eu-west-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: false, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    alb.addListener('Http', { port: 80, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(200) });
    const distribution = new cloudfront.Distribution(stack, 'Cdn', { defaultBehavior: { origin: origins.VpcOrigin.withApplicationLoadBalancer(alb) } });
    const getSg = new cr.AwsCustomResource(stack, 'GetSecurityGroup', {
      onCreate: {
        service: 'ec2', action: 'describeSecurityGroups',
        parameters: { Filters: [{ Name: 'vpc-id', Values: [vpc.vpcId] }, { Name: 'group-name', Values: ['CloudFront-VPCOrigins-Service-SG'] }] },
        physicalResourceId: cr.PhysicalResourceId.of('CloudFront-VPCOrigins-Service-SG'),
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
    });
    getSg.node.addDependency(distribution);
    alb.connections.allowFrom(ec2.SecurityGroup.fromSecurityGroupId(stack, 'VpcOriginsSg', getSg.getResponseField('SecurityGroups.0.GroupId')), ec2.Port.tcp(80));
    const { model, one } = network(stack, {});
    expect(model.listenerSources(onlyListener(model, one('load-balancer'), 80))).toEqual([admit(CLOUDFRONT_VPC_ORIGIN)]);
  });

  test('fails when a stack opens a port beyond its intent (an extra listener on BlockIpAlb)', () => {
    const { stack, context } = buildVariant('BlockIpAlb');
    const alb = stack.node.findAll().find((c): c is elbv2.ApplicationLoadBalancer => c instanceof elbv2.ApplicationLoadBalancer)!;
    alb.addListener('Extra', { port: 8080, open: true, defaultAction: elbv2.ListenerAction.fixedResponse(200) });
    expect(() => INTENTS.BlockIpAlb(network(stack, context))).toThrow();
  });

  test('Hpc passes on a copy whose Batch compute environment keeps the node security group (the intent can be met)', () => {
    const { template, context } = synthesizedTemplate('Hpc');
    const nodeGroup = NetworkModel.fromTemplate(template).endpoints.find((e) => e.kind === 'auto-scaling-group')!.groups[0].slice('sg:'.length);
    for (const r of Object.values<any>(template.Resources)) {
      if (r.Type === 'AWS::Batch::ComputeEnvironment') r.Properties.ComputeResources.SecurityGroupIds = [{ 'Fn::GetAtt': [nodeGroup, 'GroupId'] }];
    }
    const model = NetworkModel.fromTemplate(template);
    const all = (kind: Endpoint['kind']) => model.endpoints.filter((e) => e.kind === kind);
    INTENTS.Hpc({ model, context, all, one: (kind) => all(kind)[0] });
  });

  test('fails when a node group loses its self-referencing rule (Hpc)', () => {
    const { template, context } = synthesizedTemplate('Hpc');
    for (const [id, r] of Object.entries<any>(template.Resources)) {
      if (r.Type === 'AWS::EC2::SecurityGroupIngress' && r.Properties.IpProtocol === '-1') delete template.Resources[id];
    }
    const model = NetworkModel.fromTemplate(template);
    const all = (kind: Endpoint['kind']) => model.endpoints.filter((e) => e.kind === kind);
    const nodes = all('auto-scaling-group');
    expect(model.canReach(nodes[0].id, nodes[0].id, 'udp', 1)).toBe(false);
    expect(() => INTENTS.Hpc({ model, context, all, one: (kind) => all(kind)[0] })).toThrow(new RegExp(`${nodes[0].id} cannot reach its own members on udp`));
  });
});
