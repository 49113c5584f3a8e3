import { Annotations, Aws, CfnCondition, CfnMapping, CfnResource, Duration, Fn, Names, RemovalPolicy, Stack, Token, Tokenization, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BlocklistNetworkAcl } from '../edge/blocklist-network-acl';
import type { EdgeInstanceProps } from '../edge/edge-instance-props';
import type { IpBlocklist } from '../edge/ip-blocklist';
import { SECURITY_GROUP_DESCRIPTION, TAG_VALUE, fitLabel, pathLabel } from './labels';
import { amazonLinux2023AtDeploy, encryptedGp3Root } from './ec2-building-blocks';

/**
 * The retained log bucket of the edge patterns (ALB/NLB access logs, VPC flow logs). SSE-S3,
 * because ALB access logs support no other encryption; log delivery is granted by bucket policy
 * (aws-cdk-lib's `logAccessLogs`), so ACLs stay disabled unless `acls` is set: CloudFront's
 * standard (legacy) logging writes through an ACL grant to the awslogsdelivery account.
 */
export function createEdgeLogsBucket(scope: Construct, id: string, options: {
  readonly removalPolicy: RemovalPolicy;
  readonly acls?: boolean;
  readonly expiration?: Duration;
}): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    encryption: s3.BucketEncryption.S3_MANAGED,
    objectOwnership: options.acls ? s3.ObjectOwnership.BUCKET_OWNER_PREFERRED : s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: options.removalPolicy,
    lifecycleRules: [{ id: 'ExpireLogs', expiration: options.expiration ?? Duration.days(90) }],
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'This bucket only receives access and flow logs written by AWS log delivery; server access logging of it would log its own deliveries into another bucket to no benefit. Logs expire after 90 days.',
  });
  return bucket;
}

/** CIDR range of the VPCs the edge patterns create (a literal, so rules that use it stay checkable). */
export const EDGE_VPC_CIDR = '10.0.0.0/16';

/**
 * A VPC for the edge patterns: public (and, unless `publicOnly`, isolated) subnets in two AZs, no
 * NAT gateway (isolated instances need no internet), flow logs to S3 so blocked packets show as REJECT.
 */
export function createEdgeVpc(scope: Construct, id: string, logsBucket: s3.IBucket, publicOnly = false): ec2.Vpc {
  return new ec2.Vpc(scope, id, {
    ipAddresses: ec2.IpAddresses.cidr(EDGE_VPC_CIDR),
    maxAzs: 2,
    natGateways: 0,
    restrictDefaultSecurityGroup: true,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
      ...(publicOnly ? [] : [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }]),
    ],
    flowLogs: {
      FlowLogs: { destination: ec2.FlowLogDestination.toS3(logsBucket, 'vpc-flow-logs/'), trafficType: ec2.FlowLogTrafficType.ALL },
    },
  });
}

/**
 * The base of the load-balancer blocking patterns: the log bucket (unless given), the VPC (unless given)
 * and the blocklist's network ACL on its public subnets, where the load balancer goes.
 */
export function createBlockedPublicSubnets(scope: Construct, props: {
  readonly blocklist: IpBlocklist;
  readonly vpc?: ec2.IVpc;
  readonly logsBucket?: s3.IBucket;
  readonly removalPolicy?: RemovalPolicy;
}): { logsBucket: s3.IBucket; vpc: ec2.IVpc; publicSubnets: ec2.SubnetSelection; networkAcl: BlocklistNetworkAcl } {
  const logsBucket = props.logsBucket ?? createEdgeLogsBucket(scope, 'Logs', { removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN });
  const vpc = props.vpc ?? createEdgeVpc(scope, 'Vpc', logsBucket);
  const publicSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PUBLIC };
  const networkAcl = new BlocklistNetworkAcl(scope, 'NetworkAcl', { vpc, subnets: publicSubnets, blocklist: props.blocklist });
  return { logsBucket, vpc, publicSubnets, networkAcl };
}

/**
 * `port N` for descriptions, or 'the given port' when the port is a token (a CfnParameter): security
 * group descriptions are fitted to EC2's character set, which would garble a token's text.
 */
export function portLabel(port: number): string {
  return Token.isUnresolved(port) ? 'the given port' : `port ${port}`;
}

/** The port number for rule descriptions, or 'the given port' when it is a token. */
export function portText(port: number): string {
  return Token.isUnresolved(port) ? 'the given port' : String(port);
}

/** Options of {@link createWebInstance}. */
export interface WebInstanceOptions {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly instanceType?: ec2.InstanceType;
  readonly machineImage?: ec2.IMachineImage;
  readonly userData?: ec2.UserData;
  readonly associatePublicIpAddress?: boolean;
  /** TCP port of the demo web server. */
  readonly port: number;
  /** Text of the demo page. */
  readonly page: string;
  /** Extra user-data commands run before the server starts (e.g. a host firewall). */
  readonly extraCommands?: string[];
}

/** Default instance type of the edge patterns: the smallest Graviton instance. */
export const DEFAULT_INSTANCE_TYPE = ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO);

/**
 * An EC2 instance with IMDSv2 required and an encrypted gp3 root volume. Unless `userData` is given,
 * it serves a static page with Python's built-in HTTP server (part of Amazon Linux 2023), which
 * needs no package download, so it works in isolated subnets without a NAT gateway.
 */
export function createWebInstance(scope: Construct, id: string, options: WebInstanceOptions): ec2.Instance {
  const userData = options.userData ?? webServerUserData(options.port, options.page, options.extraCommands ?? []);
  const instanceType = options.instanceType ?? DEFAULT_INSTANCE_TYPE;
  const instance = new ec2.Instance(scope, id, {
    vpc: options.vpc,
    vpcSubnets: options.subnets,
    securityGroup: options.securityGroup,
    instanceType,
    // ec2.Instance tags itself and its role with Name = its path by default; IAM refuses some path characters.
    instanceName: pathLabel(instanceScope(scope, id), '', TAG_VALUE),
    machineImage: options.machineImage ?? amazonLinux2023AtDeploy(scope, instanceType),
    userData,
    userDataCausesReplacement: true,
    associatePublicIpAddress: options.associatePublicIpAddress,
    blockDevices: [encryptedGp3Root(8)],
  });
  requireImdsv2(instance);
  Validations.of(instance).acknowledge({
    id: 'AwsSolutions-EC29',
    reason: 'A stateless demo web server: it holds no data and user data rebuilds it, so termination protection (or an Auto Scaling group) adds nothing but friction to cleaning up the example.',
  });
  Validations.of(instance).acknowledge({
    id: 'AwsSolutions-EC28',
    reason: 'Basic (5-minute) monitoring is enough for a demo web server; detailed monitoring would add about $2.10 a month per instance. Pass your own instance setup where 1-minute metrics drive scaling.',
  });
  return instance;
}

/** Options of {@link createInstanceBehindLoadBalancer}. */
export interface InstanceBehindLoadBalancerOptions {
  readonly vpc: ec2.IVpc;
  /** The user's instance type, image and user data. */
  readonly props: EdgeInstanceProps;
  /** TCP port of the demo web server. */
  readonly port: number;
  /** Who the security group will admit, for its description (e.g. 'the load balancer only'). */
  readonly admits: string;
  /** Text of the demo page. */
  readonly page: string;
}

/**
 * The demo instance behind a load balancer, in the VPC's private (else isolated) subnets, and its
 * own security group (IDs `InstanceSecurityGroup` and `Instance`): no outbound rule, and no inbound
 * rule until the caller admits the load balancer.
 */
export function createInstanceBehindLoadBalancer(scope: Construct, options: InstanceBehindLoadBalancerOptions): {
  securityGroup: ec2.SecurityGroup; instance: ec2.Instance;
} {
  const securityGroup = new ec2.SecurityGroup(scope, 'InstanceSecurityGroup', {
    vpc: options.vpc,
    description: pathLabel(scope, `: ${portLabel(options.port)} from ${options.admits}`, SECURITY_GROUP_DESCRIPTION),
    allowAllOutbound: false,
  });
  const instance = createWebInstance(scope, 'Instance', {
    vpc: options.vpc,
    subnets: privateSubnetsOf(options.vpc),
    securityGroup,
    instanceType: options.props.instanceType,
    machineImage: options.props.machineImage,
    userData: options.props.userData,
    port: options.port,
    page: options.page,
  });
  return { securityGroup, instance };
}

/**
 * What `requireImdsv2: true` on `ec2.Instance` does (a launch template with ID `LaunchTemplate` that
 * requires IMDSv2), with a name EC2 accepts: aws-cdk-lib names it after the whole construct path,
 * which goes past EC2's 128 characters on deep paths.
 */
function requireImdsv2(instance: ec2.Instance): void {
  const launchTemplate = new ec2.CfnLaunchTemplate(instance, 'LaunchTemplate', {
    launchTemplateData: { metadataOptions: { httpTokens: 'required' } },
  });
  const uniqueId = Names.uniqueId(launchTemplate);
  launchTemplate.launchTemplateName = uniqueId.length <= LAUNCH_TEMPLATE_NAME_LENGTH
    ? uniqueId : Names.uniqueResourceName(launchTemplate, { maxLength: LAUNCH_TEMPLATE_NAME_LENGTH });
  instance.instance.launchTemplate = { launchTemplateName: launchTemplate.launchTemplateName, version: launchTemplate.attrLatestVersionNumber };
}

/** Longest launch template name (EC2 CreateLaunchTemplate). */
const LAUNCH_TEMPLATE_NAME_LENGTH = 128;

/** The path `scope/id` would have, for labels computed before the child exists. */
function instanceScope(scope: Construct, id: string): { node: { path: string } } {
  return { node: { path: `${scope.node.path}/${id}` } };
}

function webServerUserData(port: number, page: string, extraCommands: string[]): ec2.UserData {
  const userData = ec2.UserData.forLinux();
  const html = `<!doctype html><title>${escapeHtml(page)}</title><h1>${escapeHtml(page)}</h1>`;
  userData.addCommands(
    ...extraCommands,
    'mkdir -p /srv/www',
    `cat > /srv/www/index.html <<'EOF'\n${html}\nEOF`,
    `cat > /etc/systemd/system/demo-web.service <<'EOF'
[Unit]
Description=Static demo page (python3 -m http.server)
After=network-online.target
[Service]
ExecStart=/usr/bin/python3 -m http.server ${Tokenization.stringifyNumber(port)} --directory /srv/www
DynamicUser=yes
AmbientCapabilities=CAP_NET_BIND_SERVICE
Restart=always
[Install]
WantedBy=multi-user.target
EOF`,
    'systemctl daemon-reload',
    'systemctl enable --now demo-web.service',
  );
  return userData;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The public listeners of an ALB: with a certificate, HTTPS on 443 (TLS 1.2+ policy) plus HTTP on
 * 80 redirecting to it; without one, HTTP on 80. Returns the listener that forwards to targets.
 */
export function addWebListeners(alb: elbv2.ApplicationLoadBalancer, certificate: acm.ICertificate | undefined,
  open: boolean): { listener: elbv2.ApplicationListener; redirectListener?: elbv2.ApplicationListener } {
  if (!certificate) {
    return { listener: alb.addListener('Http', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, open }) };
  }
  const listener = alb.addListener('Https', {
    port: 443,
    protocol: elbv2.ApplicationProtocol.HTTPS,
    certificates: [certificate],
    sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
    open,
  });
  const redirectListener = alb.addListener('Http', {
    port: 80,
    protocol: elbv2.ApplicationProtocol.HTTP,
    open,
    defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
  });
  return { listener, redirectListener };
}

/** The ALB settings shared by the edge patterns: invalid headers dropped, access logs to the log bucket. */
export function createEdgeAlb(scope: Construct, id: string, options: {
  readonly vpc: ec2.IVpc;
  readonly internetFacing: boolean;
  readonly subnets: ec2.SubnetSelection;
  readonly logsBucket: s3.IBucket;
  readonly logsPrefix: string;
}): elbv2.ApplicationLoadBalancer {
  const alb = new elbv2.ApplicationLoadBalancer(scope, id, {
    vpc: options.vpc,
    internetFacing: options.internetFacing,
    vpcSubnets: options.subnets,
    dropInvalidHeaderFields: true,
    securityGroup: new ec2.SecurityGroup(scope, `${id}SecurityGroup`, {
      vpc: options.vpc,
      description: fitLabel(`${scope.node.path}/${id}`, ': listener ports only', SECURITY_GROUP_DESCRIPTION),
      allowAllOutbound: false,
    }),
  });
  enableAccessLogs(alb, options.logsBucket, options.logsPrefix, 'application');
  return alb;
}

/** The subnets for instances behind a load balancer: private with egress if the VPC has them, else isolated. */
export function privateSubnetsOf(vpc: ec2.IVpc): ec2.SubnetSelection {
  return vpc.privateSubnets.length > 0 ? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } : { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
}

/**
 * Turns on access logs of a load balancer, also in an environment-agnostic stack, where
 * aws-cdk-lib's `logAccessLogs` throws because the ALB log writer depends on the region: the ELB
 * account of regions opened before August 2022, the `logdelivery.elasticloadbalancing.amazonaws.com`
 * service in later ones. Without a region the choice is made at deploy time from a mapping of the
 * regions aws-cdk-lib knows (a region newer than aws-cdk-lib fails the deploy: give the stack a region).
 * NLBs write through the log delivery service in every region.
 */
export function enableAccessLogs(lb: elbv2.BaseLoadBalancer, bucket: s3.IBucket, prefix: string, kind: 'application' | 'network'): void {
  const stack = Stack.of(lb);
  if (!(bucket instanceof s3.Bucket)) {
    // An imported bucket ignores addToResourcePolicy, and ELB refuses to enable logs it cannot write.
    Annotations.of(lb.node.scope ?? lb).addWarningV2('cdk-reference-architectures:importedLogsBucket',
      `The logs bucket ${Token.isUnresolved(bucket.bucketName) ? '' : `'${bucket.bucketName}' `}is imported, so its bucket policy cannot be changed here: it must already let ${kind === 'application' ? 'the region\'s Elastic Load Balancing log writer (its ELB account, or logdelivery.elasticloadbalancing.amazonaws.com in newer regions)' : 'delivery.logs.amazonaws.com'} s3:PutObject to ${prefix}/AWSLogs/<account>/*, or enabling the access logs fails at deploy time. It must use SSE-S3.`);
  }
  if (kind === 'application' && !Token.isUnresolved(stack.region)) {
    (lb as elbv2.ApplicationLoadBalancer).logAccessLogs(bucket, prefix);
    return;
  }
  lb.setAttribute('access_logs.s3.enabled', 'true');
  lb.setAttribute('access_logs.s3.bucket', bucket.bucketName);
  lb.setAttribute('access_logs.s3.prefix', prefix);
  const objects = bucket.arnForObjects(`${prefix}/AWSLogs/${stack.account}/*`);
  const logDelivery = new iam.ServicePrincipal('delivery.logs.amazonaws.com');
  if (kind === 'application') {
    const { oldRegion } = elbAccountMapping(stack);
    const elbAccounts = stack.node.findChild('ElbLogDeliveryAccounts') as CfnMapping;
    const account = elbAccounts.findInMap(Aws.REGION, 'account');
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'ElbAccessLogsOlderRegions',
      actions: ['s3:PutObject'],
      // In regions with the log-delivery service this grants the bucket's own account instead: a no-op.
      principals: [new iam.ArnPrincipal(Fn.conditionIf(oldRegion.logicalId,
        `arn:${Aws.PARTITION}:iam::${account}:root`, `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`).toString())],
      resources: [objects],
    }));
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'ElbAccessLogsNewerRegions',
      actions: ['s3:PutObject'],
      principals: [new iam.ServicePrincipal(Fn.conditionIf(oldRegion.logicalId,
        'delivery.logs.amazonaws.com', 'logdelivery.elasticloadbalancing.amazonaws.com').toString())],
      resources: [objects],
    }));
  }
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['s3:PutObject'], principals: [logDelivery], resources: [objects],
    conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
  }));
  bucket.addToResourcePolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketAcl'], principals: [logDelivery], resources: [bucket.bucketArn] }));
  const policy = bucket.policy?.node.defaultChild;
  const resource = lb.node.defaultChild;
  if (policy && resource && CfnResource.isCfnResource(policy) && CfnResource.isCfnResource(resource)) {
    resource.addResourceDependency(policy);
  }
}

/** The stack-wide mapping of ELB log-writer accounts and the condition "this region has one". */
function elbAccountMapping(stack: Stack): { oldRegion: CfnCondition } {
  const existing = stack.node.tryFindChild('ElbLogDeliveryOlderRegion') as CfnCondition | undefined;
  if (existing) return { oldRegion: existing };
  const mapping: Record<string, Record<string, string>> = {};
  for (const region of RegionInfo.regions) {
    mapping[region.name] = { account: region.elbv2Account ?? 'none' };
  }
  const accounts = new CfnMapping(stack, 'ElbLogDeliveryAccounts', { mapping });
  const oldRegion = new CfnCondition(stack, 'ElbLogDeliveryOlderRegion', {
    expression: Fn.conditionNot(Fn.conditionEquals(accounts.findInMap(Aws.REGION, 'account'), 'none')),
  });
  return { oldRegion };
}

/** The listener security group of a public load balancer is open to the internet by design. */
export function acknowledgePublicListener(loadBalancer: { connections: ec2.Connections }): void {
  for (const sg of loadBalancer.connections.securityGroups) {
    Validations.of(sg).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'This is the security group of an internet-facing load balancer: its listener ports are meant to be reachable from any address. Blocking is done by the network ACL deny entries or WAF; the instances behind it accept traffic only from this security group.',
    });
  }
}
