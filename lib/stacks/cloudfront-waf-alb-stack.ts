import { App, CfnOutput, Duration, StackProps, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { CloudFrontDistributionAlarms } from '../edge/cloudfront-distribution-alarms';
import { CloudFrontOriginMode, CloudFrontWafAlb } from '../edge/cloudfront-waf-alb';
import { EdgeWebAcl, IEdgeWebAcl } from '../edge/edge-web-acl';
import { WebAclScope } from '../edge/ip-blocklist';
import { AlarmTopicStack } from './alarm-topic';
import { albWidgets, createDashboard, graph, instanceMetric, webAclWidgets } from './edge-dashboards';
import { contextList, exampleBlocklist } from './edge-example-context';

/** Region of the regional stack when neither context `region` nor CDK_DEFAULT_REGION says otherwise. */
export const DEFAULT_CLOUDFRONT_EXAMPLE_REGION = 'eu-west-1';

/**
 * The us-east-1 half of pattern 5: the CLOUDFRONT-scope web ACL with the blocklist's IP sets and
 * its `aws-waf-logs-` log group, which CloudFront only accepts from us-east-1; its WAF alarms
 * (blocks above the baseline; any counted request with `-c wafCountOnly=true`) go to this stack's
 * alarm topic, and its dashboard shows the WAF decisions per rule.
 */
export class CloudFrontWebAclStack extends AlarmTopicStack {
  public readonly webAcl: EdgeWebAcl;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    this.webAcl = new EdgeWebAcl(this, 'WebAcl', {
      scope: WebAclScope.CLOUDFRONT,
      blocklist: exampleBlocklist(this),
      countOnly: String(this.node.tryGetContext('wafCountOnly') ?? 'false') === 'true',
      alarmActions: this.alarmActions,
    });
    const waf = webAclWidgets(this.webAcl);
    this.dashboard = createDashboard(this, [[waf.decisions, waf.blockedByRule, waf.countedByRule]]);
  }
}

/** Properties of a {@link CloudFrontWafAlbAlarmsStack}. */
export interface CloudFrontWafAlbAlarmsStackProps extends StackProps {
  /** The distribution to watch (from a {@link CloudFrontWafAlbStack} in any region). */
  readonly distribution: cloudfront.IDistribution;
}

/**
 * The us-east-1 alarms of pattern 5's distribution: CloudFront publishes its metrics in us-east-1
 * only and an alarm watches metrics of its own region, while the web ACL stack is deployed before
 * the distribution exists. So this stack comes last, reads the distribution ID from the regional
 * stack (weak cross-region reference) and holds the 5xx-rate alarm, its own alarm topic and a
 * dashboard of the distribution.
 */
export class CloudFrontWafAlbAlarmsStack extends AlarmTopicStack {
  public readonly distributionAlarms: CloudFrontDistributionAlarms;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: CloudFrontWafAlbAlarmsStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    this.distributionAlarms = new CloudFrontDistributionAlarms(this, 'Distribution', { distribution: props.distribution, alarmActions: this.alarmActions });
    const metric = (name: string, statistic: string, label: string) =>
      CloudFrontDistributionAlarms.metricOf(props.distribution, name, { statistic, label });
    this.dashboard = createDashboard(this, [[
      graph('Requests in: viewer requests', [metric('Requests', 'Sum', 'Requests')]),
      graph('Failures: 5xx and 4xx rate (%)', [this.distributionAlarms.metric5xxErrorRate({ label: '5xx rate' }), metric('4xxErrorRate', 'Average', '4xx rate')],
        [this.distributionAlarms.errorRateAlarm]),
      graph('Cost drivers: bytes to viewers', [metric('BytesDownloaded', 'Sum', 'Bytes downloaded')]),
    ]]);
  }
}

/** Properties of a {@link CloudFrontWafAlbStack}. */
export interface CloudFrontWafAlbStackProps extends StackProps {
  /** The CLOUDFRONT-scope web ACL (from a {@link CloudFrontWebAclStack}). */
  readonly webAcl: IEdgeWebAcl;

  /**
   * How CloudFront reaches the ALB.
   *
   * @default - context `cloudFrontOriginMode` (`vpc-origin` or `public-alb`), else VPC_ORIGIN
   */
  readonly originMode?: CloudFrontOriginMode;
}

/** The origin mode chosen by context `cloudFrontOriginMode`: `vpc-origin` (default) or `public-alb`. */
export function contextOriginMode(scope: Construct): CloudFrontOriginMode {
  const value: unknown = scope.node.tryGetContext('cloudFrontOriginMode') ?? CloudFrontOriginMode.VPC_ORIGIN;
  const modes = Object.values(CloudFrontOriginMode) as string[];
  if (!modes.includes(String(value))) {
    throw new Error(`CloudFrontWafAlb example: context cloudFrontOriginMode '${String(value)}' is not an origin mode. Fix: use -c cloudFrontOriginMode=${modes.join(' or -c cloudFrontOriginMode=')}.`);
  }
  return String(value) as CloudFrontOriginMode;
}

/**
 * The regional half of pattern 5: CloudFront (geo restriction from context `geoDenylist`, default
 * KP,IR,SY,CU; the web ACL from us-east-1) -> the ALB -> t4g.nano in an isolated subnet. Context
 * `cloudFrontOriginMode` picks how CloudFront reaches the ALB: `vpc-origin` (default: VPC origin,
 * internal ALB admitting CloudFront's VPC-origin security group only) or `public-alb`
 * (internet-facing ALB admitting the origin-facing prefix list, forwarding only with the secret header).
 * The ALB and instance alarms go to this stack's alarm topic; the dashboard shows CloudFront
 * (read from us-east-1), the ALB and the instance.
 */
export class CloudFrontWafAlbStack extends AlarmTopicStack {
  public readonly site: CloudFrontWafAlb;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: CloudFrontWafAlbStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    this.site = new CloudFrontWafAlb(this, 'Site', {
      alarmActions: this.alarmActions,
      webAcl: props.webAcl,
      originMode: props.originMode ?? contextOriginMode(this),
      geoRestriction: { deny: contextList(this, 'geoDenylist') ?? ['KP', 'IR', 'SY', 'CU'] },
    });
    Validations.of(this.site.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason: 'The example has no domain, so it uses the *.cloudfront.net certificate, whose security policy CloudFront fixes at TLSv1. Pass certificate and domainNames to CloudFrontWafAlb for TLS 1.2 or later (TLSv1.2_2021).',
    });

    const site = this.site;
    const alb = albWidgets(site.loadBalancer);
    this.dashboard = createDashboard(this, [[
      graph('Requests in: CloudFront viewers, ALB', [site.metricRequests({ label: 'CloudFront requests (us-east-1)' }), ...alb.requests]),
      graph('Work: healthy targets, instance CPU (%)', [
        site.targetGroup.metrics.healthyHostCount({ period: Duration.minutes(1), statistic: 'Minimum', label: 'Healthy targets' }),
        instanceMetric(site.instance, 'CPUUtilization'),
      ]),
      graph('Failures: CloudFront 5xx rate (%)', [site.metric5xxErrorRate({ label: '5xx rate (us-east-1)' })]),
      graph('Failures: 5xx of the instance and of the ALB', [site.metricTargetServerErrors({ label: 'Target 5xx' }), site.metricLoadBalancerServerErrors({ label: 'ELB 5xx' })],
        [site.targetServerErrorsAlarm]),
    ], [
      graph('Failures: unhealthy targets, status check', [
        site.metricUnhealthyHosts({ label: 'Unhealthy targets' }),
        site.metricInstanceStatusCheckFailed({ label: 'Status check failed' }),
      ], [site.unhealthyHostsAlarm]),
      alb.latency,
      alb.cost,
      graph('Cost drivers: CloudFront bytes to viewers', [CloudFrontDistributionAlarms.metricOf(site.distribution, 'BytesDownloaded', { label: 'Bytes downloaded (us-east-1)' })]),
    ]]);

    new CfnOutput(this, 'Url', { value: `https://${this.site.distribution.distributionDomainName}/` });
  }
}

/**
 * The three stacks of pattern 5: the web ACL (us-east-1), the site (any region), and the
 * distribution's alarms (us-east-1, deployed last: `cdk deploy CloudFrontWafAlbAlarms` deploys
 * all three in order). They are wired with a weak cross-region reference: the distribution reads the
 * web ACL's ARN from the us-east-1 stack's output with `Fn::GetStackOutput` (the project's
 * `@aws-cdk/core:defaultCrossStackReferences: weak` flag), no custom resource or SSM parameter.
 * Cross-region references need an explicit region on both stacks: the regional one comes from context `region`, else
 * CDK_DEFAULT_REGION (your CLI profile's), else eu-west-1. The account comes from context
 * `account`, else CDK_DEFAULT_ACCOUNT; when neither is set the stacks stay account-agnostic, so
 * synth needs no credentials, and deploy uses the profile's account.
 */
export function createCloudFrontWafAlbStacks(app: App, id: string, description: string): {
  webAclStack: CloudFrontWebAclStack; stack: CloudFrontWafAlbStack; alarmsStack: CloudFrontWafAlbAlarmsStack;
} {
  const account: string | undefined = app.node.tryGetContext('account') ?? process.env.CDK_DEFAULT_ACCOUNT;
  const region: string = app.node.tryGetContext('region') ?? process.env.CDK_DEFAULT_REGION ?? DEFAULT_CLOUDFRONT_EXAMPLE_REGION;
  const webAclStack = new CloudFrontWebAclStack(app, `${id}WebAcl`, {
    env: { account, region: EdgeWebAcl.CLOUDFRONT_SCOPE_REGION },
    description: `${description} (the CLOUDFRONT-scope web ACL, us-east-1)`,
  });
  const originMode = contextOriginMode(app);
  const stack = new CloudFrontWafAlbStack(app, id, {
    env: { account, region },
    description: originMode === CloudFrontOriginMode.PUBLIC_ALB
      ? 'Blocking IPs: CloudFront (geo restriction, WAF from us-east-1) -> public ALB (CloudFront origin-facing prefix list + secret origin header)'
      : description,
    originMode,
    webAcl: webAclStack.webAcl,
  });
  // A weak cross-region reference (Fn::GetStackOutput) adds no stack dependency by itself: without
  // this, `cdk deploy CloudFrontWafAlb` would not deploy the web ACL stack first.
  stack.addStackDependency(webAclStack, 'the distribution reads the web ACL ARN from this stack');
  const alarmsStack = new CloudFrontWafAlbAlarmsStack(app, `${id}Alarms`, {
    env: { account, region: EdgeWebAcl.CLOUDFRONT_SCOPE_REGION },
    description: `${description} (the distribution's alarms, us-east-1, where CloudFront metrics live)`,
    distribution: stack.site.distribution,
  });
  alarmsStack.addStackDependency(stack, 'the alarms read the distribution ID from this stack');
  return { webAclStack, stack, alarmsStack };
}
