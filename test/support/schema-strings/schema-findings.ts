import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/**
 * Checks every string property of a synthesized template against the CloudFormation resource
 * schemas that aws-cdk-lib's built-in validator bundles (`@aws/cloudformation-validate`, a
 * dependency of aws-cdk-lib): `pattern` (rule F3031) and `minLength`/`maxLength` (F3033).
 *
 * Plus a few service API limits the bundled schemas lack ({@link API_STRING_LIMITS}).
 *
 * Strings that only pseudo parameters keep from being literal (`Fn::Join`/`Fn::Sub` over
 * `AWS::StackName`, `AWS::Region`, ...) are resolved with the stack's values first, so names and
 * descriptions built from the stack name are checked too; strings built from other resources'
 * attributes are skipped (their value is unknown before deploy).
 */

// aws-cdk-lib's own copy, so the schemas are the ones its validator uses
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validate = require(require.resolve('@aws/cloudformation-validate', { paths: [path.dirname(require.resolve('aws-cdk-lib'))] }));

/** Schema rules about the content of one string. */
export const STRING_RULES: Record<string, string> = { F3031: 'pattern', F3033: 'length' };

interface StringLimit {
  readonly minLength: number;
  readonly maxLength: number;
  readonly pattern: RegExp;
  readonly source: string;
}

/**
 * Service API limits the bundled schemas lack, found by running cfn-lint (whose schemas carry the
 * API models' constraints) over the awkward-ID templates: resource type -> property path -> limit.
 */
export const API_STRING_LIMITS: Record<string, Record<string, StringLimit>> = {
  'AWS::EC2::LaunchTemplate': {
    // aws-cdk-lib names the launch template of an ec2.Instance with requireImdsv2 after its path, untruncated
    'Properties.LaunchTemplateName': { minLength: 3, maxLength: 128, pattern: /^[a-zA-Z0-9().\-/_]+$/, source: 'EC2 API CreateLaunchTemplate' },
  },
};

export interface SchemaFinding {
  readonly stack: string;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly propertyPath: string;
  readonly ruleId: string;
  readonly message: string;
}

let validator: { validate(template: unknown, region?: string): Array<Record<string, any>> } | undefined;

/** The string-schema findings of a template object (`Template.toJSON()`). */
export function schemaStringFindingsOfTemplate(
  template: Record<string, unknown>, stackName: string, pseudo: Record<string, string> = {},
): SchemaFinding[] {
  validator ??= new validate.SchemaValidator();
  const values: Record<string, string> = {
    'AWS::StackName': stackName, 'AWS::Region': 'us-east-1', 'AWS::AccountId': '123456789012',
    'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com', ...pseudo,
  };
  const resolved = resolvePseudo(template, values);
  // A second opinion by hand: DERIVED_STRINGS_DUMP_DIR=/tmp/t npx jest test/stacks/derived-strings.test.ts, then cfn-lint /tmp/t/*.json
  const dumpDir = process.env.DERIVED_STRINGS_DUMP_DIR;
  if (dumpDir) {
    fs.mkdirSync(dumpDir, { recursive: true });
    fs.writeFileSync(path.join(dumpDir, `${stackName}-${crypto.createHash('sha256').update(JSON.stringify(resolved)).digest('hex').slice(0, 8)}.json`), JSON.stringify(resolved, null, 1));
  }
  const schema = validator!.validate(new validate.TemplateContent(JSON.stringify(resolved)), values['AWS::Region'])
    .filter((d) => d.ruleId in STRING_RULES)
    .map((d) => ({
      stack: stackName, logicalId: d.entity?.logicalId, resourceType: d.entity?.resourceType,
      propertyPath: d.propertyPath, ruleId: d.ruleId, message: d.message,
    }));
  return [...schema, ...apiLimitFindings(resolved as Record<string, any>, stackName)];
}

function apiLimitFindings(template: Record<string, any>, stackName: string): SchemaFinding[] {
  const findings: SchemaFinding[] = [];
  for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
    for (const [propertyPath, limit] of Object.entries(API_STRING_LIMITS[resource.Type] ?? {})) {
      const value = propertyPath.split('.').reduce((v, key) => v?.[key], resource);
      if (typeof value !== 'string') continue;
      const problem = value.length < limit.minLength || value.length > limit.maxLength ? `length ${value.length} is outside ${limit.minLength}-${limit.maxLength}`
        : !limit.pattern.test(value) ? `'${value}' does not match pattern ${limit.pattern}` : undefined;
      if (problem) findings.push({ stack: stackName, logicalId, resourceType: resource.Type, propertyPath, ruleId: 'API', message: `${problem} (${limit.source})` });
    }
  }
  return findings;
}

/** The string-schema findings of a stack (synthesizes its app). */
export function schemaStringFindings(stack: Stack): SchemaFinding[] {
  const region = Token.isUnresolved(stack.region) ? 'us-east-1' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '123456789012' : stack.account;
  return schemaStringFindingsOfTemplate(Template.fromStack(stack).toJSON(), stack.stackName, { 'AWS::Region': region, 'AWS::AccountId': account });
}

/** Replaces pseudo-parameter references, then folds `Fn::Join` and `Fn::Sub` whose parts all became literal. */
export function resolvePseudo(value: unknown, pseudo: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolvePseudo(v, pseudo));
  if (typeof value !== 'object' || value === null) return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === 'Ref' && typeof obj.Ref === 'string' && obj.Ref in pseudo) return pseudo[obj.Ref];
  const inner = Object.fromEntries(keys.map((k) => [k, resolvePseudo(obj[k], pseudo)]));
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [separator, parts] = inner['Fn::Join'] as [string, unknown[]];
    if (Array.isArray(parts) && parts.every((p) => typeof p === 'string')) return parts.join(separator);
  }
  if (keys.length === 1 && keys[0] === 'Fn::Sub' && typeof inner['Fn::Sub'] === 'string') {
    const text = (inner['Fn::Sub'] as string).replace(/\$\{(AWS::[A-Za-z]+)\}/g, (m, name: string) => pseudo[name] ?? m);
    if (!/\$\{[^!]/.test(text)) return text.replace(/\$\{!/g, '${');
  }
  return inner;
}
