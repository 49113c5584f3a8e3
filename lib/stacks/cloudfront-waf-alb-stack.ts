import { App, CfnOutput, Stack, StackProps, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CloudFrontWafAlb } from '../edge/cloudfront-waf-alb';
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
}

/**
 * The regional half of pattern 5: CloudFront (geo restriction from context `geoDenylist`, default
 * KP,IR,SY,CU; the web ACL from us-east-1) -> VPC origin -> internal ALB -> t4g.nano, all private.
 */
export class CloudFrontWafAlbStack extends Stack {
  public readonly site: CloudFrontWafAlb;

  constructor(scope: Construct, id: string, props: CloudFrontWafAlbStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    const { webAcl } = props;
    this.site = new CloudFrontWafAlb(this, 'Site', {
      webAcl,
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
 * Both stacks of pattern 5, wired with a cross-region reference (an SSM parameter written in
 * us-east-1 and read by a custom resource in the regional stack). Cross-region references need an
 * explicit region on both stacks: the regional one comes from context `region`, else
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
  const stack = new CloudFrontWafAlbStack(app, id, {
    env: { account, region },
    description,
    webAcl: webAclStack.webAcl,
  });
  // A weak cross-region reference (Fn::GetStackOutput) adds no stack dependency by itself: without
  // this, `cdk deploy CloudFrontWafAlb` would not deploy the web ACL stack first.
  stack.addStackDependency(webAclStack, 'the distribution reads the web ACL ARN from this stack');
  return { webAclStack, stack };
}
