import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Validations } from 'aws-cdk-lib';

/** The distribution findings that depend on what the user passed, each with its reason. */
export function acknowledgeDistributionFindings(distribution: cloudfront.Distribution, props: { webAclId?: string; certificate?: acm.ICertificate }): void {
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
    reason: 'Standard logging needs an ACL-enabled S3 bucket; request-level visibility comes from the origin\'s access logs (API Gateway) or, for the static site, from CloudFront real-time logs the user can add.',
  });
}
