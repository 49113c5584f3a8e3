import { createHash } from 'crypto';

/*
 * Labels derived from construct paths and user-given names (descriptions, comments, tags), fitted to
 * each field's character set and length: one rule per field, shared by every construct.
 */

/** A field's allowed characters (as a negated class: what to replace) and maximum length. */
export interface LabelRule {
  /** Matches every character the field does not allow (global). */
  readonly invalid: RegExp;
  /** Longest value the field takes. */
  readonly maxLength: number;
}

/** `Description` of WAF web ACLs, IP sets and rule groups (no underscore, no parentheses). */
export const WAF_DESCRIPTION: LabelRule = { invalid: /[^a-zA-Z0-9+=:#@/\-,. ]/g, maxLength: 256 };
/** `GroupDescription` of a security group (EC2's character set). */
export const SECURITY_GROUP_DESCRIPTION: LabelRule = { invalid: /[^a-zA-Z0-9,. _\-:/()#@[\]+=&;{}!$*]/g, maxLength: 255 };
/** A tag value (IAM's pattern, the strictest: ec2.Instance's `Name` tag also lands on its role). */
export const TAG_VALUE: LabelRule = { invalid: /[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, maxLength: 256 };
/** `Comment` of a CloudFront distribution. */
export const DISTRIBUTION_COMMENT: LabelRule = { invalid: /[^\x20-\x7e]/g, maxLength: 128 };
/** `Description` of a Lambda function. */
export const FUNCTION_DESCRIPTION: LabelRule = { invalid: /[^\x20-\x7e]/g, maxLength: 256 };

/**
 * `name` (a construct path or a user's name) fitted into a field that also holds `suffix`: characters
 * the field refuses become '-', and a name too long keeps its end behind a hash of the whole, as
 * `Names.uniqueResourceName` does, so two long paths stay distinct.
 */
export function fitLabel(name: string, suffix: string, rule: LabelRule): string {
  const clean = name.replace(rule.invalid, '-').replace(/^[^a-zA-Z0-9]+/, '');
  const budget = rule.maxLength - suffix.replace(rule.invalid, '-').length;
  let label = clean;
  if (label.length > budget) {
    const hash = createHash('sha256').update(name).digest('hex').slice(0, 8).toUpperCase();
    // A budget too small for the hash, a dash and one character keeps only what fits of the hash.
    label = budget <= hash.length + 1
      ? `${hash}${clean.slice(-1)}`.slice(0, Math.max(budget, 0))
      : `${hash}-${clean.slice(clean.length - (budget - hash.length - 1))}`;
  }
  return `${label}${suffix}`.replace(rule.invalid, '-');
}

/** `prefix` + the path of `scope` + `suffix`, fitted into a field (see {@link fitLabel}). */
export function pathLabel(scope: { readonly node: { readonly path: string } }, suffix: string, rule: LabelRule, prefix = ''): string {
  const cleanPrefix = prefix.replace(rule.invalid, '-');
  return `${cleanPrefix}${fitLabel(scope.node.path, suffix, { ...rule, maxLength: rule.maxLength - cleanPrefix.length })}`;
}

/** `prefix` + the construct path, printable ASCII, cut to `maxLength` (comments and descriptions). */
export function describePath(prefix: string, scope: { readonly node: { readonly path: string } }, maxLength: number): string {
  return pathLabel(scope, '', { invalid: /[^\x20-\x7e]/g, maxLength }, prefix);
}
