import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { applyExampleRetention, buildExampleApp } from '../../lib/stacks';
import { testApp } from '../support/app';
import { EXAMPLE_VARIANTS } from '../support/example-variants';
import { SYNTH_TIMEOUT_MS, synthesizedVariant, synthesizeVariants } from '../support/synth-cache';

/**
 * The deploy guide (docs/deploy.md) as far as it runs without an AWS account: what each example
 * stack leaves behind after `cdk destroy` (the guide's table, parsed here, against the synthesized
 * templates), and `-c retain=false`, which must leave nothing.
 */
const ROOT = path.join(__dirname, '..', '..');
const GUIDE = path.join(ROOT, 'docs', 'deploy.md');
const RETAINED = new Set(['Retain', 'RetainExceptOnCreate']);

type Resources = Record<string, { Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown> }>;

/** `{ stackName: { 'AWS::S3::Bucket': 2, ... } }` for the resources a template keeps on delete. */
function retainedTypes(templates: ReadonlyArray<{ stackName: string; resources: Resources }>): Record<string, Record<string, number>> {
  const result: Record<string, Record<string, number>> = {};
  for (const { stackName, resources } of templates) {
    for (const resource of Object.values(resources)) {
      if (resource.DeletionPolicy && RETAINED.has(resource.DeletionPolicy)) {
        const counts = (result[stackName] ??= {});
        counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
      }
    }
  }
  return result;
}

/**
 * The guide's "what stays" table: rows `| \`Stack\` | \`AWS::Type\` ×n, ... | ... |`, between the
 * `<!-- retained:begin -->` and `<!-- retained:end -->` markers.
 */
function guideTable(markdown: string): Record<string, Record<string, number>> {
  const block = markdown.match(/<!-- retained:begin -->([\s\S]*?)<!-- retained:end -->/);
  if (!block) throw new Error('docs/deploy.md has no <!-- retained:begin --> ... <!-- retained:end --> table');
  const result: Record<string, Record<string, number>> = {};
  for (const line of block[1].split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const stack = cells[1]?.match(/^`(\w+)`$/)?.[1];
    if (!stack) continue;
    const counts: Record<string, number> = {};
    for (const m of cells[2].matchAll(/`(AWS::\w+::\w+)`(?: ×(\d+))?/g)) counts[m[1]] = Number(m[2] ?? 1);
    if (Object.keys(counts).length > 0) result[stack] = counts;
  }
  return result;
}

/** Every stack of a synthesized app with its resources. */
function stacksOf(app: App): Array<{ stackName: string; resources: Resources }> {
  return app.synth().stacks.map((s) => ({ stackName: s.stackName, resources: (s.template.Resources ?? {}) as Resources }));
}

/** Resources that CloudFormation would keep, or buckets it cannot delete because nothing empties them. */
function leftBehind(resources: Resources): string[] {
  const problems: string[] = [];
  const emptied = new Set(Object.values(resources)
    .filter((r) => r.Type === 'Custom::S3AutoDeleteObjects')
    .map((r) => JSON.stringify(r.Properties?.BucketName)));
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.DeletionPolicy !== undefined && resource.DeletionPolicy !== 'Delete') {
      problems.push(`${id} (${resource.Type}) has DeletionPolicy ${resource.DeletionPolicy}`);
    }
    if (resource.Type === 'AWS::S3::Bucket' && !emptied.has(JSON.stringify({ Ref: id }))) {
      problems.push(`${id} (AWS::S3::Bucket) is not emptied on delete, so CloudFormation cannot delete it once it holds objects`);
    }
  }
  return problems;
}

describe('without -c retain=false', () => {
  const keys = Object.keys(EXAMPLE_VARIANTS);
  beforeAll(() => synthesizeVariants(keys), SYNTH_TIMEOUT_MS);

  test('every example stack keeps exactly what the deploy guide says it keeps', () => {
    const stacks = new Map<string, Resources>();
    for (const key of keys) {
      for (const s of synthesizedVariant(key).stacks) {
        // a stack in several modes: the union of what its modes keep
        const resources = s.template.toJSON().Resources as Resources;
        stacks.set(`${s.stackName} ${key}`, resources);
      }
    }
    const perMode = retainedTypes([...stacks].map(([name, resources]) => ({ stackName: name, resources })));
    const union: Record<string, Record<string, number>> = {};
    for (const [name, counts] of Object.entries(perMode)) {
      const stackName = name.split(' ')[0];
      const merged = (union[stackName] ??= {});
      for (const [type, n] of Object.entries(counts)) merged[type] = Math.max(merged[type] ?? 0, n);
    }
    expect(guideTable(fs.readFileSync(GUIDE, 'utf8'))).toEqual(union);
  });
});

describe('with -c retain=false', () => {
  test('every example stack (bin/app.ts) deletes every resource and empties every bucket', () => {
    const app = testApp({ context: { retain: 'false' } });
    buildExampleApp(app);
    const stacks = stacksOf(app);
    expect(stacks.map((s) => s.stackName)).toEqual(expect.arrayContaining(Object.values(EXAMPLE_VARIANTS).map((v) => v.stackName)));
    expect(Object.fromEntries(stacks.map((s) => [s.stackName, leftBehind(s.resources)]))).toEqual(
      Object.fromEntries(stacks.map((s) => [s.stackName, []])));
  }, SYNTH_TIMEOUT_MS);

  const otherModes = Object.entries(EXAMPLE_VARIANTS).filter(([, v]) => Object.keys(v.context).length > 0);
  test.each(otherModes)('%s deletes every resource and empties every bucket', (_key, variant) => {
    const app = testApp({ context: { ...variant.context, retain: 'false' } });
    variant.build(app);
    applyExampleRetention(app);
    for (const s of stacksOf(app)) expect([s.stackName, leftBehind(s.resources)]).toEqual([s.stackName, []]);
  }, SYNTH_TIMEOUT_MS);

  test('the check sees a retained resource and a bucket nobody empties', () => {
    expect(leftBehind({
      Key: { Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain' },
      Bucket: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Delete' },
    })).toEqual([
      'Key (AWS::KMS::Key) has DeletionPolicy Retain',
      'Bucket (AWS::S3::Bucket) is not emptied on delete, so CloudFormation cannot delete it once it holds objects',
    ]);
  });
});

describe('the retain context', () => {
  test.each([[undefined], ['true'], [true]])('%p keeps the constructs\' retain-by-default', (value) => {
    const app = testApp({ context: value === undefined ? {} : { retain: value } });
    EXAMPLE_VARIANTS.Thumbnails.build(app);
    applyExampleRetention(app);
    const [thumbnails] = stacksOf(app);
    expect(leftBehind(thumbnails.resources)).not.toEqual([]);
  });

  test('fails if the value is neither true nor false', () => {
    const app = testApp({ context: { retain: 'no' } });
    expect(() => applyExampleRetention(app)).toThrow(/context retain 'no' must be 'true' or 'false'; use -c retain=false/);
  });
});

describe('the commands of the deploy guide', () => {
  test('the CDK CLI has bootstrap, deploy and destroy', () => {
    const help = execFileSync(path.join(ROOT, 'node_modules', '.bin', 'cdk'), ['--help'], { encoding: 'utf8', cwd: ROOT });
    for (const command of ['bootstrap', 'deploy', 'destroy', 'synth']) {
      expect(help).toMatch(new RegExp(`^\\s*cdk ${command}\\b`, 'm'));
    }
  });

  test('every `npx cdk <command>` in the guide is one of them', () => {
    const guide = fs.readFileSync(GUIDE, 'utf8');
    const used = [...guide.matchAll(/npx cdk (\w+)/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((c) => !['bootstrap', 'deploy', 'destroy', 'synth', 'list'].includes(c))).toEqual([]);
  });
});

/** Validates `aws <service> <operation> --option` against the service models botocore (the AWS CLI's core) ships. */
const CHECK_AWS_COMMANDS = `
import json, sys
import botocore.session
from botocore import xform_name
GLOBAL = {'query', 'output', 'region', 'profile', 'max-items', 'starting-token', 'page-size', 'no-paginate'}
S3_COMMANDS = {'rb': {'force'}, 'rm': {'recursive'}, 'ls': set(), 'mb': set(), 'cp': {'recursive'}, 'sync': {'delete'}}
session = botocore.session.get_session()
problems = []
for service, operation, options in json.load(sys.stdin):
    if service == 's3':
        allowed = S3_COMMANDS.get(operation)
        if allowed is None:
            problems.append('aws s3 %s: no such command' % operation)
        problems += ['aws s3 %s --%s: no such option' % (operation, o) for o in options if o not in (allowed or set()) | GLOBAL]
        continue
    try:
        model = session.get_service_model({'s3api': 's3'}.get(service, service))
    except Exception:
        problems.append('aws %s: no such service' % service)
        continue
    names = {xform_name(n, '-'): n for n in model.operation_names}
    if operation not in names:
        problems.append('aws %s %s: no such operation' % (service, operation))
        continue
    shape = model.operation_model(names[operation]).input_shape
    members = {xform_name(m, '-') for m in (shape.members if shape else {})}
    problems += ['aws %s %s --%s: no such option' % (service, operation, o) for o in options if o not in members | GLOBAL]
print(json.dumps(problems))
`;

/** Every `aws <service> <operation> --option ...` in the guide's shell blocks, continuations joined. */
function awsCommands(markdown: string): Array<[string, string, string[]]> {
  const blocks = [...markdown.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1].replace(/\\\n\s*/g, ' '));
  const result: Array<[string, string, string[]]> = [];
  for (const block of blocks) {
    for (const m of block.matchAll(/\baws ([a-z0-9-]+) ([a-z0-9-]+)([^\n$()]*)/g)) {
      result.push([m[1], m[2], [...m[3].matchAll(/(?:^|\s)--([a-z0-9-]+)/g)].map((o) => o[1])]);
    }
  }
  return result;
}

describe('the AWS CLI commands of the deploy guide', () => {
  const botocore = spawnSync('python3', ['-c', 'import botocore'], { encoding: 'utf8' }).status === 0;
  const commands = awsCommands(fs.readFileSync(GUIDE, 'utf8'));

  test('the guide has the removal commands', () => {
    const names = commands.map(([service, operation]) => `${service} ${operation}`);
    expect(names).toEqual(expect.arrayContaining(['s3 rb', 'kms schedule-key-deletion', 'logs delete-log-group', 'sqs delete-queue']));
  });

  // botocore comes with the AWS CLI; without it the names cannot be checked offline
  (botocore ? test : test.skip)('each is an operation of the AWS CLI with the options the guide passes', () => {
    const run = (input: unknown): string[] =>
      JSON.parse(spawnSync('python3', ['-c', CHECK_AWS_COMMANDS], { input: JSON.stringify(input), encoding: 'utf8' }).stdout);
    expect(run(commands)).toEqual([]);
    expect(run([['kms', 'schedule-key-deletion', ['pending-days']], ['logs', 'remove-log-group', []]])).toEqual([
      'aws kms schedule-key-deletion --pending-days: no such option', 'aws logs remove-log-group: no such operation',
    ]);
  });
});
