import { Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { ConfigErrors } from '../private/config-errors';
import { IpBlocklist } from './ip-blocklist';
import {
  DEFAULT_ALLOW_RULE_NUMBER, DEFAULT_FIRST_RULE_NUMBER, Direction, checkBlocklistNetworkAclProps, checkRuleNumberCollisions, warnAboveRuleQuota,
} from './validate-blocklist-network-acl-props';

/** Properties of a {@link BlocklistNetworkAcl}. */
export interface BlocklistNetworkAclProps {
  /** The ranges to deny. */
  readonly blocklist: IpBlocklist;

  /**
   * The VPC of the new network ACL. Required unless `networkAcl` is given.
   *
   * @default - none
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets the new network ACL is associated with. A subnet has exactly one network ACL, so this
   * replaces their current association (usually the VPC's default ACL).
   *
   * @default - the public subnets of `vpc`
   */
  readonly subnets?: ec2.SubnetSelection;

  /**
   * An existing network ACL to add the deny entries to. Its own allow entries must have higher rule
   * numbers than the deny entries (NACLs apply the lowest matching rule number), which cannot be
   * checked here: choose `firstRuleNumber` accordingly.
   *
   * @default - a new network ACL: the deny entries, then allow-all entries, so that security
   * groups do the allow-listing
   */
  readonly networkAcl?: ec2.INetworkAcl;

  /**
   * Rule number of the first deny entry; the others follow one by one (IPv4 first, then IPv6).
   * Must be literal: the numbers of the other entries are computed from it.
   *
   * @default 100
   */
  readonly firstRuleNumber?: number;

  /**
   * Rule number of the allow-all IPv4 entry of a new network ACL (the IPv6 one takes the next
   * number). Must be above every deny entry, and literal. Only for a new network ACL.
   *
   * @default 32000
   */
  readonly allowRuleNumber?: number;

  /**
   * Also deny outbound traffic to the listed ranges, so an instance cannot be made to connect to them
   * (and replies to a blocked address are dropped even if a rule upstream lets its packets in).
   *
   * @default true
   */
  readonly blockOutbound?: boolean;
}

/** Rule numbers taken on each network ACL in this app, per direction, to refuse collisions at synth. */
const TAKEN_RULE_NUMBERS = new WeakMap<ec2.INetworkAcl, Record<Direction, Map<number, string>>>();

/**
 * Network ACL deny entries for an {@link IpBlocklist}, numbered before the allow entries, on a new
 * network ACL associated with the given subnets or on an existing one.
 *
 * A network ACL sees the source address of the packets that cross the subnet boundary: a public
 * instance's and an NLB's clients, but only the CloudFront or ALB addresses behind a proxy.
 * NACLs are stateless, so every entry is written for one direction.
 *
 * @example
 * new BlocklistNetworkAcl(this, 'Blocklist', { vpc, blocklist, subnets: { subnetType: ec2.SubnetType.PUBLIC } });
 */
export class BlocklistNetworkAcl extends Construct {
  /** The network ACL holding the entries (new or the given one). */
  public readonly networkAcl: ec2.INetworkAcl;
  /** The deny entries, in rule-number order (inbound then outbound). */
  public readonly denyEntries: ec2.NetworkAclEntry[] = [];
  /** The allow-all entries of a new network ACL; empty for an existing one. */
  public readonly allowEntries: ec2.NetworkAclEntry[] = [];

  constructor(scope: Construct, id: string, props: BlocklistNetworkAclProps) {
    super(scope, id);
    const first = props.firstRuleNumber ?? DEFAULT_FIRST_RULE_NUMBER;
    const allow = props.allowRuleNumber ?? DEFAULT_ALLOW_RULE_NUMBER;
    const cidrs = props.blocklist.cidrs;
    const directions: Direction[] = props.blockOutbound ?? true ? ['inbound', 'outbound'] : ['inbound'];

    const errors = new ConfigErrors('BlocklistNetworkAcl', this.node.path);
    const ruleCounts = checkBlocklistNetworkAclProps(errors, props);
    errors.throwIfAny();

    this.networkAcl = props.networkAcl ?? new ec2.NetworkAcl(this, 'Resource', {
      vpc: props.vpc!,
      subnetSelection: props.subnets ?? { subnetType: ec2.SubnetType.PUBLIC },
    });

    const taken = TAKEN_RULE_NUMBERS.get(this.networkAcl) ?? { inbound: new Map(), outbound: new Map() };
    const planned: Array<{ direction: Direction; ruleNumber: number; cidr?: string }> = [];
    const allDirections: Direction[] = ['inbound', 'outbound'];
    for (const direction of allDirections) {
      if (directions.includes(direction)) {
        cidrs.forEach((cidr, i) => planned.push({ direction, ruleNumber: first + i, cidr }));
      }
      if (!props.networkAcl) {
        planned.push({ direction, ruleNumber: allow }, { direction, ruleNumber: allow + 1 });
      }
    }
    const collisions = new ConfigErrors('BlocklistNetworkAcl', this.node.path);
    checkRuleNumberCollisions(collisions, first, planned, taken);
    collisions.throwIfAny();
    for (const p of planned) taken[p.direction].set(p.ruleNumber, this.node.path);
    TAKEN_RULE_NUMBERS.set(this.networkAcl, taken);

    // IDs are positional on purpose: entry i keeps rule number first + i, so editing the list
    // updates CIDRs in place. CloudFormation replaces an entry whose rule number changes and the
    // new one would collide with the old one's number.
    for (const direction of allDirections) {
      const traffic = direction === 'inbound' ? ec2.TrafficDirection.INGRESS : ec2.TrafficDirection.EGRESS;
      const prefix = direction === 'inbound' ? 'DenyInbound' : 'DenyOutbound';
      (directions.includes(direction) ? cidrs : []).forEach((cidr, i) => {
        this.denyEntries.push(new ec2.NetworkAclEntry(this, `${prefix}${i + 1}`, {
          networkAcl: this.networkAcl,
          ruleNumber: first + i,
          cidr: cidr.includes(':') ? ec2.AclCidr.ipv6(cidr) : ec2.AclCidr.ipv4(cidr),
          traffic: ec2.AclTraffic.allTraffic(),
          direction: traffic,
          ruleAction: ec2.Action.DENY,
        }));
      });
      if (!props.networkAcl) {
        const allowPrefix = direction === 'inbound' ? 'AllowInbound' : 'AllowOutbound';
        this.allowEntries.push(
          new ec2.NetworkAclEntry(this, `${allowPrefix}Ipv4`, {
            networkAcl: this.networkAcl, ruleNumber: allow, cidr: ec2.AclCidr.anyIpv4(),
            traffic: ec2.AclTraffic.allTraffic(), direction: traffic, ruleAction: ec2.Action.ALLOW,
          }),
          new ec2.NetworkAclEntry(this, `${allowPrefix}Ipv6`, {
            networkAcl: this.networkAcl, ruleNumber: allow + 1, cidr: ec2.AclCidr.anyIpv6(),
            traffic: ec2.AclTraffic.allTraffic(), direction: traffic, ruleAction: ec2.Action.ALLOW,
          }),
        );
      }
    }

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-VPC3',
      reason: 'Security groups can only allow traffic, so denying a client address needs a network ACL deny entry: that is the purpose of this construct. Its new network ACL ends in allow-all entries, leaving allow-listing to the security groups.',
    });

    warnAboveRuleQuota(this, directions, ruleCounts);

    if (!props.networkAcl) {
      this.node.addValidation({ validate: () => this.validateSubnetAssociations() });
    }
  }

  /**
   * A subnet has exactly one network ACL: when two constructs associate theirs with the same subnet,
   * CloudFormation silently keeps whichever association it makes last, and the other blocklist is
   * not applied. Refused at synth, for every association in this stack.
   */
  private validateSubnetAssociations(): string[] {
    const stack = Stack.of(this);
    const owners = new Map<string, Set<string>>();
    for (const c of stack.node.findAll()) {
      if (!(c instanceof ec2.CfnSubnetNetworkAclAssociation)) continue;
      const subnet = JSON.stringify(stack.resolve(c.subnetId));
      const owner = c.node.scope?.node.path ?? c.node.path;
      owners.set(subnet, (owners.get(subnet) ?? new Set()).add(owner));
    }
    const mine = this.node.findAll().filter((c): c is ec2.CfnSubnetNetworkAclAssociation => c instanceof ec2.CfnSubnetNetworkAclAssociation);
    const problems: string[] = [];
    for (const association of mine) {
      const subnet = JSON.stringify(stack.resolve(association.subnetId));
      const others = [...owners.get(subnet) ?? []].filter((o) => !o.startsWith(`${this.node.path}/`));
      if (others.length > 0) {
        problems.push(`BlocklistNetworkAcl at '${this.node.path}': subnet ${subnet} is also associated with the network ACL of ${others.map((o) => `'${o}'`).join(', ')}; a subnet has exactly one network ACL, so only one of them would apply. Fix: give each pattern its own VPC or subnets, or block with one network ACL (pass networkAcl to the second BlocklistNetworkAcl, with a firstRuleNumber after the first one's entries).`);
      }
    }
    return problems;
  }
}
