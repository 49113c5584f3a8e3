import { createHash } from 'node:crypto';
import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Longest name of a CloudFront cache, origin request or response headers policy. */
export const CLOUDFRONT_POLICY_NAME_LENGTH = 128;
/** Longest name of a CloudFront origin access control. */
export const ORIGIN_ACCESS_CONTROL_NAME_LENGTH = 64;
/** Longest comment of a CloudFront distribution or policy, and description of an origin access control. */
export const CLOUDFRONT_COMMENT_LENGTH = 128;

/** Room kept for the Region when it is a token (`AWS::Region`); the longest Region names have 14 characters. */
export const TOKEN_REGION_LENGTH = 16;

/**
 * The physical name of the child `id` of `scope`, for a resource whose name is unique per
 * account, not per Region (CloudFront
 * cache, origin request and response headers policies, origin access controls, functions):
 * `<stack name>-<path in the stack>-<hash>-<region>`, with only `[A-Za-z0-9_-]`.
 *
 * The same stack deployed to two Regions, or under two stack names, gets two names. Like
 * `Names.uniqueResourceName`, a name over `maxLength` keeps its start and relies on the hash
 * (of the stack name and the path) to stay unique; a token Region counts as
 * {@link TOKEN_REGION_LENGTH} characters.
 */
export function accountUniqueName(scope: IConstruct, id: string, maxLength: number): string {
  const stack = Stack.of(scope);
  // A nested stack's name is a token; its path in the app is unique and concrete.
  const stackName = Token.isUnresolved(stack.stackName) ? stack.node.path : stack.stackName;
  const pathInStack = `${scope.node.path}/${id}`.slice(stack.node.path.length + 1);
  const hash = createHash('sha256').update(`${stackName}/${pathInStack}`).digest('hex').slice(0, 8).toUpperCase();
  const region = stack.region;
  const regionLength = Token.isUnresolved(region) ? TOKEN_REGION_LENGTH : region.length;
  const readableLength = maxLength - regionLength - hash.length - 2;
  if (readableLength < 1) {
    throw new Error(`accountUniqueName: maxLength ${maxLength} leaves no room for a name beside the hash and the Region`);
  }
  const readable = `${stackName}-${pathInStack}`.replace(/\//g, '-').replace(/[^A-Za-z0-9_-]/g, '').slice(0, readableLength);
  return `${readable}-${hash}-${region}`;
}
