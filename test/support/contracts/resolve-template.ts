import { createHash } from 'crypto';

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

/** A return value that depends on other resources of the template (a listener's ARN names its load balancer). */
type Derived = (n: Names, t: ResolvedTemplate, logicalId: string) => string | string[];

/** What `Ref` and `Fn::GetAtt` return for one resource type, and where its physical name comes from. */
interface ResourceModel {
  /** Property holding an explicit physical name. */
  readonly nameProperty?: string;
  /** Physical names of this type are lower case (S3 buckets). */
  readonly lowerCase?: boolean;
  readonly ref: Derived;
  readonly attributes: Record<string, Derived>;
}

const arn = (service: string, resource: string) => (n: Names) =>
  `arn:${n.partition}:${service}:${n.region}:${n.account}:${resource.replace('{name}', n.name)}`;

/** The random part AWS puts in some identifiers, derived from the logical ID so that it is stable. */
const hex = (logicalId: string, length: number) => createHash('sha256').update(logicalId).digest('hex').slice(0, length);

/** The logical ID a `{ Ref }` property points to. */
const refTarget = (value: unknown) => (value && typeof value === 'object' && typeof (value as { Ref?: unknown }).Ref === 'string' ? (value as { Ref: string }).Ref : undefined);

/** `app/<name>/<id>` (or `net/…`): the LoadBalancer dimension of ELB metrics and the tail of the ARN. */
const loadBalancerFullName: Derived = (n, t, id) => {
  const type = t.template.Resources[id].Properties?.Type;
  return `${type === 'network' ? 'net' : type === 'gateway' ? 'gwy' : 'app'}/${n.name}/${hex(id, 16)}`;
};
const loadBalancerArn: Derived = (n, t, id) => arn('elasticloadbalancing', `loadbalancer/${loadBalancerFullName(n, t, id)}`)(n);
/** A listener's ARN: `…:listener/app/<lb name>/<lb id>/<listener id>`. */
const listenerArn: Derived = (_n, t, id) => {
  const lb = refTarget(t.template.Resources[id].Properties?.LoadBalancerArn);
  return lb ? `${t.ref(lb).replace(':loadbalancer/', ':listener/')}/${hex(id, 16)}` : `${id}-ref`;
};
/** The load balancers whose listeners (default actions or rules) forward to target group `id`. */
const targetGroupLoadBalancers: Derived = (_n, t, id) => {
  const forwardsHere = (props: unknown) => JSON.stringify(props ?? {}).includes(JSON.stringify({ Ref: id }));
  const listeners = new Set(t.logicalIds('AWS::ElasticLoadBalancingV2::Listener').filter((l) => forwardsHere(t.template.Resources[l].Properties?.DefaultActions)));
  for (const rule of t.logicalIds('AWS::ElasticLoadBalancingV2::ListenerRule')) {
    const props = t.template.Resources[rule].Properties;
    const listener = refTarget(props?.ListenerArn);
    if (listener && forwardsHere(props?.Actions)) listeners.add(listener);
  }
  const loadBalancers = [...listeners]
    .map((l) => refTarget(t.template.Resources[l].Properties?.LoadBalancerArn))
    .filter((lb): lb is string => !!lb);
  return [...new Set(loadBalancers)].map((lb) => t.ref(lb));
};

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
  'AWS::ApiGateway::Stage': {
    nameProperty: 'StageName',
    ref: (n) => n.name,
    attributes: {},
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
  'AWS::ElasticLoadBalancingV2::LoadBalancer': {
    nameProperty: 'Name',
    ref: loadBalancerArn,
    attributes: { LoadBalancerArn: loadBalancerArn, LoadBalancerFullName: loadBalancerFullName, LoadBalancerName: (n) => n.name },
  },
  'AWS::ElasticLoadBalancingV2::Listener': {
    ref: listenerArn,
    attributes: { ListenerArn: listenerArn },
  },
  'AWS::ElasticLoadBalancingV2::TargetGroup': {
    nameProperty: 'Name',
    ref: (n, _t, id) => arn('elasticloadbalancing', `targetgroup/{name}/${hex(id, 16)}`)(n),
    attributes: {
      TargetGroupArn: (n, _t, id) => arn('elasticloadbalancing', `targetgroup/{name}/${hex(id, 16)}`)(n),
      TargetGroupFullName: (n, _t, id) => `targetgroup/${n.name}/${hex(id, 16)}`,
      TargetGroupName: (n) => n.name,
      LoadBalancerArns: targetGroupLoadBalancers,
    },
  },
  'AWS::AutoScaling::ScalingPolicy': {
    ref: (n, _t, id) => arn('autoscaling', `scalingPolicy:${hex(id, 36)}:autoScalingGroupName/group:policyName/{name}`)(n),
    attributes: { Arn: (n, _t, id) => arn('autoscaling', `scalingPolicy:${hex(id, 36)}:autoScalingGroupName/group:policyName/{name}`)(n) },
  },
  'AWS::DataSync::Task': {
    ref: (n, _t, id) => arn('datasync', `task/task-${hex(id, 17)}`)(n),
    attributes: { TaskArn: (n, _t, id) => arn('datasync', `task/task-${hex(id, 17)}`)(n) },
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

  /**
   * The app's other stacks, by stack name, that `Fn::GetStackOutput` may read from; without one, an
   * output of it resolves to the opaque `stack-output:<stack>:<output>`.
   */
  readonly otherStacks: Record<string, ResolvedTemplate> = {};

  constructor(readonly template: TemplateJson, deployment: Deployment) {
    this.deployment = { partition: 'aws', ...deployment };
  }

  /** Logical IDs of the resources of one type. */
  /** The resources of `type` that exist in this deployment (a `Condition` that is false leaves one out). */
  logicalIds(type: string): string[] {
    return Object.entries(this.template.Resources).filter(([id, r]) => r.Type === type && this.exists(id)).map(([id]) => id);
  }

  /** Whether the resource exists in this deployment: its `Condition`, evaluated for the deployment's account and region. */
  exists(logicalId: string): boolean {
    const condition = (this.resource(logicalId) as { Condition?: string }).Condition;
    return condition === undefined || this.condition(condition);
  }

  private condition(name: string): boolean {
    const conditions = (this.template as { Conditions?: Record<string, unknown> }).Conditions ?? {};
    if (!(name in conditions)) throw new Error(`resolve-template: no condition ${name} in the template`);
    return this.evaluateCondition(conditions[name]);
  }

  private evaluateCondition(expression: unknown): boolean {
    const [[fn, arg]] = Object.entries(expression as Record<string, any>);
    switch (fn) {
      case 'Fn::Equals': return String(this.resolve(arg[0])) === String(this.resolve(arg[1]));
      case 'Fn::Not': return !this.evaluateCondition(arg[0]);
      case 'Fn::And': return (arg as unknown[]).every((e) => this.evaluateCondition(e));
      case 'Fn::Or': return (arg as unknown[]).some((e) => this.evaluateCondition(e));
      case 'Condition': return this.condition(arg as string);
      default: throw new Error(`resolve-template: condition function ${fn} is not supported`);
    }
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
    return model ? String(model.ref(this.names(logicalId), this, logicalId)) : `${logicalId}-ref`;
  }

  /** What `{ 'Fn::GetAtt': [logicalId, attribute] }` returns (a list for list attributes such as a target group's `LoadBalancerArns`). */
  getAtt(logicalId: string, attribute: string): string {
    return this.getAttValue(logicalId, attribute) as string;
  }

  private getAttValue(logicalId: string, attribute: string): string | string[] {
    const model = RESOURCE_MODELS[this.resource(logicalId).Type];
    const attr = model?.attributes[attribute];
    return attr ? attr(this.names(logicalId), this, logicalId) : `${logicalId}-${attribute}`;
  }

  /**
   * Resolves every intrinsic in `value` (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split, Fn::GetAZs, Fn::Base64,
   * Fn::FindInMap, Fn::GetStackOutput); throws on others.
   */
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
          return this.getAttValue(id, attribute);
        }
        case 'Fn::Join': {
          const [separator, parts] = arg as [string, unknown];
          const resolved = this.resolve(parts);
          return (Array.isArray(resolved) ? resolved : [resolved]).join(separator);
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
        // another stack's output (a weak cross-stack reference): its value in that stack, when given
        case 'Fn::GetStackOutput': {
          const { StackName, OutputName } = arg as { StackName: string; OutputName: string };
          const producer = this.otherStacks[StackName];
          const output = (producer?.template as { Outputs?: Record<string, { Value: unknown }> } | undefined)?.Outputs?.[OutputName];
          return output ? producer.resolve(output.Value) : `stack-output:${StackName}:${OutputName}`;
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
    const { account, region, partition } = this.deployment;
    return { name: this.physicalName(logicalId), account, region, partition };
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
