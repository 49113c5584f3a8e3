import { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLE_STACKS } from '../../lib/stacks';
import { testApp } from '../support/app';

/**
 * The alarms and dashboards of the messaging and S3 example stacks: one alarm topic whose action
 * every alarm has, and a dashboard whose every metric names, by its dimensions, a resource of the
 * stack, showing every alarmed metric.
 */
type Intrinsic = { Ref: string } | { 'Fn::GetAtt': [string, string] };

/** The resource type a metric dimension must name. */
const DIMENSION_TYPES: Record<string, string> = {
  FunctionName: 'AWS::Lambda::Function',
  QueueName: 'AWS::SQS::Queue',
  TopicName: 'AWS::SNS::Topic',
  RuleName: 'AWS::Events::Rule',
};

/** Renders a template value, writing intrinsics as `{{logicalId}}` so the dashboard body parses as JSON. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(render).join(join[0]);
  const ref = (value as { Ref?: string }).Ref ?? (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0];
  if (ref === 'AWS::Region') return 'REGION';
  if (ref) return `{{${ref}}}`;
  throw new Error(`unexpected value in the dashboard body: ${JSON.stringify(value)}`);
}

/** A metric as `namespace metricName dim=value,...`, with values as logical IDs, for comparing alarms and widgets. */
function metricKey(namespace: string, metricName: string, dimensions: Array<[string, string]>): string {
  return `${namespace} ${metricName} ${dimensions.map(([k, v]) => `${k}=${v}`).sort().join(',')}`;
}

function logicalId(value: Intrinsic | string): string {
  if (typeof value === 'string') return value;
  return 'Ref' in value ? value.Ref : value['Fn::GetAtt'][0];
}

describe.each(['FanOut', 'QueueWorkers', 'Thumbnails'])('example stack %s', (name) => {
  let template: Template;
  let resources: Record<string, { Type: string; Properties: Record<string, any> }>;
  beforeAll(() => {
    template = Template.fromStack(EXAMPLE_STACKS[name].build(testApp(), name));
    resources = template.toJSON().Resources;
  });

  test('one alarm topic, and every alarm publishes to it', () => {
    const topics = Object.entries(template.findResources('AWS::SNS::Topic', { Properties: { DisplayName: `Alarms of ${name}` } }));
    expect(topics).toHaveLength(1);
    const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(0);
    const withoutTopic = alarms.filter(([, a]) => JSON.stringify(a.Properties.AlarmActions) !== JSON.stringify([{ Ref: topics[0][0] }]));
    expect(withoutTopic.map(([id]) => id)).toEqual([]);
  });

  test('a dashboard whose metrics name resources of the stack, and show every alarmed metric', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.parse(render(dashboards[0].Properties.DashboardBody));
    const titles = body.widgets.map((w: any) => w.properties.title);
    expect(titles.slice(0, 1)).toEqual([expect.stringMatching(/ in$|published$/)]);
    expect(titles).toContain('Failures');
    expect(titles).toContain('Latency');
    expect(titles[titles.length - 1]).toBe('Cost drivers');

    const shown = new Set<string>();
    const problems: string[] = [];
    for (const widget of body.widgets) {
      for (const metric of widget.properties.metrics as unknown[][]) {
        const [namespace, metricName, ...rest] = metric;
        const pairs: Array<[string, string]> = [];
        for (let i = 0; i + 1 < rest.length && typeof rest[i] === 'string'; i += 2) pairs.push([rest[i] as string, rest[i + 1] as string]);
        expect(pairs.length).toBeGreaterThan(0);
        for (const [dimension, value] of pairs) {
          const id = /^\{\{(\w+)\}\}$/.exec(value)?.[1];
          const expected = DIMENSION_TYPES[dimension];
          if (!id || !expected || resources[id]?.Type !== expected) {
            problems.push(`${widget.properties.title}: ${namespace} ${metricName} ${dimension}=${value} is not a ${expected ?? 'known'} of the stack`);
          }
        }
        shown.add(metricKey(namespace as string, metricName as string, pairs.map(([k, v]) => [k, v.replace(/[{}]/g, '')])));
      }
    }
    expect(problems).toEqual([]);

    const notShown = Object.entries(template.findResources('AWS::CloudWatch::Alarm'))
      .map(([id, { Properties: p }]) => {
        const dimensions = (p.Dimensions ?? []).map((d: any) => [d.Name, logicalId(d.Value)]);
        return [id, metricKey(p.Namespace, p.MetricName, dimensions)];
      })
      .filter(([, key]) => !shown.has(key));
    expect(notShown).toEqual([]);
  });
});
