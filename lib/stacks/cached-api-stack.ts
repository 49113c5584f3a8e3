import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CachedApi } from '../caching/cached-api';

/**
 * Example: public reads, `GET https://<distribution>/items/{id}`, through CloudFront (60 s edge TTL
 * on `/items/*`), API Gateway (no stage cache) and a Lambda reading through Valkey (5 min TTL) in
 * front of DynamoDB. Writes, `PUT/DELETE <api endpoint>/items/{id}`, are SigV4-signed by a principal
 * given `api.grantWrite(...)`; CloudFront does not forward them. Idle cost is the cache's minimum
 * (ElastiCache Serverless for Valkey bills at least 100 MB, about $6/month in us-east-1) plus
 * $0.80/month for two secrets; no NAT gateway, and CloudFront, API Gateway, Lambda and on-demand
 * DynamoDB bill per request.
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
    new CfnOutput(this, 'WriteUrl', {
      value: `${this.api.api.url}items/`,
      description: 'PUT/DELETE <WriteUrl><id>, SigV4-signed (service execute-api) by a principal given grantWrite; GET here gets 403 (no API key): read through Url',
    });
    new CfnOutput(this, 'TableName', { value: this.api.table.tableName });
  }
}
