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

/**
 * Acknowledges the KMS action wildcards in aws-cdk-lib's standard grants on a single named key.
 * `grant` says which grant produced them.
 */
export function acknowledgeKmsActionWildcards(fn: lambda.IFunction, grant: string, actions: string[]): void {
  if (!fn.role) {
    return;
  }
  for (const action of actions) {
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason: `${action} comes from aws-cdk-lib's ${grant} and is limited to one customer-managed key named by ARN; the wildcard only spans the variants of that one operation (e.g. GenerateDataKey and GenerateDataKeyWithoutPlaintext) that SNS/SQS server-side encryption uses.`,
    });
  }
}
