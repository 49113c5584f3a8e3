import { runSimulation } from '@cloud-copilot/iam-simulate';

/** An IAM policy document as CloudFormation holds it, with every intrinsic already resolved to strings. */
export interface PolicyDocumentJson {
  readonly Version?: string;
  readonly Statement: Record<string, unknown>[];
}

/** One request to evaluate against AWS's policy evaluation logic. */
export interface SimulatedRequest {
  /** An IAM principal ARN (`arn:aws:iam::111111111111:role/x`) or a service principal (`logs.eu-west-1.amazonaws.com`). */
  readonly principal: string;
  /** `service:Action`, e.g. `kms:GenerateDataKey`. */
  readonly action: string;
  /** The resource's ARN. */
  readonly resource: string;
  /** The account that owns the resource. */
  readonly resourceAccount: string;
  /** Request context keys (`aws:SourceArn`, `kms:EncryptionContext:aws:logs:arn`, `ssm:resourceTag/Name`, ...). @default {} */
  readonly context?: Record<string, string | string[]>;
  /** The resource's policy (key policy, queue policy, topic policy, bucket policy). @default - none */
  readonly resourcePolicy?: PolicyDocumentJson;
  /** Identity policies attached to the principal (IAM principals only). @default - none */
  readonly identityPolicies?: PolicyDocumentJson[];
}

export type SimulationDecision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/*
 * iam-simulate 0.1.x recognises condition keys with a variable part only after a '/'
 * (`aws:PrincipalTag/x`), so it drops `kms:EncryptionContext:<key>` from the request and every
 * condition on it fails. Both sides are renamed to a global '/'-key it does evaluate, with the
 * same string semantics.
 */
const ENCRYPTION_CONTEXT = /^kms:EncryptionContext:/i;
const ENCRYPTION_CONTEXT_ALIAS = 'aws:RequestTag/kms:EncryptionContext:';

function aliasKey(key: string): string {
  return ENCRYPTION_CONTEXT.test(key) ? key.replace(ENCRYPTION_CONTEXT, ENCRYPTION_CONTEXT_ALIAS) : key;
}

function aliasPolicy(policy: PolicyDocumentJson): PolicyDocumentJson {
  return {
    Version: policy.Version ?? '2012-10-17',
    Statement: policy.Statement.map((statement) => {
      const condition = statement.Condition as Record<string, Record<string, unknown>> | undefined;
      if (!condition) return statement;
      return {
        ...statement,
        Condition: Object.fromEntries(Object.entries(condition).map(([operator, keys]) => [
          operator, Object.fromEntries(Object.entries(keys).map(([key, value]) => [aliasKey(key), value])),
        ])),
      };
    }),
  };
}

/**
 * Evaluates one request with `@cloud-copilot/iam-simulate` (identity and resource policies, all
 * condition operators, same- and cross-account rules). Throws when the simulator rejects the input
 * or ignores a context key, so a check can never pass or fail on a key nobody evaluated.
 */
export async function simulate(request: SimulatedRequest): Promise<SimulationDecision> {
  const context = Object.fromEntries(Object.entries(request.context ?? {}).map(([key, value]) => [aliasKey(key), value]));
  const response = await runSimulation({
    identityPolicies: (request.identityPolicies ?? []).map((policy, i) => ({ name: `identity${i}`, policy: aliasPolicy(policy) })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy ? aliasPolicy(request.resourcePolicy) : undefined,
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount },
      contextVariables: context,
    },
  } as Parameters<typeof runSimulation>[0], {});
  if (response.resultType === 'error') {
    throw new Error(`iam-simulate rejected ${request.action} on ${request.resource}: ${JSON.stringify(response.errors)}`);
  }
  const ignored = response.resultType === 'single' ? response.result.ignoredContextKeys ?? [] : [];
  if (ignored.length > 0) {
    throw new Error(`iam-simulate ignored context keys ${ignored.join(', ')} for ${request.action}; rename them or extend the alias in policy-simulator.ts`);
  }
  return response.overallResult as SimulationDecision;
}
