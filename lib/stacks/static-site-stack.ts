import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { StaticSite } from '../caching/static-site';

/**
 * Example: a single-page app served from a private bucket through CloudFront. Upload the build
 * with `aws s3 sync dist/ s3://<BucketName>/` (hashed files under `assets/`). No idle cost beyond S3
 * storage; CloudFront bills per request and byte.
 */
export class StaticSiteStack extends Stack {
  public readonly site: StaticSite;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.site = new StaticSite(this, 'Site', { spa: true });

    new CfnOutput(this, 'Url', { value: `https://${this.site.distribution.distributionDomainName}/` });
    new CfnOutput(this, 'BucketName', { value: this.site.bucket.bucketName });
  }
}
