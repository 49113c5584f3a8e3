import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CachedApi } from '../caching/cached-api';

/**
 * Example: `GET/PUT/DELETE https://<distribution>/items/{id}` through CloudFront (60 s edge TTL on
 * `/items/*`), API Gateway (no stage cache) and a Lambda reading through Valkey (5 min TTL) in
 * front of DynamoDB. Idle cost is the cache's minimum (ElastiCache Serverless for Valkey bills at
 * least 100 MB, about $6/month in us-east-1) plus $0.40/month for the origin secret; no NAT gateway,
 * and CloudFront, API Gateway, Lambda and on-demand DynamoDB bill per request.
 */
export class CachedApiStack extends Stack {
  public readonly api: CachedApi;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.api = new CachedApi(this, 'Items', {
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
    new CfnOutput(this, 'DirectApiUrl', { value: this.api.api.url, description: 'Refuses callers without the API key (403): use Url' });
    new CfnOutput(this, 'TableName', { value: this.api.table.tableName });
  }
}
