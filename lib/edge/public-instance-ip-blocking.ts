import { RemovalPolicy, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ConfigErrors } from '../private/config-errors';
import { addStatusCheckAlarm } from '../private/edge-alarms';
import { createEdgeLogsBucket, createEdgeVpc, createWebInstance } from '../private/edge-resources';
import { SECURITY_GROUP_DESCRIPTION, pathLabel } from '../private/labels';
import { WebInstancePattern } from '../private/web-instance-pattern';
import { BlocklistNetworkAcl } from './blocklist-network-acl';
import { IpBlocklist } from './ip-blocklist';
import { EdgeInstanceProps } from './edge-instance-props';
import { DEFAULT_PUBLIC_INSTANCE_PORTS, checkPublicInstanceIpBlockingProps } from './validate-public-instance-ip-blocking-props';

/** Properties of a {@link PublicInstanceIpBlocking}. */
export interface PublicInstanceIpBlockingProps extends EdgeInstanceProps {
  /** Clients to block: NACL deny entries on the instance's subnets (and the host firewall, if on). */
  readonly blocklist: IpBlocklist;

  /**
   * Who may connect, in CIDR notation: the security group allows `ports` from these ranges only.
   * `0.0.0.0/0` and `::/0` are refused: put a load balancer in front of a public service
   * ({@link AlbIpBlocking}, {@link NlbIpBlocking}). A range may be a token (e.g. a CfnParameter
   * value), taken as IPv4; the list itself must be literal, because each range becomes its own
   * security group rule.
   */
  readonly allowedCidrs: string[];

  /**
   * TCP ports the security group opens to `allowedCidrs`.
   *
   * @default [80]
   */
  readonly ports?: number[];

  /**
   * Also drop the blocklist on the instance with nftables, configured in user data: a second layer
   * that still holds if the subnet's network ACL is changed. Installs the `nftables` package at boot
   * (the instance reaches the package repository through its public IP).
   *
   * @default false
   */
  readonly hostFirewall?: boolean;

  /**
   * The VPC. The instance goes into its public subnets, whose network ACL association this
   * construct replaces with its own.
   *
   * @default - a new VPC with public subnets in two AZs, no NAT gateway, flow logs to `logsBucket`
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Bucket for the flow logs of a new VPC. Only for a new VPC.
   *
   * @default - a new private, encrypted bucket, logs expire after 90 days, retained
   */
  readonly logsBucket?: s3.IBucket;

}

/**
 * Pattern 1 of blocking an IP address: an EC2 instance with a public IP in a public subnet. The
 * instance sees the client addresses, so blocking works at every layer: network ACL deny entries on
 * its subnets (security groups only allow), a security group allowing only the given ports from the
 * given ranges, and optionally a host firewall.
 *
 * @example
 * new PublicInstanceIpBlocking(this, 'Web', { blocklist, allowedCidrs: ['198.51.100.0/24'] });
 */
export class PublicInstanceIpBlocking extends WebInstancePattern implements ec2.IConnectable {
  /**
   * The shell commands of the host firewall (`hostFirewall: true`): nftables rules dropping the
   * blocklist in both directions, loaded at boot by the nftables service, for Amazon Linux 2023 user
   * data. Interval sets take CIDRs; an empty family gets no set (nft rejects an empty `elements`).
   */
  public static hostFirewallCommands(blocklist: IpBlocklist): string[] {
    const sets: string[] = [];
    const rules: string[] = [];
    for (const [name, type, match, cidrs] of [
      ['blocked_v4', 'ipv4_addr', 'ip', blocklist.ipv4Cidrs],
      ['blocked_v6', 'ipv6_addr', 'ip6', blocklist.ipv6Cidrs],
    ] as const) {
      if (cidrs.length === 0) continue;
      sets.push(`  set ${name} { type ${type}; flags interval; elements = { ${cidrs.join(', ')} } }`);
      rules.push(`${match} saddr @${name} drop`, `${match} daddr @${name} drop`);
    }
    const input = rules.filter((r) => r.includes('saddr')).map((r) => `    ${r}`);
    const output = rules.filter((r) => r.includes('daddr')).map((r) => `    ${r}`);
    const ruleset = [
      'table inet ip_blocklist {',
      ...sets,
      '  chain input {', '    type filter hook input priority filter - 10; policy accept;', ...input, '  }',
      '  chain output {', '    type filter hook output priority filter - 10; policy accept;', ...output, '  }',
      '}',
    ].join('\n');
    return [
      'dnf install -y nftables',
      'mkdir -p /etc/nftables',
      `cat > /etc/nftables/ip-blocklist.nft <<'EOF'\n${ruleset}\nEOF`,
      'grep -q ip-blocklist.nft /etc/sysconfig/nftables.conf || echo \'include "/etc/nftables/ip-blocklist.nft"\' >> /etc/sysconfig/nftables.conf',
      'systemctl enable --now nftables',
      'systemctl restart nftables',
    ];
  }

  /** The VPC. */
  public readonly vpc: ec2.IVpc;
  /** The instance. */
  public readonly instance: ec2.Instance;
  /** The instance's security group: `ports` from `allowedCidrs` only. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The network ACL of the public subnets with the deny entries. */
  public readonly networkAcl: BlocklistNetworkAcl;
  /** The flow-log bucket; undefined when a VPC or a bucket was given. */
  public readonly logsBucket?: s3.IBucket;
  /** The instance's connections. */
  public readonly connections: ec2.Connections;
  /** Alarm: the instance failed its EC2 status check for 3 minutes. */
  public readonly instanceStatusCheckAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PublicInstanceIpBlockingProps) {
    super(scope, id, props.alarmActions);
    const ports = props.ports ?? DEFAULT_PUBLIC_INSTANCE_PORTS;
    const errors = new ConfigErrors('PublicInstanceIpBlocking', this.node.path);
    checkPublicInstanceIpBlockingProps(errors, props);
    errors.throwIfAny();

    if (props.vpc) {
      this.vpc = props.vpc;
    } else {
      this.logsBucket = props.logsBucket
        ?? createEdgeLogsBucket(this, 'Logs', { removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN });
      this.vpc = createEdgeVpc(this, 'Vpc', this.logsBucket, true);
    }
    const subnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PUBLIC };

    this.networkAcl = new BlocklistNetworkAcl(this, 'NetworkAcl', { vpc: this.vpc, subnets, blocklist: props.blocklist });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: this.vpc,
      description: pathLabel(this, `: ${describePorts(ports)} from the allowed ranges only`, SECURITY_GROUP_DESCRIPTION),
      allowAllOutbound: true,
    });
    for (const cidr of props.allowedCidrs) {
      const peer = cidr.includes(':') ? ec2.Peer.ipv6(cidr) : ec2.Peer.ipv4(cidr);
      for (const port of ports) {
        this.securityGroup.addIngressRule(peer, ec2.Port.tcp(port), Token.isUnresolved(cidr) || Token.isUnresolved(port)
          ? 'Allowed clients' : `Allowed clients ${cidr} on ${port}`);
      }
    }

    const firewall = props.hostFirewall ? PublicInstanceIpBlocking.hostFirewallCommands(props.blocklist) : [];
    if (props.userData && firewall.length > 0) {
      props.userData.addCommands(...firewall);
    }
    this.instance = createWebInstance(this, 'Instance', {
      vpc: this.vpc,
      subnets,
      securityGroup: this.securityGroup,
      instanceType: props.instanceType,
      machineImage: props.machineImage,
      userData: props.userData,
      associatePublicIpAddress: true,
      port: ports[0],
      page: 'Public instance: blocked by NACL deny entries before the security group',
      extraCommands: firewall,
    });
    this.connections = this.instance.connections;

    this.instanceStatusCheckAlarm = addStatusCheckAlarm(this, this._alarmSet, this.instance);
  }
}

/** The ports for a security group description, which must be known at synth (no token text in it). */
function describePorts(ports: number[]): string {
  return ports.some((p) => Token.isUnresolved(p)) ? 'the given ports' : `ports ${ports.join(', ')}`;
}
