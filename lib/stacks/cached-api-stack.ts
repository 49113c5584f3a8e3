import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { CachedApi } from '../caching/cached-api';
import { createAlarmTopic } from './alarm-topic';

/**
 * Example: public reads, `GET https://<distribution>/items/{id}`, through CloudFront (60 s edge TTL
 * on `/items/*`), API Gateway (no stage cache) and a Lambda reading through Valkey (5 min TTL) in
 * front of DynamoDB. Writes, `PUT/DELETE <api endpoint>/items/{id}`, are SigV4-signed by a principal
 * given `api.grantWrite(...)`; CloudFront does not forward them. Idle cost is the cache's minimum
 * (ElastiCache Serverless for Valkey bills at least 100 MB, about $6/month in us-east-1), $0.80/month
 * for two secrets and about $4.90/month of monitoring (alarm topic key, alarms, dashboard); no NAT
 * gateway, and CloudFront, API Gateway, Lambda and on-demand DynamoDB bill per request. Every alarm
 * publishes to one encrypted topic (`-c alarmEmail=...` subscribes an address); the dashboard
 * follows a request from CloudFront to the cache.
 */
export class CachedApiStack extends Stack {
  public readonly api: CachedApi;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const alarms = createAlarmTopic(this);
    this.api = new CachedApi(this, 'Items', {
      alarmActions: [alarms.action],
      cdnCacheTtl: Duration.seconds(60),
      cacheTtl: Duration.minutes(5),
      maxStaleness: Duration.minutes(10),
      // The smallest limits: the bill stays at the minimum even under a runaway client.
      cacheMaxDataStorageGb: 1,
      cacheMaxEcpuPerSecond: 1000,
      // Account-wide, opted into on purpose: registers the API Gateway CloudWatch Logs role that stage
      // logging needs (it replaces a role already registered in this account and Region).
      cloudWatchRole: true,
    });

    new CfnOutput(this, 'Url', { value: `https://${this.api.distribution.distributionDomainName}/items/` });
    new CfnOutput(this, 'WriteUrl', {
      value: `${this.api.api.url}items/`,
      description: 'PUT/DELETE <WriteUrl><id>, SigV4-signed (service execute-api) by a principal given grantWrite; GET here gets 403 (no API key): read through Url',
    });
    new CfnOutput(this, 'TableName', { value: this.api.table.tableName });

    this.dashboard = createCachedApiDashboard(this, this.api);
  }
}

/** Left to right: requests in, work done (cache results), failures, latency, cost drivers; alarms below. */
function createCachedApiDashboard(scope: Construct, api: CachedApi): cloudwatch.Dashboard {
  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', { defaultInterval: Duration.hours(3) });
  const fiveMinutes = { period: Duration.minutes(5) };
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Requests in',
      width: 4,
      left: [
        api.metricDistribution('Requests', { statistic: cloudwatch.Stats.SUM, label: 'CloudFront requests (us-east-1)', ...fiveMinutes }),
        api.metricApiRequests({ label: 'API requests (edge misses and writes)' }),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: 'Cache results (reads)',
      width: 5,
      stacked: true,
      left: ['hit', 'miss', 'error'].map((r) => api.metricCacheResult(r, { label: r })),
      right: [api.metricCacheHitRatio()],
      rightYAxis: { min: 0, max: 100, label: '%' },
    }),
    new cloudwatch.GraphWidget({
      title: 'Failures',
      width: 5,
      left: [api.metricHandlerErrors({ label: 'Function errors' }), api.metricHandlerThrottles({ label: 'Function throttles' }),
        api.metricCacheThrottledCommands({ label: 'Cache throttled commands', ...fiveMinutes })],
      right: [api.metricApiServerErrorRate(),
        api.metricDistribution('5xxErrorRate', { statistic: cloudwatch.Stats.AVERAGE, label: 'CloudFront 5xx % (us-east-1)', ...fiveMinutes })],
      rightYAxis: { min: 0, label: '%' },
    }),
    new cloudwatch.GraphWidget({
      title: 'Latency (ms)',
      width: 5,
      left: [
        api.metricApiLatencyP99(),
        api.api.deploymentStage.metricIntegrationLatency({ statistic: cloudwatch.Stats.p(99), label: 'API integration latency p99', ...fiveMinutes }),
        api.handler.metricDuration({ statistic: cloudwatch.Stats.p(99), label: 'Function duration p99', ...fiveMinutes }),
      ],
      leftAnnotations: [api.apiLatencyAlarm.toAnnotation()],
    }),
    new cloudwatch.GraphWidget({
      title: 'Cost drivers',
      width: 5,
      left: [api.metricCacheEcpuPerSecond()],
      leftAnnotations: [{ value: api.cacheMaxEcpuPerSecond, label: 'ECPU/s limit' }],
      right: [api.metricCache('BytesUsedForCache', { statistic: cloudwatch.Stats.MAXIMUM, label: 'Cache bytes', ...fiveMinutes })],
    }),
  );
  dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 24, alarms: api.alarms }));
  return dashboard;
}
