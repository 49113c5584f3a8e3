import { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLE_STACKS } from '../../lib/stacks';
import { testApp } from '../support/app';

/**
 * The dashboards and alarms of the caching example stacks (CachedApi, StaticSite): every metric on
 * the dashboard names a resource of the stack, every alarm publishes to the stack's alarm topic.
 */

/** A dashboard body with each Ref / GetAtt replaced by a `{{Ref:Id}}` / `{{GetAtt:Id.Attr}}` marker, parsed. */
function dashboardBody(template: Template): { widgets: Array<{ properties: Record<string, any> }> } {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0].Properties.DashboardBody;
  const parts: unknown[] = typeof body === 'string' ? [body] : body['Fn::Join'][1];
  const text = parts.map((p) => {
    if (typeof p === 'string') return p;
    const o = p as Record<string, any>;
    if (o.Ref) return `{{Ref:${o.Ref}}}`;
    if (o['Fn::GetAtt']) return `{{GetAtt:${o['Fn::GetAtt'].join('.')}}}`;
    throw new Error(`unexpected intrinsic in the dashboard body: ${JSON.stringify(p)}`);
  }).join('');
  return JSON.parse(text);
}

interface DashboardMetric { widget: string; namespace: string; name: string; dimensions: Record<string, string>; options: Record<string, unknown> }

/** Every metric (not expression) of every graph widget, with its dimensions. */
function dashboardMetrics(template: Template): DashboardMetric[] {
  return dashboardBody(template).widgets.flatMap((w) => (w.properties.metrics ?? []).flatMap((row: unknown[]) => {
    if (typeof row[0] !== 'string') return []; // a math expression: its inputs are rows of their own
    const last = row[row.length - 1];
    const options = typeof last === 'object' ? last as Record<string, unknown> : {};
    const flat = (typeof last === 'object' ? row.slice(0, -1) : row) as string[];
    const dimensions: Record<string, string> = {};
    for (let i = 2; i < flat.length; i += 2) dimensions[flat[i]] = flat[i + 1];
    return [{ widget: w.properties.title, namespace: flat[0], name: flat[1], dimensions, options }];
  }));
}

/** Which resource type each dimension must name (by Ref); ApiName is the RestApi's Name, Region of CloudFront is 'Global'. */
const DIMENSION_RESOURCE: Record<string, string> = {
  FunctionName: 'AWS::Lambda::Function',
  service: 'AWS::Lambda::Function', // the cached-api handler's EMF dimension: its function name
  clusterId: 'AWS::ElastiCache::ServerlessCache',
  DistributionId: 'AWS::CloudFront::Distribution',
  Stage: 'AWS::ApiGateway::Stage',
};

/** Problems with a metric's dimensions: each must resolve to a resource of the stack (of the right type). */
function unresolvedDimensions(template: Template, metrics: DashboardMetric[]): string[] {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  const apiNames = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGateway::RestApi').map((r) => r.Properties?.Name);
  const problems: string[] = [];
  for (const m of metrics) {
    if (m.namespace === 'AWS/CloudFront' && !('Region' in m.dimensions)) {
      problems.push(`${m.widget}: AWS/CloudFront ${m.name} without Region: CloudFront publishes under DistributionId and Region=Global only`);
    }
    for (const [name, value] of Object.entries(m.dimensions)) {
      const where = `${m.widget}: ${m.namespace} ${m.name} ${name}=${value}`;
      if (name === 'ApiName') {
        if (!apiNames.includes(value)) problems.push(`${where} is not the name of a RestApi of the stack`);
      } else if (name === 'Region' && m.namespace === 'AWS/CloudFront') {
        if (value !== 'Global') problems.push(`${where}: CloudFront publishes under Region=Global`);
      } else {
        const ref = /^\{\{Ref:([A-Za-z0-9]+)\}\}$/.exec(value)?.[1];
        const type = DIMENSION_RESOURCE[name];
        if (!type) problems.push(`${where}: unknown dimension`);
        else if (!ref || resources[ref]?.Type !== type) problems.push(`${where} is not a Ref to a ${type} of the stack`);
      }
    }
  }
  return problems;
}

describe.each(['CachedApi', 'StaticSite'])('example stack %s', (name) => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(EXAMPLE_STACKS[name].build(testApp(), name));
  });

  test('every dashboard metric\'s dimensions resolve to resources of the stack', () => {
    const metrics = dashboardMetrics(template);
    expect(metrics.length).toBeGreaterThan(3);
    expect(unresolvedDimensions(template, metrics)).toEqual([]);
  });

  test('CloudFront metrics on the dashboard are read from us-east-1', () => {
    const cloudFront = dashboardMetrics(template).filter((m) => m.namespace === 'AWS/CloudFront');
    expect(cloudFront.length).toBeGreaterThan(0);
    for (const m of cloudFront) expect(m.options.region).toBe('us-east-1');
  });

  test('every alarm publishes to the stack\'s one alarm topic, and no alarm has a fixed name', () => {
    const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(1);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topics[0] }]);
      expect(alarm.Properties.AlarmName).toBeUndefined();
    }
  });
});

describe('the dimension check', () => {
  test('finds a dimension naming something outside the stack, or the wrong kind of resource', () => {
    const template = Template.fromStack(EXAMPLE_STACKS.CachedApi.build(testApp(), 'CachedApi'));
    const [fn] = Object.keys(template.findResources('AWS::Lambda::Function'));
    const [distribution] = Object.keys(template.findResources('AWS::CloudFront::Distribution'));
    const broken: DashboardMetric[] = [
      { widget: 'w', namespace: 'AWS/Lambda', name: 'Errors', dimensions: { FunctionName: 'some-other-function' }, options: {} },
      { widget: 'w', namespace: 'AWS/ElastiCache', name: 'ThrottledCmds', dimensions: { clusterId: `{{Ref:${fn}}}` }, options: {} },
      { widget: 'w', namespace: 'AWS/ApiGateway', name: 'Count', dimensions: { ApiName: 'Api' }, options: {} },
      { widget: 'w', namespace: 'AWS/CloudFront', name: 'Requests', dimensions: { DistributionId: `{{Ref:${distribution}}}` }, options: {} },
      { widget: 'w', namespace: 'AWS/ElastiCache', name: 'ThrottledCmds', dimensions: { CacheClusterId: 'x' }, options: {} },
    ];
    expect(unresolvedDimensions(template, broken)).toEqual([
      'w: AWS/Lambda Errors FunctionName=some-other-function is not a Ref to a AWS::Lambda::Function of the stack',
      `w: AWS/ElastiCache ThrottledCmds clusterId={{Ref:${fn}}} is not a Ref to a AWS::ElastiCache::ServerlessCache of the stack`,
      'w: AWS/ApiGateway Count ApiName=Api is not the name of a RestApi of the stack',
      'w: AWS/CloudFront Requests without Region: CloudFront publishes under DistributionId and Region=Global only',
      'w: AWS/ElastiCache ThrottledCmds CacheClusterId=x: unknown dimension',
    ]);
  });
});

describe('CachedApi dashboard', () => {
  test('left to right: requests in, cache results, failures, latency, cost drivers; then the alarms', () => {
    const template = Template.fromStack(EXAMPLE_STACKS.CachedApi.build(testApp(), 'CachedApi'));
    const widgets = dashboardBody(template).widgets;
    expect(widgets.map((w) => w.properties.title)).toEqual(['Requests in', 'Cache results (reads)', 'Failures', 'Latency (ms)', 'Cost drivers', 'Alarms']);
    const alarms = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    expect(widgets[5].properties.alarms).toEqual(expect.arrayContaining(alarms.map((id) => `{{GetAtt:${id}.Arn}}`)));
    expect(widgets[5].properties.alarms).toHaveLength(alarms.length);
    const names = dashboardMetrics(template).map((m) => `${m.namespace} ${m.name}`);
    expect(names).toEqual(expect.arrayContaining(['CachedApi CacheHit', 'CachedApi CacheMiss', 'CachedApi CacheError', 'AWS/ElastiCache ThrottledCmds',
      'AWS/ElastiCache ElastiCacheProcessingUnits', 'AWS/ApiGateway 5XXError', 'AWS/ApiGateway Latency', 'AWS/Lambda Errors', 'AWS/CloudFront Requests']));
  });
});

describe('StaticSite dashboard', () => {
  test('requests, bytes, error rates (the 5xx alarm\'s threshold drawn); no alarm widget (the alarm exists only in us-east-1)', () => {
    const template = Template.fromStack(EXAMPLE_STACKS.StaticSite.build(testApp(), 'StaticSite'));
    const widgets = dashboardBody(template).widgets;
    expect(widgets.map((w) => w.properties.title)).toEqual(['Requests (us-east-1)', 'Bytes downloaded (us-east-1)', 'Error rates (us-east-1)']);
    expect(widgets[2].properties.annotations.horizontal).toEqual([expect.objectContaining({ value: 5 })]);
    expect(Object.values(template.findResources('AWS::CloudWatch::Alarm'))[0].Condition).toBeDefined();
  });
});
