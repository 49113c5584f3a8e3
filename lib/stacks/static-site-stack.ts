import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { StaticSite } from '../caching/static-site';
import { createAlarmTopic } from './alarm-topic';

/**
 * Example: a single-page app served from a private bucket through CloudFront. Upload the build
 * with `aws s3 sync dist/ s3://<BucketName>/` (hashed files under `assets/`). Idle cost: the alarm
 * topic's key and the dashboard (about $4/month) and S3 storage; CloudFront bills per request and
 * byte. CloudFront publishes its metrics in us-east-1: the dashboard reads them from there in any
 * Region; the 5xx alarm is created only when the stack is deployed to us-east-1 (a CloudFormation
 * condition), the only Region where it can see them.
 */
export class StaticSiteStack extends Stack {
  public readonly site: StaticSite;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const alarms = createAlarmTopic(this);
    this.site = new StaticSite(this, 'Site', { spa: true, alarmActions: [alarms.action] });

    new CfnOutput(this, 'Url', { value: `https://${this.site.distribution.distributionDomainName}/` });
    new CfnOutput(this, 'BucketName', { value: this.site.bucket.bucketName });

    // Left to right: requests in, bytes served (the cost driver), failures. No alarm status widget:
    // the alarm exists only in us-east-1, and a dashboard cannot reference a resource that may be absent.
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Requests (us-east-1)', width: 8, left: [this.site.metricRequests()] }),
      new cloudwatch.GraphWidget({ title: 'Bytes downloaded (us-east-1)', width: 8, left: [this.site.metricBytesDownloaded()] }),
      new cloudwatch.GraphWidget({
        title: 'Error rates (us-east-1)',
        width: 8,
        left: [this.site.metric5xxErrorRate(), this.site.metric4xxErrorRate()],
        leftYAxis: { min: 0, label: '%' },
        leftAnnotations: this.site.serverErrorRateAlarm ? [this.site.serverErrorRateAlarm.toAnnotation()] : undefined,
      }),
    );
  }
}
