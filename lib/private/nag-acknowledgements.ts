import { Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * Acknowledges the Serverless pack's function dead-letter-queue finding where it does not apply
 * because of how the function is invoked; `invocation` says how, so a reviewer can check it.
 */
export function acknowledgeNoFunctionDlq(fn: lambda.IFunction, invocation: string): void {
  Validations.of(fn).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason: `A function dead-letter queue only catches failed asynchronous invocations; this function is ${invocation}.`,
  });
}

/** What each KMS action wildcard of aws-cdk-lib's grants matches, and what SNS/SQS encryption needs of it. */
const KMS_WILDCARDS: Record<string, { matches: string; needed: string }> = {
  'kms:GenerateDataKey*': {
    matches: 'GenerateDataKey, GenerateDataKeyWithoutPlaintext, GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext',
    needed: 'GenerateDataKey',
  },
  'kms:ReEncrypt*': { matches: 'ReEncryptFrom and ReEncryptTo', needed: 'neither' },
};

/**
 * Acknowledges the KMS action wildcards in aws-cdk-lib's standard grants on a single named key.
 * `grant` says which grant produced them.
 */
export function acknowledgeKmsActionWildcards(fn: lambda.IFunction, grant: string, actions: string[]): void {
  if (!fn.role) {
    return;
  }
  for (const action of actions) {
    const wildcard = KMS_WILDCARDS[action];
    if (!wildcard) {
      throw new Error(`acknowledgeKmsActionWildcards: no reason known for ${action}; add it to KMS_WILDCARDS`);
    }
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason: `${action} comes from aws-cdk-lib's ${grant} and is limited to one customer-managed key named by ARN. It matches ${wildcard.matches}; SNS/SQS server-side encryption needs ${wildcard.needed}. The others only create data keys under, or re-encrypt to and from, this same key, which gives the role no data it cannot already decrypt.`,
    });
  }
}

/**
 * A resolved CloudFormation value as cdk-nag writes it into a finding ID (cdk-nag's
 * `flattenCfnReference`): `Fn::Join` joined, `Ref` as `<Id>`, `Fn::GetAtt` as `<Id.Attr>`,
 * `Fn::ImportValue` as its export name, `${x}` as `<x>`.
 */
export function flattenCfnReference(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const node = value as Record<string, unknown>;
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flattenCfnReference).join(delimiter);
  }
  if (node['Fn::Sub']) return flattenCfnReference(node['Fn::Sub']);
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenCfnReference(resource)}.${flattenCfnReference(attribute)}>`;
  }
  if (node['Fn::ImportValue']) return flattenCfnReference(node['Fn::ImportValue']);
  if (node.Ref) return `<${flattenCfnReference(node.Ref)}>`;
  return JSON.stringify(value);
}
