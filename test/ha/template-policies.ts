import { Template } from 'aws-cdk-lib/assertions';
import type { PolicyDocumentJson } from '../support/policy-simulator';

/** The account, region and partition a synthesized template is evaluated in. */
export const ENV = { account: '111111111111', region: 'eu-west-1', partition: 'aws' } as const;

const PSEUDO: Record<string, string> = {
  'AWS::AccountId': ENV.account,
  'AWS::Region': ENV.region,
  'AWS::Partition': ENV.partition,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackId': `arn:aws:cloudformation:${ENV.region}:${ENV.account}:stack/TestStack/0a1b2c3d-4e5f-6789-abcd-ef0123456789`,
};

/** Physical name of a resource as CloudFormation would report it: its name property if set, else its logical ID. */
function physicalName(template: Template, logicalId: string): string {
  const resource = template.toJSON().Resources[logicalId];
  if (!resource) throw new Error(`Ref to unknown resource ${logicalId}`);
  const props = resource.Properties ?? {};
  const name = props.LogGroupName ?? props.Name ?? props.RoleName ?? props.QueueName;
  return name === undefined ? logicalId : String(resolve(template, name));
}

/**
 * Resolves `Ref`, `Fn::GetAtt` (to `<logicalId>.<attribute>`, or an ARN for `Arn`), `Fn::Join`,
 * `Fn::Split` and `Fn::Select`
 * the way CloudFormation would in {@link ENV}, so policies can be given to the policy simulator.
 */
export function resolve(template: Template, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(template, v));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  if ('Ref' in obj) {
    const ref = obj.Ref as string;
    return PSEUDO[ref] ?? physicalName(template, ref);
  }
  if ('Fn::GetAtt' in obj) {
    const [id, attribute] = obj['Fn::GetAtt'] as [string, string];
    const type = template.toJSON().Resources[id]?.Type as string | undefined;
    if (attribute === 'Arn' && type === 'AWS::KMS::Key') return `arn:aws:kms:${ENV.region}:${ENV.account}:key/${id}`;
    if (attribute === 'Arn' && type === 'AWS::IAM::Role') return `arn:aws:iam::${ENV.account}:role/${physicalName(template, id)}`;
    if (attribute === 'Arn' && type === 'AWS::Logs::LogGroup') return `arn:aws:logs:${ENV.region}:${ENV.account}:log-group:${physicalName(template, id)}:*`;
    if (attribute === 'Arn' && type === 'AWS::SQS::Queue') return `arn:aws:sqs:${ENV.region}:${ENV.account}:${physicalName(template, id)}`;
    if (attribute === 'Arn' && type === 'AWS::Events::Rule') return `arn:aws:events:${ENV.region}:${ENV.account}:rule/${physicalName(template, id)}`;
    return `${id}.${attribute}`;
  }
  if ('Fn::Split' in obj) {
    const [separator, source] = obj['Fn::Split'] as [string, unknown];
    return String(resolve(template, source)).split(separator);
  }
  if ('Fn::Select' in obj) {
    const [index, list] = obj['Fn::Select'] as [number | string, unknown];
    return (resolve(template, list) as unknown[])[Number(index)];
  }
  if ('Fn::Join' in obj) {
    const [separator, parts] = obj['Fn::Join'] as [string, unknown[]];
    return (resolve(template, parts) as unknown[]).join(separator);
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolve(template, v)]));
}

/** The resolved key policy of the only (or the given) KMS key. */
export function keyPolicy(template: Template, logicalIdPrefix = ''): PolicyDocumentJson {
  const keys = Object.entries(template.findResources('AWS::KMS::Key')).filter(([id]) => id.startsWith(logicalIdPrefix));
  if (keys.length !== 1) throw new Error(`expected one KMS key starting with '${logicalIdPrefix}', found ${keys.length}`);
  return resolve(template, keys[0][1].Properties.KeyPolicy) as PolicyDocumentJson;
}

/** The resolved inline policies (AWS::IAM::Policy) attached to the role with this logical ID prefix. */
export function rolePolicies(template: Template, roleIdPrefix: string): PolicyDocumentJson[] {
  const roles = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.startsWith(roleIdPrefix));
  if (roles.length !== 1) throw new Error(`expected one role starting with '${roleIdPrefix}', found ${roles.join(', ') || 'none'}`);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roles[0]))
    .map((p) => resolve(template, p.Properties.PolicyDocument) as PolicyDocumentJson);
}

/** The role's ARN in {@link ENV}. */
export function roleArn(template: Template, roleIdPrefix: string): string {
  const [id] = Object.keys(template.findResources('AWS::IAM::Role')).filter((r) => r.startsWith(roleIdPrefix));
  return `arn:aws:iam::${ENV.account}:role/${physicalName(template, id)}`;
}
