import { ResolvedTemplate } from './resolve-template';

/** Metric names AWS publishes with one set of dimensions. */
export interface MetricGroup {
  /** Each dimension set the metrics are published with (names, any order; `[]` for the account-wide aggregate). */
  readonly dimensionSets: string[][];
  readonly metrics: string[];
  /**
   * Something the metrics need besides the resource, checked on the resource a dimension names
   * (e.g. Auto Scaling group metrics are only published when the group collects them); returns the problem.
   */
  readonly requires?: (t: ResolvedTemplate, resourceId: string, metricName: string) => string | undefined;
}

/** What a dimension value must be: the identifier of a resource of the stack, or a documented constant. */
export interface DimensionRule {
  /** Resource types whose identifier the value may be, and how to get that identifier from the template. */
  readonly resources?: { readonly type: string; readonly value: (t: ResolvedTemplate, logicalId: string) => string | string[] }[];
  /** Documented constant values, given the region the metric is read in. */
  readonly constants?: (region: string) => string[];
}

/** One namespace: where its metrics are documented, which exist, and what each dimension names. */
export interface NamespaceCatalog {
  readonly docs: string;
  readonly groups: MetricGroup[];
  readonly dimensions: Record<string, DimensionRule>;
  /** The only region the namespace's metrics (with these dimensions) are published in. */
  readonly homeRegion?: (dimensionNames: string[]) => string | undefined;
}

const ref = (type: string): DimensionRule => ({ resources: [{ type, value: (t, id) => t.ref(id) }] });
const attr = (type: string, attribute: string): DimensionRule => ({ resources: [{ type, value: (t, id) => t.getAtt(id, attribute) }] });
/** A resource whose dimension value is one of its (resolved) properties, e.g. a REST API's `Name`. */
const property = (type: string, path: string): DimensionRule => ({
  resources: [{ type, value: (t, id) => path.split('.').reduce<any>((v, key) => v?.[key], t.properties(id)) ?? `${id}-${path}-unset` }],
});

const ALB_LOAD_BALANCER_METRICS = [
  'ActiveConnectionCount', 'ClientTLSNegotiationErrorCount', 'ConsumedLCUs', 'DesyncMitigationMode_NonCompliant_Request_Count',
  'DroppedInvalidHeaderRequestCount', 'ForwardedInvalidHeaderRequestCount', 'HTTP_Fixed_Response_Count', 'HTTP_Redirect_Count',
  'HTTP_Redirect_Url_Limit_Exceeded_Count', 'HTTPCode_ELB_3XX_Count', 'HTTPCode_ELB_4XX_Count', 'HTTPCode_ELB_5XX_Count',
  'HTTPCode_ELB_500_Count', 'HTTPCode_ELB_502_Count', 'HTTPCode_ELB_503_Count', 'HTTPCode_ELB_504_Count', 'IPv6ProcessedBytes',
  'IPv6RequestCount', 'NewConnectionCount', 'NonStickyRequestCount', 'ProcessedBytes', 'RejectedConnectionCount', 'RequestCount',
  'RuleEvaluations',
];
const ALB_TARGET_METRICS = [
  'HTTPCode_Target_2XX_Count', 'HTTPCode_Target_3XX_Count', 'HTTPCode_Target_4XX_Count', 'HTTPCode_Target_5XX_Count',
  'RequestCount', 'RequestCountPerTarget', 'TargetConnectionErrorCount', 'TargetResponseTime', 'TargetTLSNegotiationErrorCount',
];
const TARGET_HEALTH_METRICS = ['HealthyHostCount', 'UnHealthyHostCount', 'HealthyStateDNS', 'HealthyStateRouting', 'UnhealthyStateDNS', 'UnhealthyStateRouting'];
const LOAD_BALANCER = (type: 'application' | 'network'): DimensionRule => ({
  resources: [{
    type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
    value: (t, id) => ((t.template.Resources[id].Properties?.Type ?? 'application') === type ? t.getAtt(id, 'LoadBalancerFullName') : []),
  }],
});
const TARGET_GROUP = attr('AWS::ElasticLoadBalancingV2::TargetGroup', 'TargetGroupFullName');

/** CloudFront's additional metrics exist only with a monitoring subscription on the distribution. */
const CLOUDFRONT_ADDITIONAL = ['401ErrorRate', '403ErrorRate', '404ErrorRate', '502ErrorRate', '503ErrorRate', '504ErrorRate', 'OriginLatency', 'CacheHitRate'];

/**
 * The AWS namespaces our stacks read, from each service's CloudWatch metrics page (`docs`). A metric
 * must be listed for its exact dimension set, and each dimension value must be the identifier of a
 * resource of the stack (resolved from the template) or a documented constant. Grow the table with
 * the code: an unknown namespace, metric or dimension fails with a message saying where to add it.
 */
export const AWS_NAMESPACES: Record<string, NamespaceCatalog> = {
  'AWS/SQS': {
    docs: 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html',
    groups: [{
      dimensionSets: [['QueueName']],
      metrics: [
        'ApproximateAgeOfOldestMessage', 'ApproximateNumberOfGroupsWithInflightMessages', 'ApproximateNumberOfMessagesDelayed',
        'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesVisible', 'NumberOfDeduplicatedSentMessages',
        'NumberOfEmptyReceives', 'NumberOfMessagesDeleted', 'NumberOfMessagesReceived', 'NumberOfMessagesSent', 'SentMessageSize',
      ],
    }],
    dimensions: { QueueName: attr('AWS::SQS::Queue', 'QueueName') },
  },
  'AWS/SNS': {
    docs: 'https://docs.aws.amazon.com/sns/latest/dg/sns-monitoring-using-cloudwatch.html',
    groups: [{
      dimensionSets: [['TopicName']],
      metrics: [
        'NumberOfMessagesPublished', 'NumberOfNotificationsDelivered', 'NumberOfNotificationsFailed', 'NumberOfNotificationsFilteredOut',
        'NumberOfNotificationsFilteredOut-InvalidAttributes', 'NumberOfNotificationsFilteredOut-InvalidMessageBody',
        'NumberOfNotificationsFilteredOut-NoMessageAttributes', 'NumberOfNotificationsRedrivenToDlq',
        'NumberOfNotificationsFailedToRedriveToDlq', 'PublishSize',
      ],
    }],
    dimensions: { TopicName: attr('AWS::SNS::Topic', 'TopicName') },
  },
  'AWS/Lambda': {
    docs: 'https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html',
    groups: [{
      dimensionSets: [['FunctionName'], ['FunctionName', 'Resource'], []],
      metrics: [
        'Invocations', 'Errors', 'DeadLetterErrors', 'DestinationDeliveryFailures', 'Throttles', 'OversizedRecordCount',
        'ProvisionedConcurrencyInvocations', 'ProvisionedConcurrencySpilloverInvocations', 'RecursiveInvocationsDropped',
        'Duration', 'PostRuntimeExtensionsDuration', 'IteratorAge', 'OffsetLag', 'ConcurrentExecutions',
        'ProvisionedConcurrentExecutions', 'ProvisionedConcurrencyUtilization', 'AsyncEventsReceived', 'AsyncEventAge', 'AsyncEventsDropped',
      ],
    }, {
      dimensionSets: [[]],
      metrics: ['UnreservedConcurrentExecutions', 'ClaimedAccountConcurrency'],
    }],
    dimensions: {
      FunctionName: ref('AWS::Lambda::Function'),
      // the function, or <function>:<alias>
      Resource: {
        resources: [
          { type: 'AWS::Lambda::Function', value: (t, id) => t.ref(id) },
          { type: 'AWS::Lambda::Alias', value: (t, id) => { const p = t.properties(id); return `${p.FunctionName}:${p.Name}`; } },
        ],
      },
    },
  },
  'AWS/ApplicationELB': {
    docs: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html',
    groups: [
      { dimensionSets: [['LoadBalancer'], ['AvailabilityZone', 'LoadBalancer']], metrics: [...ALB_LOAD_BALANCER_METRICS, ...ALB_TARGET_METRICS] },
      { dimensionSets: [['TargetGroup'], ['LoadBalancer', 'TargetGroup'], ['AvailabilityZone', 'LoadBalancer', 'TargetGroup']], metrics: ALB_TARGET_METRICS },
      { dimensionSets: [['LoadBalancer', 'TargetGroup'], ['AvailabilityZone', 'LoadBalancer', 'TargetGroup']], metrics: [...TARGET_HEALTH_METRICS, 'AnomalousHostCount', 'MitigatedHostCount'] },
    ],
    dimensions: { LoadBalancer: LOAD_BALANCER('application'), TargetGroup: TARGET_GROUP },
  },
  'AWS/NetworkELB': {
    docs: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-cloudwatch-metrics.html',
    groups: [{
      dimensionSets: [['LoadBalancer'], ['AvailabilityZone', 'LoadBalancer']],
      metrics: [
        'ActiveFlowCount', 'ActiveFlowCount_TCP', 'ActiveFlowCount_TLS', 'ActiveFlowCount_UDP', 'ClientTLSNegotiationErrorCount',
        'ConsumedLCUs', 'ConsumedLCUs_TCP', 'ConsumedLCUs_TLS', 'ConsumedLCUs_UDP', 'NewFlowCount', 'NewFlowCount_TCP', 'NewFlowCount_TLS',
        'NewFlowCount_UDP', 'PeakPacketsPerSecond', 'PortAllocationErrorCount', 'ProcessedBytes', 'ProcessedBytes_TCP', 'ProcessedBytes_TLS',
        'ProcessedBytes_UDP', 'ProcessedPackets', 'RejectedFlowCount', 'RejectedFlowCount_TCP', 'SecurityGroupBlockedFlowCount_Inbound_ICMP',
        'SecurityGroupBlockedFlowCount_Inbound_TCP', 'SecurityGroupBlockedFlowCount_Inbound_UDP', 'SecurityGroupBlockedFlowCount_Outbound_ICMP',
        'SecurityGroupBlockedFlowCount_Outbound_TCP', 'SecurityGroupBlockedFlowCount_Outbound_UDP', 'TargetTLSNegotiationErrorCount',
        'TCP_Client_Reset_Count', 'TCP_ELB_Reset_Count', 'TCP_Target_Reset_Count', 'UnhealthyRoutingFlowCount',
      ],
    }, {
      dimensionSets: [['LoadBalancer', 'TargetGroup'], ['AvailabilityZone', 'LoadBalancer', 'TargetGroup']],
      metrics: TARGET_HEALTH_METRICS,
    }],
    dimensions: { LoadBalancer: LOAD_BALANCER('network'), TargetGroup: TARGET_GROUP },
  },
  'AWS/WAFV2': {
    docs: 'https://docs.aws.amazon.com/waf/latest/developerguide/waf-metrics.html',
    groups: [{
      // Region for REGIONAL web ACLs; none for CLOUDFRONT ones (published in us-east-1)
      dimensionSets: [['Region', 'Rule', 'WebACL'], ['Rule', 'WebACL']],
      metrics: ['AllowedRequests', 'BlockedRequests', 'CountedRequests', 'CaptchaRequests', 'RequestsWithValidCaptchaToken', 'ChallengeRequests', 'RequestsWithValidChallengeToken'],
    }],
    dimensions: {
      // the web ACL's and each rule's VisibilityConfig.MetricName ("the name of the CloudWatch metric dimension")
      WebACL: property('AWS::WAFv2::WebACL', 'VisibilityConfig.MetricName'),
      Rule: {
        resources: [{ type: 'AWS::WAFv2::WebACL', value: (t, id) => (t.properties(id).Rules ?? []).map((r: any) => r.VisibilityConfig?.MetricName) }],
        constants: () => ['ALL'],
      },
      Region: { constants: (region) => [region] },
    },
    homeRegion: (dimensions) => (dimensions.includes('Region') ? undefined : 'us-east-1'),
  },
  'AWS/CloudFront': {
    docs: 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/programming-cloudwatch-metrics.html',
    groups: [{
      dimensionSets: [['DistributionId', 'Region']],
      metrics: ['Requests', 'BytesDownloaded', 'BytesUploaded', '4xxErrorRate', '5xxErrorRate', 'TotalErrorRate'],
    }, {
      dimensionSets: [['DistributionId', 'Region']],
      metrics: CLOUDFRONT_ADDITIONAL,
      requires: (t, id, metricName) => (t.logicalIds('AWS::CloudFront::MonitoringSubscription').some((s) => {
        const raw = t.template.Resources[s].Properties as any;
        return JSON.stringify(raw?.DistributionId) === JSON.stringify({ Ref: id }) && raw?.MonitoringSubscription?.RealtimeMetricsSubscriptionConfig?.RealtimeMetricsSubscriptionStatus === 'Enabled';
      }) ? undefined : `${metricName} is an additional CloudFront metric: ${id} needs an AWS::CloudFront::MonitoringSubscription with RealtimeMetricsSubscriptionStatus Enabled`),
    }, {
      dimensionSets: [['FunctionName', 'Region']],
      metrics: ['FunctionInvocations', 'FunctionValidationErrors', 'FunctionExecutionErrors', 'FunctionThrottles', 'FunctionComputeUtilization'],
    }],
    dimensions: {
      DistributionId: ref('AWS::CloudFront::Distribution'),
      FunctionName: property('AWS::CloudFront::Function', 'Name'),
      // "The value for Region is always Global, because CloudFront is a global service."
      Region: { constants: () => ['Global'] },
    },
    homeRegion: () => 'us-east-1',
  },
  'AWS/ApiGateway': {
    docs: 'https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html',
    groups: [{
      dimensionSets: [['ApiName'], ['ApiName', 'Stage']],
      metrics: ['4XXError', '5XXError', 'CacheHitCount', 'CacheMissCount', 'Count', 'IntegrationLatency', 'Latency'],
    }],
    dimensions: { ApiName: property('AWS::ApiGateway::RestApi', 'Name'), Stage: property('AWS::ApiGateway::Stage', 'StageName') },
  },
  'AWS/ElastiCache': {
    // serverless caches publish under `clusterId` (node-based clusters use CacheClusterId, which we do not deploy)
    docs: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/serverless-metrics-events-redis.html',
    groups: [{
      dimensionSets: [['clusterId']],
      metrics: [
        'BytesUsedForCache', 'ElastiCacheProcessingUnits', 'SuccessfulReadRequestLatency', 'SuccessfulWriteRequestLatency', 'TotalCmdsCount',
        'CacheHitRate', 'CacheHits', 'CacheMisses', 'CurrConnections', 'ThrottledCmds', 'NewConnections', 'CurrItems', 'CurrVolatileItems',
        'NetworkBytesIn', 'NetworkBytesOut', 'Evictions', 'Reclaimed', 'IamAuthenticationExpirations', 'IamAuthenticationThrottling',
        'KeyAuthorizationFailures', 'AuthenticationFailures', 'CommandAuthorizationFailures',
      ],
    }],
    // Ref of AWS::ElastiCache::ServerlessCache is the cache name
    dimensions: { clusterId: ref('AWS::ElastiCache::ServerlessCache') },
  },
  'AWS/EC2': {
    docs: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/viewing_metrics_with_cloudwatch.html',
    groups: [{
      dimensionSets: [['InstanceId'], ['AutoScalingGroupName'], []],
      metrics: [
        'CPUUtilization', 'CPUCreditUsage', 'CPUCreditBalance', 'CPUSurplusCreditBalance', 'CPUSurplusCreditsCharged',
        'DiskReadOps', 'DiskWriteOps', 'DiskReadBytes', 'DiskWriteBytes', 'EBSReadOps', 'EBSWriteOps', 'EBSReadBytes', 'EBSWriteBytes',
        'EBSIOBalance%', 'EBSByteBalance%', 'MetadataNoToken', 'MetadataNoTokenRejected', 'NetworkIn', 'NetworkOut', 'NetworkPacketsIn',
        'NetworkPacketsOut', 'StatusCheckFailed', 'StatusCheckFailed_Instance', 'StatusCheckFailed_System', 'StatusCheckFailed_AttachedEBS',
      ],
    }],
    dimensions: { InstanceId: ref('AWS::EC2::Instance'), AutoScalingGroupName: ref('AWS::AutoScaling::AutoScalingGroup') },
  },
  'AWS/AutoScaling': {
    docs: 'https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-metrics.html',
    groups: [{
      dimensionSets: [['AutoScalingGroupName']],
      metrics: [
        'GroupMinSize', 'GroupMaxSize', 'GroupDesiredCapacity', 'GroupInServiceInstances', 'GroupPendingInstances', 'GroupStandbyInstances',
        'GroupTerminatingInstances', 'GroupTotalInstances', 'GroupInServiceCapacity', 'GroupPendingCapacity', 'GroupStandbyCapacity',
        'GroupTerminatingCapacity', 'GroupTotalCapacity', 'WarmPoolDesiredCapacity', 'WarmPoolWarmedCapacity', 'WarmPoolPendingCapacity',
        'WarmPoolTerminatingCapacity', 'WarmPoolTotalCapacity', 'GroupAndWarmPoolDesiredCapacity', 'GroupAndWarmPoolTotalCapacity',
      ],
      // "group metrics ... are available only when you enable metrics collection" (MetricsCollection; no Metrics list = all)
      requires: (t, id, metricName) => ((t.properties(id).MetricsCollection ?? []).some((c: any) => !c.Metrics || c.Metrics.includes(metricName))
        ? undefined : `${id} does not collect ${metricName}: set the group's MetricsCollection (groupMetrics in aws-cdk-lib), else the metric is never published`),
    }],
    dimensions: { AutoScalingGroupName: ref('AWS::AutoScaling::AutoScalingGroup') },
  },
  'AWS/FSx': {
    docs: 'https://docs.aws.amazon.com/fsx/latest/LustreGuide/fs-metrics.html',
    groups: [{
      dimensionSets: [['FileSystemId']],
      metrics: [
        'DataReadBytes', 'DataWriteBytes', 'DataReadOperations', 'DataWriteOperations', 'MetadataOperations', 'FreeDataStorageCapacity',
        'ClientConnections', 'LogicalDiskUsage', 'PhysicalDiskUsage',
      ],
    }],
    dimensions: { FileSystemId: ref('AWS::FSx::FileSystem') },
  },
  'AWS/EFS': {
    docs: 'https://docs.aws.amazon.com/efs/latest/ug/efs-metrics.html',
    groups: [{
      dimensionSets: [['FileSystemId']],
      metrics: [
        'BurstCreditBalance', 'ClientConnections', 'DataReadIOBytes', 'DataWriteIOBytes', 'MetadataIOBytes', 'MetadataReadIOBytes',
        'MetadataWriteIOBytes', 'MeteredIOBytes', 'PercentIOLimit', 'PermittedThroughput', 'TotalIOBytes',
      ],
    }, { dimensionSets: [['FileSystemId', 'StorageClass']], metrics: ['StorageBytes'] }],
    dimensions: { FileSystemId: ref('AWS::EFS::FileSystem'), StorageClass: { constants: () => ['Total', 'Standard', 'IA', 'Archive'] } },
  },
  'AWS/DataSync': {
    docs: 'https://docs.aws.amazon.com/datasync/latest/userguide/monitor-datasync.html',
    groups: [{
      dimensionSets: [['TaskId']],
      metrics: [
        'BytesCompressed', 'BytesPreparedDestination', 'BytesPreparedSource', 'BytesTransferred', 'BytesVerifiedDestination',
        'BytesVerifiedSource', 'BytesWritten', 'FilesPreparedDestination', 'FilesPreparedSource', 'FilesSkipped', 'FilesTransferred',
        'FilesVerifiedDestination', 'FilesVerifiedSource',
      ],
    }],
    // the task ID is the last part of the task ARN (Ref), `task-0123456789abcdef0`
    dimensions: { TaskId: { resources: [{ type: 'AWS::DataSync::Task', value: (t, id) => t.ref(id).split('/').pop()! }] } },
  },
  'AWS/Events': {
    docs: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html',
    groups: [{
      dimensionSets: [['RuleName'], ['EventBusName', 'RuleName'], []],
      metrics: [
        'Invocations', 'FailedInvocations', 'TriggeredRules', 'MatchedEvents', 'ThrottledRules', 'DeadLetterInvocations',
        'InvocationsSentToDlq', 'InvocationsFailedToBeSentToDlq', 'InvocationAttempts', 'SuccessfulInvocationAttempts', 'RetryInvocationAttempts',
      ],
    }],
    dimensions: { RuleName: ref('AWS::Events::Rule'), EventBusName: { ...ref('AWS::Events::EventBus'), constants: () => ['default'] } },
  },
};

/**
 * Our own namespaces: metrics the handlers emit in CloudWatch embedded metric format, or that a
 * metric filter of ours derives from their logs. Each entry names where they come from; the stack
 * must also have their writer (a function with `POWERTOOLS_METRICS_NAMESPACE` set to the namespace,
 * or an `AWS::Logs::MetricFilter` producing the metric), so a dashboard cannot read a namespace
 * nothing writes to.
 */
export const OWN_NAMESPACES: Record<string, NamespaceCatalog> = {
  // lambda/cached-api (`cacheResultMetrics`), EMF parsed in test/lambda/cached-api.test.ts
  CachedApi: {
    docs: 'lambda/cached-api/index.ts',
    groups: [{ dimensionSets: [['service']], metrics: ['CacheHit', 'CacheMiss', 'CacheError', 'CacheBypass'] }],
    dimensions: { service: ref('AWS::Lambda::Function') },
  },
  // the S3ThumbnailPipeline metric filter over the thumbnail handler's rejection log lines (lib/s3/s3-thumbnail-pipeline.ts)
  'CdkReferenceArchitectures/S3ThumbnailPipeline': {
    docs: 'lib/s3/s3-thumbnail-pipeline.ts',
    groups: [{ dimensionSets: [['FunctionName']], metrics: ['FailedImages'] }],
    dimensions: { FunctionName: ref('AWS::Lambda::Function') },
  },
};
