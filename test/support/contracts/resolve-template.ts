/**
 * Resolves the intrinsics of a synthesized CloudFormation template into the concrete strings AWS
 * would see for one account, region and stack name, so that policies can be evaluated as AWS
 * evaluates them (a `Fn::Join` of `AWS::Region` and a `Ref` is not an ARN a simulator can match).
 *
 * Physical names of resources without an explicit name are invented the way CloudFormation does
 * (stack name + logical ID + suffix); `Ref` and `Fn::GetAtt` return what the resource type
 * documents for them. Types not in {@link RESOURCE_MODELS} resolve to opaque placeholders.
 */

/** The deployment that intrinsics resolve against. */
export interface Deployment {
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  /** @default 'aws' */
  readonly partition?: string;
}

/** A CloudFormation template as JSON. */
export interface TemplateJson {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;
  readonly Parameters?: Record<string, { Default?: unknown }>;
  readonly [key: string]: unknown;
}

interface Names { readonly name: string; readonly account: string; readonly region: string; readonly partition: string }

/** What `Ref` and `Fn::GetAtt` return for one resource type, and where its physical name comes from. */
interface ResourceModel {
  /** Property holding an explicit physical name. */
  readonly nameProperty?: string;
  /** Physical names of this type are lower case (S3 buckets). */
  readonly lowerCase?: boolean;
  readonly ref: (n: Names) => string;
  readonly attributes: Record<string, (n: Names) => string>;
}

const arn = (service: string, resource: string) => (n: Names) =>
  `arn:${n.partition}:${service}:${n.region}:${n.account}:${resource.replace('{name}', n.name)}`;

/** Documented `Ref`/`Fn::GetAtt` return values of the resource types our checks reason about. */
const RESOURCE_MODELS: Record<string, ResourceModel> = {
  'AWS::KMS::Key': {
    ref: (n) => n.name,
    attributes: { Arn: arn('kms', 'key/{name}'), KeyId: (n) => n.name },
  },
  'AWS::SQS::Queue': {
    nameProperty: 'QueueName',
    ref: (n) => `https://sqs.${n.region}.amazonaws.com/${n.account}/${n.name}`,
    attributes: {
      Arn: arn('sqs', '{name}'),
      QueueName: (n) => n.name,
      QueueUrl: (n) => `https://sqs.${n.region}.amazonaws.com/${n.account}/${n.name}`,
    },
  },
  'AWS::SNS::Topic': {
    nameProperty: 'TopicName',
    ref: arn('sns', '{name}'),
    attributes: { TopicArn: arn('sns', '{name}'), TopicName: (n) => n.name },
  },
  'AWS::Logs::LogGroup': {
    nameProperty: 'LogGroupName',
    ref: (n) => n.name,
    attributes: { Arn: arn('logs', 'log-group:{name}:*') },
  },
  'AWS::S3::Bucket': {
    nameProperty: 'BucketName',
    lowerCase: true,
    ref: (n) => n.name,
    // bucket ARNs name neither region nor account
    attributes: { Arn: (n) => `arn:${n.partition}:s3:::${n.name}`, DomainName: (n) => `${n.name}.s3.amazonaws.com` },
  },
  'AWS::Lambda::Function': {
    nameProperty: 'FunctionName',
    ref: (n) => n.name,
    attributes: { Arn: arn('lambda', 'function:{name}') },
  },
  'AWS::Events::Rule': {
    nameProperty: 'Name',
    ref: (n) => n.name,
    attributes: { Arn: arn('events', 'rule/{name}') },
  },
  'AWS::CloudWatch::Alarm': {
    nameProperty: 'AlarmName',
    ref: (n) => n.name,
    attributes: { Arn: arn('cloudwatch', 'alarm:{name}') },
  },
  'AWS::IAM::Role': {
    nameProperty: 'RoleName',
    ref: (n) => n.name,
    attributes: { Arn: (n) => `arn:${n.partition}:iam::${n.account}:role/${n.name}`, RoleId: (n) => `AROA${n.name.length}` },
  },
};

const PSEUDO_PARAMETERS: Record<string, (d: Required<Deployment>) => string> = {
  'AWS::AccountId': (d) => d.account,
  'AWS::Region': (d) => d.region,
  'AWS::Partition': (d) => d.partition,
  'AWS::StackName': (d) => d.stackName,
  'AWS::StackId': (d) => `arn:${d.partition}:cloudformation:${d.region}:${d.account}:stack/${d.stackName}/00000000-0000-0000-0000-000000000000`,
  'AWS::URLSuffix': () => 'amazonaws.com',
};

/** A template whose intrinsics resolve against one {@link Deployment}. */
export class ResolvedTemplate {
  readonly deployment: Required<Deployment>;

  constructor(readonly template: TemplateJson, deployment: Deployment) {
    this.deployment = { partition: 'aws', ...deployment };
  }

  /** Logical IDs of the resources of one type. */
  logicalIds(type: string): string[] {
    return Object.entries(this.template.Resources).filter(([, r]) => r.Type === type).map(([id]) => id);
  }

  /** A resource's properties with every intrinsic resolved. */
  properties(logicalId: string): Record<string, any> {
    return this.resolve(this.resource(logicalId).Properties ?? {}) as Record<string, any>;
  }

  /** The physical name CloudFormation gives the resource: its name property, else a generated one. */
  physicalName(logicalId: string): string {
    const resource = this.resource(logicalId);
    const model = RESOURCE_MODELS[resource.Type];
    const explicit = model?.nameProperty ? resource.Properties?.[model.nameProperty] : undefined;
    if (explicit !== undefined) return String(this.resolve(explicit));
    // CloudFormation's generated names: <stack name>-<logical ID>-<random suffix>
    const generated = `${this.deployment.stackName}-${logicalId}-1A2B3C4D5E6F`;
    return model?.lowerCase ? generated.toLowerCase() : generated;
  }

  /** What `{ Ref: logicalId }` returns. */
  ref(logicalId: string): string {
    const pseudo = PSEUDO_PARAMETERS[logicalId];
    if (pseudo) return pseudo(this.deployment);
    const parameter = this.template.Parameters?.[logicalId];
    if (parameter) {
      if (parameter.Default === undefined) throw new Error(`Parameter ${logicalId} has no default to resolve with`);
      return String(parameter.Default);
    }
    const model = RESOURCE_MODELS[this.resource(logicalId).Type];
    return model ? model.ref(this.names(logicalId)) : `${logicalId}-ref`;
  }

  /** What `{ 'Fn::GetAtt': [logicalId, attribute] }` returns. */
  getAtt(logicalId: string, attribute: string): string {
    const model = RESOURCE_MODELS[this.resource(logicalId).Type];
    const attr = model?.attributes[attribute];
    return attr ? attr(this.names(logicalId)) : `${logicalId}-${attribute}`;
  }

  /** Resolves every intrinsic in `value` (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split, Fn::GetAZs, Fn::Base64, Fn::FindInMap, Fn::GetStackOutput); throws on others. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [fn, arg] = entries[0];
      switch (fn) {
        case 'Ref': return arg === 'AWS::NoValue' ? NO_VALUE : this.ref(arg as string);
        case 'Fn::GetAtt': {
          const [id, attribute] = typeof arg === 'string' ? splitOnce(arg, '.') : arg as [string, string];
          return this.getAtt(id, attribute);
        }
        case 'Fn::Join': {
          const [separator, parts] = arg as [string, unknown[]];
          return (this.resolve(parts) as unknown[]).join(separator);
        }
        case 'Fn::Sub': return this.sub(arg as string | [string, Record<string, unknown>]);
        case 'Fn::Select': {
          const [index, list] = arg as [unknown, unknown];
          return (this.resolve(list) as unknown[])[Number(this.resolve(index))];
        }
        case 'Fn::Split': {
          const [separator, source] = arg as [string, unknown];
          return String(this.resolve(source)).split(separator);
        }
        case 'Fn::GetAZs': return ['a', 'b', 'c'].map((az) => `${this.deployment.region}${az}`);
        case 'Fn::Base64': return Buffer.from(String(this.resolve(arg))).toString('base64');
        // another stack's output (a weak cross-stack reference): opaque here, named after its source
        case 'Fn::GetStackOutput': {
          const { StackName, OutputName } = arg as { StackName: string; OutputName: string };
          return `stack-output:${StackName}:${OutputName}`;
        }
        case 'Fn::FindInMap': {
          const [map, top, second] = this.resolve(arg) as string[];
          const mappings = this.template.Mappings as Record<string, Record<string, Record<string, unknown>>> | undefined;
          const found = mappings?.[map]?.[top]?.[second];
          if (found === undefined) throw new Error(`resolve-template: no mapping ${map}.${top}.${second}`);
          return found;
        }
        default:
          if (fn.startsWith('Fn::')) throw new Error(`resolve-template: ${fn} is not supported (${JSON.stringify(value)})`);
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v)]).filter(([, v]) => v !== NO_VALUE));
  }

  /** The logical ID of the resource of `type` whose `Ref` or `Fn::GetAtt` resolves to `physical`, if any. */
  findByReference(type: string, physical: string): string | undefined {
    return this.logicalIds(type).find((id) => {
      const model = RESOURCE_MODELS[type];
      return this.ref(id) === physical || Object.keys(model?.attributes ?? {}).some((a) => this.getAtt(id, a) === physical);
    });
  }

  private sub(arg: string | [string, Record<string, unknown>]): string {
    const [text, variables] = typeof arg === 'string' ? [arg, {}] : arg;
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
      if (name in variables) return String(this.resolve(variables[name]));
      if (name.includes('.') && !name.startsWith('AWS::')) {
        const [id, attribute] = splitOnce(name, '.');
        return this.getAtt(id, attribute);
      }
      return this.ref(name);
    }).replace(/\$\{!/g, '${');
  }

  private names(logicalId: string): Names {
    return { name: this.physicalName(logicalId), account: this.deployment.account, region: this.deployment.region, partition: this.deployment.partition };
  }

  private resource(logicalId: string) {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new Error(`resolve-template: no resource ${logicalId} in the template`);
    return resource;
  }
}

const NO_VALUE = Symbol('AWS::NoValue');

function splitOnce(text: string, separator: string): [string, string] {
  const i = text.indexOf(separator);
  return [text.slice(0, i), text.slice(i + 1)];
}
