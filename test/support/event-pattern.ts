/**
 * Evaluates an EventBridge event pattern against an event, so tests check what a rule routes instead of
 * comparing pattern JSON. Covers the operators this library writes (exact values, `prefix`, `suffix`,
 * `wildcard`, `$or`) plus `anything-but` and `exists`; any other operator throws, so a test can never
 * pass on a pattern nobody evaluated.
 *
 * Semantics (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html):
 * - every field named in a pattern must match (AND); the values in a field's array are alternatives (OR);
 * - a field must be present in the event unless the pattern says `{ "exists": false }`;
 * - when the event's value is an array, the field matches if any element matches;
 * - `$or` holds sub-patterns, at least one of which must match, alongside the other fields at its level.
 */

export type EventPattern = { readonly [field: string]: unknown };

/** True when EventBridge would deliver `event` to a rule with `pattern`. */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(pattern, event, '');
}

function matchObject(pattern: EventPattern, value: unknown, path: string): boolean {
  if (!isObject(value)) return false;
  for (const [field, expected] of Object.entries(pattern)) {
    const fieldPath = path ? `${path}.${field}` : field;
    if (field === '$or') {
      if (!Array.isArray(expected) || expected.length < 2) throw new Error(`event pattern: ${fieldPath} must be an array of at least 2 sub-patterns`);
      if (!expected.some((sub) => matchObject(sub as EventPattern, value, path))) return false;
    } else if (Array.isArray(expected)) {
      if (!matchLeaf(expected, value, field, fieldPath)) return false;
    } else if (isObject(expected)) {
      if (!(field in value) || !matchObject(expected, value[field], fieldPath)) return false;
    } else {
      throw new Error(`event pattern: ${fieldPath} must be an array of values or an object, got ${JSON.stringify(expected)}`);
    }
  }
  return true;
}

function matchLeaf(alternatives: readonly unknown[], parent: Record<string, unknown>, field: string, path: string): boolean {
  const present = field in parent;
  const actual = parent[field];
  const values = Array.isArray(actual) ? actual : [actual];
  return alternatives.some((alternative) => {
    if (isObject(alternative) && 'exists' in alternative) return alternative.exists === present;
    if (!present) return false;
    return values.some((v) => matchValue(alternative, v, path));
  });
}

function matchValue(alternative: unknown, value: unknown, path: string): boolean {
  if (!isObject(alternative)) return alternative === value; // string, number, boolean or null: exact
  const operators = Object.keys(alternative);
  if (operators.length !== 1) throw new Error(`event pattern: ${path}: one operator per matcher, got ${JSON.stringify(alternative)}`);
  const [operator] = operators;
  const operand = alternative[operator];
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && value.startsWith(stringOperand(operand, operator, path));
    case 'suffix':
      return typeof value === 'string' && value.endsWith(stringOperand(operand, operator, path));
    case 'wildcard':
      return typeof value === 'string' && wildcardRegExp(stringOperand(operand, operator, path)).test(value);
    case 'anything-but':
      return !anythingButExcludes(operand, value, path);
    default:
      throw new Error(`event pattern: ${path}: operator '${operator}' is not implemented by this matcher`);
  }
}

function anythingButExcludes(operand: unknown, value: unknown, path: string): boolean {
  if (Array.isArray(operand)) return operand.some((o) => o === value);
  if (isObject(operand)) return matchValue(operand, value, `${path}.anything-but`);
  return operand === value;
}

function stringOperand(operand: unknown, operator: string, path: string): string {
  if (typeof operand !== 'string') throw new Error(`event pattern: ${path}: '${operator}' takes a string, got ${JSON.stringify(operand)}`);
  return operand;
}

/** `*` matches any run of characters (also none); `\*` is a literal star and `\\` a literal backslash. */
function wildcardRegExp(wildcard: string): RegExp {
  let source = '';
  for (let i = 0; i < wildcard.length; i++) {
    const c = wildcard[i];
    if (c === '\\' && (wildcard[i + 1] === '*' || wildcard[i + 1] === '\\')) {
      source += `\\${wildcard[++i]}`;
    } else if (c === '*') {
      source += '.*';
    } else {
      source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 's');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
