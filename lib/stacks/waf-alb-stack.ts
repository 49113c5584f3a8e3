import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as elbv2Targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import { Construct } from 'constructs';
import { WafProtectedAlb } from '../edge/waf-protected-alb';
import { createWebInstance, privateSubnetsOf } from '../private/edge-resources';
import { exampleBlocklist } from './edge-example-context';

/**
 * Example of pattern 4: an internet-facing ALB (HTTP on 80, because the example has no certificate)
 * with a regional WAF web ACL: the blocklist of context `blockedCidrs` as IP sets, 1000 requests
 * per IP per 5 minutes, the free AWS managed rule groups, logs to `aws-waf-logs-…`. Context
 * `wafCountOnly=true` deploys it in count-only mode. A t4g.nano in an isolated subnet serves the page.
 */
export class WafAlbStack extends Stack {
  public readonly web: WafProtectedAlb;
  public readonly instance: ec2.Instance;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.web = new WafProtectedAlb(this, 'Web', {
      blocklist: exampleBlocklist(this),
      countOnly: String(this.node.tryGetContext('wafCountOnly') ?? 'false') === 'true',
    });

    const vpc = this.web.vpc!;
    const securityGroup = new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
      vpc, description: 'Web instance: port 80 from the load balancer only', allowAllOutbound: false,
    });
    this.instance = createWebInstance(this, 'Instance', {
      vpc, subnets: privateSubnetsOf(vpc), securityGroup, port: 80, page: 'Behind an ALB with WAF: blocked by WAF',
    });
    // InstanceTarget does not wire security groups: allow the ALB to the instance port, and nothing else in.
    this.web.loadBalancer.connections.allowTo(this.instance, ec2.Port.tcp(80), `Load balancer to the instance on ${80}`);
    this.web.listener!.addTargets('Instance', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [new elbv2Targets.InstanceTarget(this.instance, 80)],
      healthCheck: { path: '/' },
    });

    new CfnOutput(this, 'Url', { value: `http://${this.web.loadBalancer.loadBalancerDnsName}/` });
    new CfnOutput(this, 'WafLogGroup', { value: this.web.webAcl.logGroup.logGroupName });
  }
}
