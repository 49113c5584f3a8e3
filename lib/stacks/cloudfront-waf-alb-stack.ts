import { App, CfnOutput, Stack, StackProps, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CloudFrontOriginMode, CloudFrontWafAlb } from '../edge/cloudfront-waf-alb';
import { CLOUDFRONT_WEB_ACL_REGION, EdgeWebAcl, IEdgeWebAcl } from '../edge/edge-web-acl';
import { WebAclScope } from '../edge/ip-blocklist';
import { contextList, exampleBlocklist } from './edge-example-context';

/** Region of the regional stack when neither context `region` nor CDK_DEFAULT_REGION says otherwise. */
export const DEFAULT_CLOUDFRONT_EXAMPLE_REGION = 'eu-west-1';

/**
 * The us-east-1 half of pattern 5: the CLOUDFRONT-scope web ACL with the blocklist's IP sets and
 * its `aws-waf-logs-` log group, which CloudFront only accepts from us-east-1.
 */
export class CloudFrontWebAclStack extends Stack {
  public readonly webAcl: EdgeWebAcl;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    this.webAcl = new EdgeWebAcl(this, 'WebAcl', { scope: WebAclScope.CLOUDFRONT, blocklist: exampleBlocklist(this) });
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
 */
export class CloudFrontWafAlbStack extends Stack {
  public readonly site: CloudFrontWafAlb;

  constructor(scope: Construct, id: string, props: CloudFrontWafAlbStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    const { webAcl } = props;
    this.site = new CloudFrontWafAlb(this, 'Site', {
      webAcl,
      originMode: props.originMode ?? contextOriginMode(this),
      geoRestriction: { deny: contextList(this, 'geoDenylist') ?? ['KP', 'IR', 'SY', 'CU'] },
    });
    Validations.of(this.site.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason: 'The example has no domain, so it uses the *.cloudfront.net certificate, whose security policy CloudFront fixes at TLSv1. Pass certificate and domainNames to CloudFrontWafAlb for TLS 1.2 or later (TLSv1.2_2021).',
    });
    new CfnOutput(this, 'Url', { value: `https://${this.site.distribution.distributionDomainName}/` });
  }
}

/**
 * Both stacks of pattern 5, wired with a weak cross-region reference: the distribution reads the
 * web ACL's ARN from the us-east-1 stack's output with `Fn::GetStackOutput` (the project's
 * `@aws-cdk/core:defaultCrossStackReferences: weak` flag), no custom resource or SSM parameter.
 * Cross-region references need an explicit region on both stacks: the regional one comes from context `region`, else
 * CDK_DEFAULT_REGION (your CLI profile's), else eu-west-1. The account comes from context
 * `account`, else CDK_DEFAULT_ACCOUNT; when neither is set the stacks stay account-agnostic, so
 * synth needs no credentials, and deploy uses the profile's account.
 */
export function createCloudFrontWafAlbStacks(app: App, id: string, description: string): { webAclStack: CloudFrontWebAclStack; stack: CloudFrontWafAlbStack } {
  const account: string | undefined = app.node.tryGetContext('account') ?? process.env.CDK_DEFAULT_ACCOUNT;
  const region: string = app.node.tryGetContext('region') ?? process.env.CDK_DEFAULT_REGION ?? DEFAULT_CLOUDFRONT_EXAMPLE_REGION;
  const webAclStack = new CloudFrontWebAclStack(app, `${id}WebAcl`, {
    env: { account, region: CLOUDFRONT_WEB_ACL_REGION },
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
  return { webAclStack, stack };
}
