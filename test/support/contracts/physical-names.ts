import { ResolvedTemplate } from './resolve-template';

/** Where a physical name must be unique. */
export type NameScope = 'account' | 'region';

/** A resource type whose physical name must be unique, where to find the name, and the documentation saying so. */
export interface UniqueName {
  readonly type: string;
  /** Property path of the name, e.g. `ResponseHeadersPolicyConfig.Name`. */
  readonly path: string;
  /** `account`: one name per account across all regions; `region`: one per account and region. */
  readonly scope: NameScope;
  /** The documentation (API error or quota) that makes the name unique. */
  readonly docs: string;
}

/**
 * Physical names AWS keeps unique. CloudFront and IAM are global services, so their names collide
 * between two regions of one account; WAF's CLOUDFRONT scope is global too. The regional ones
 * collide between two stacks of one region. Global S3 bucket names are left out: buckets get
 * generated names here, and a fixed one collides across accounts as well.
 */
export const UNIQUE_NAMES: UniqueName[] = [
  { type: 'AWS::CloudFront::CachePolicy', path: 'CachePolicyConfig.Name', scope: 'account', docs: 'CloudFront API CreateCachePolicy: CachePolicyAlreadyExists' },
  { type: 'AWS::CloudFront::OriginRequestPolicy', path: 'OriginRequestPolicyConfig.Name', scope: 'account', docs: 'CloudFront API CreateOriginRequestPolicy: OriginRequestPolicyAlreadyExists ("You must provide a unique name")' },
  { type: 'AWS::CloudFront::ResponseHeadersPolicy', path: 'ResponseHeadersPolicyConfig.Name', scope: 'account', docs: 'CloudFront API CreateResponseHeadersPolicy: ResponseHeadersPolicyAlreadyExists' },
  { type: 'AWS::CloudFront::Function', path: 'Name', scope: 'account', docs: 'CloudFront API CreateFunction: FunctionAlreadyExists' },
  { type: 'AWS::CloudFront::KeyValueStore', path: 'Name', scope: 'account', docs: 'CloudFront API CreateKeyValueStore: EntityAlreadyExists' },
  { type: 'AWS::CloudFront::OriginAccessControl', path: 'OriginAccessControlConfig.Name', scope: 'account', docs: 'CloudFront API CreateOriginAccessControl: OriginAccessControlAlreadyExists' },
  { type: 'AWS::CloudFront::KeyGroup', path: 'KeyGroupConfig.Name', scope: 'account', docs: 'CloudFront API CreateKeyGroup: KeyGroupAlreadyExists' },
  { type: 'AWS::CloudFront::PublicKey', path: 'PublicKeyConfig.Name', scope: 'account', docs: 'CloudFront API CreatePublicKey: PublicKeyAlreadyExists' },
  { type: 'AWS::CloudFront::RealtimeLogConfig', path: 'Name', scope: 'account', docs: 'CloudFront API CreateRealtimeLogConfig: RealtimeLogConfigAlreadyExists' },
  { type: 'AWS::IAM::Role', path: 'RoleName', scope: 'account', docs: 'IAM API CreateRole: EntityAlreadyExists (IAM is global)' },
  { type: 'AWS::IAM::ManagedPolicy', path: 'ManagedPolicyName', scope: 'account', docs: 'IAM API CreatePolicy: EntityAlreadyExists' },
  { type: 'AWS::IAM::InstanceProfile', path: 'InstanceProfileName', scope: 'account', docs: 'IAM API CreateInstanceProfile: EntityAlreadyExists' },
  { type: 'AWS::WAFv2::WebACL', path: 'Name', scope: 'region', docs: 'WAFV2 API CreateWebACL: WAFDuplicateItemException (per scope; CLOUDFRONT scope lives in us-east-1)' },
  { type: 'AWS::WAFv2::IPSet', path: 'Name', scope: 'region', docs: 'WAFV2 API CreateIPSet: WAFDuplicateItemException' },
  { type: 'AWS::SQS::Queue', path: 'QueueName', scope: 'region', docs: 'SQS API CreateQueue: QueueNameExists' },
  { type: 'AWS::SNS::Topic', path: 'TopicName', scope: 'region', docs: 'SNS API CreateTopic (a topic name is unique per account and region)' },
  { type: 'AWS::Logs::LogGroup', path: 'LogGroupName', scope: 'region', docs: 'CloudWatch Logs API CreateLogGroup: ResourceAlreadyExistsException' },
  { type: 'AWS::Lambda::Function', path: 'FunctionName', scope: 'region', docs: 'Lambda API CreateFunction: ResourceConflictException' },
  { type: 'AWS::EC2::LaunchTemplate', path: 'LaunchTemplateName', scope: 'region', docs: 'EC2 API CreateLaunchTemplate: InvalidLaunchTemplateName.AlreadyExistsException' },
  { type: 'AWS::ElastiCache::ServerlessCache', path: 'ServerlessCacheName', scope: 'region', docs: 'ElastiCache API CreateServerlessCache: ServerlessCacheAlreadyExistsFault' },
  { type: 'AWS::ElastiCache::User', path: 'UserId', scope: 'region', docs: 'ElastiCache API CreateUser: UserAlreadyExists (by user ID)' },
  { type: 'AWS::ElastiCache::UserGroup', path: 'UserGroupId', scope: 'region', docs: 'ElastiCache API CreateUserGroup: UserGroupAlreadyExists' },
  { type: 'AWS::Events::Rule', path: 'Name', scope: 'region', docs: 'EventBridge API PutRule (a rule name is unique per event bus; PutRule on an existing name overwrites it)' },
  { type: 'AWS::SSM::Parameter', path: 'Name', scope: 'region', docs: 'SSM API PutParameter: ParameterAlreadyExists' },
  { type: 'AWS::SSM::Document', path: 'Name', scope: 'region', docs: 'SSM API CreateDocument: DocumentAlreadyExists' },
  { type: 'AWS::SecretsManager::Secret', path: 'Name', scope: 'region', docs: 'Secrets Manager API CreateSecret: ResourceExistsException' },
  { type: 'AWS::DynamoDB::Table', path: 'TableName', scope: 'region', docs: 'DynamoDB API CreateTable: ResourceInUseException' },
  { type: 'AWS::CloudWatch::Alarm', path: 'AlarmName', scope: 'region', docs: 'CloudWatch API PutMetricAlarm (an existing name is overwritten)' },
  { type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', path: 'Name', scope: 'region', docs: 'ELB API CreateLoadBalancer: DuplicateLoadBalancerName' },
  { type: 'AWS::ElasticLoadBalancingV2::TargetGroup', path: 'Name', scope: 'region', docs: 'ELB API CreateTargetGroup: DuplicateTargetGroupName' },
  { type: 'AWS::AutoScaling::AutoScalingGroup', path: 'AutoScalingGroupName', scope: 'region', docs: 'Auto Scaling API CreateAutoScalingGroup: AlreadyExists' },
  { type: 'AWS::Batch::ComputeEnvironment', path: 'ComputeEnvironmentName', scope: 'region', docs: 'Batch API CreateComputeEnvironment (names are unique per account and region)' },
  { type: 'AWS::Batch::JobQueue', path: 'JobQueueName', scope: 'region', docs: 'Batch API CreateJobQueue (names are unique per account and region)' },
  { type: 'AWS::KMS::Alias', path: 'AliasName', scope: 'region', docs: 'KMS API CreateAlias: AlreadyExistsException' },
];

/** One named resource of a template: its logical ID, the rule it falls under, and the name resolved. */
export interface NamedResource {
  readonly logicalId: string;
  readonly rule: UniqueName;
  readonly name: string;
}

/** The unique-per-account/region names a template sets (resources without a name are left to CloudFormation). */
export function uniqueNames(t: ResolvedTemplate): NamedResource[] {
  return UNIQUE_NAMES.flatMap((rule) => t.logicalIds(rule.type).flatMap((logicalId) => {
    const name = rule.path.split('.').reduce<any>((value, key) => value?.[key], t.properties(logicalId));
    return name === undefined ? [] : [{ logicalId, rule, name: String(name) }];
  }));
}

/**
 * Compares the names of two deployments of the same example that must not collide: `other` is
 * the same stack under another stack name (and, for account-scoped names, another region). Returns
 * one line per name that stays the same.
 */
export function collidingNames(base: ResolvedTemplate, otherStackName: ResolvedTemplate, otherRegion: ResolvedTemplate): string[] {
  const problems: string[] = [];
  const byId = (t: ResolvedTemplate) => new Map(uniqueNames(t).map((n) => [`${n.rule.type} ${n.logicalId}`, n.name]));
  const renamed = byId(otherStackName);
  const moved = byId(otherRegion);
  for (const named of uniqueNames(base)) {
    const id = `${named.rule.type} ${named.logicalId}`;
    const what = `${named.logicalId} (${named.rule.type}) is named '${named.name}'`;
    if (renamed.get(id) === named.name) {
      problems.push(`${what} in stacks ${base.deployment.stackName} and ${otherStackName.deployment.stackName} of one region: include the stack name, or leave the name to CloudFormation (${named.rule.docs})`);
    }
    if (named.rule.scope === 'account' && moved.get(id) === named.name) {
      problems.push(`${what} in ${base.deployment.region} and ${otherRegion.deployment.region}, but it is unique per account: include the region, or leave the name to CloudFormation (${named.rule.docs})`);
    }
  }
  return problems;
}
