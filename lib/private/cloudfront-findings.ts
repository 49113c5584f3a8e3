import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Validations } from 'aws-cdk-lib';

/** The distribution findings that depend on what the user passed, each with its reason. */
export function acknowledgeDistributionFindings(
  distribution: cloudfront.Distribution, props: { webAclId?: string; certificate?: acm.ICertificate },
): void {
  Validations.of(distribution).acknowledge({
    id: 'AwsSolutions-CFR1',
    reason: 'A public API or site has no country restriction by default; add a geo restriction (or a web ACL rule) where the business requires one.',
  });
  if (!props.webAclId) {
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason: 'A CLOUDFRONT-scope web ACL must live in us-east-1 and costs $5/month + rules even when idle; pass webAclId (e.g. EdgeWebAcl from this library) to attach one.',
    });
  }
  if (!props.certificate) {
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason: 'With the default cloudfront.net certificate CloudFront fixes the viewer security policy to TLSv1; pass domainNames and a certificate to require TLS 1.2 (TLSv1.2_2021), which this construct then sets.',
    });
  }
  Validations.of(distribution).acknowledge({
    id: 'AwsSolutions-CFR3',
    reason: 'The rule sees only legacy standard logging, which needs an S3 bucket with ACLs enabled (the buckets of these constructs disable ACLs). Access logs are left to the user, who picks destination, retention and cost: standard logging v2 (CloudWatch Logs, Data Firehose or S3 without ACLs) or real-time logs.',
  });
}
