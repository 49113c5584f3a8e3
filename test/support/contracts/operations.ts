import { AWS_NAMESPACES, NamespaceCatalog, OWN_NAMESPACES } from './metric-catalog';
import { ResolvedTemplate } from './resolve-template';

/**
 * Operations contracts of a synthesized stack, evaluated on the template resolved for one deployment:
 * - every alarm runs an action, and each action reaches something that exists: an SNS topic of the
 *   stack, an Auto Scaling policy of the stack, an EC2 action on an instance metric in the alarm's
 *   region, or a function of the stack that lets CloudWatch alarms invoke it;
 * - the stack has a dashboard, and every metric of its widgets and of its alarms is one AWS documents
 *   for its namespace and dimension set ({@link AWS_NAMESPACES}), read in the region it is published
 *   in, with each dimension naming a resource of the stack or a documented constant.
 */

/** One metric a dashboard widget or an alarm reads. */
export interface MetricUse {
  /** Where it is read, e.g. `dashboard Dashboard widget 2 metric 1` or `alarm DlqAlarm`. */
  readonly where: string;
  readonly namespace: unknown;
  readonly metricName: unknown;
  /** Dimension values as in the template (literal strings, or intrinsics). */
  readonly dimensions: { readonly name: string; readonly value: unknown }[];
  /** The region the metric is read in, resolved. */
  readonly region: string;
}

/** Alarms without an action, disabled actions, and actions that reach nothing of this stack. */
export function checkAlarmActions(t: ResolvedTemplate): string[] {
  const problems: string[] = [];
  const alarms = [...t.logicalIds('AWS::CloudWatch::Alarm'), ...t.logicalIds('AWS::CloudWatch::CompositeAlarm')];
  for (const id of alarms) {
    const raw = t.template.Resources[id].Properties ?? {};
    if (raw.ActionsEnabled === false) problems.push(`alarm ${id}: ActionsEnabled is false, so its actions never run`);
    const alarmActions = (raw.AlarmActions ?? []) as unknown[];
    if (alarmActions.length === 0) {
      problems.push(`alarm ${id} has no AlarmActions: it changes state and notifies nobody (pass the stack's alarm action as alarmActions, or addAlarmActions())`);
    }
    for (const list of ['AlarmActions', 'OKActions', 'InsufficientDataActions']) {
      for (const action of (raw[list] ?? []) as unknown[]) {
        const problem = actionProblem(t, id, action);
        if (problem) problems.push(`alarm ${id} ${list}: ${problem}`);
      }
    }
  }
  return problems;
}

function actionProblem(t: ResolvedTemplate, alarmId: string, action: unknown): string | undefined {
  const arn = String(t.resolve(action));
  if (t.logicalIds('AWS::SNS::Topic').some((topic) => t.ref(topic) === arn)) return undefined;
  if (t.logicalIds('AWS::AutoScaling::ScalingPolicy').some((p) => t.ref(p) === arn || t.getAtt(p, 'Arn') === arn)) return undefined;
  const fn = t.logicalIds('AWS::Lambda::Function').find((f) => t.getAtt(f, 'Arn') === arn);
  if (fn) {
    // CloudWatch invokes the function as lambda.alarms.cloudwatch.amazonaws.com; without a resource-based policy the action fails
    const allowed = t.logicalIds('AWS::Lambda::Permission').some((p) => {
      const props = t.properties(p);
      return props.Principal === 'lambda.alarms.cloudwatch.amazonaws.com' && [t.ref(fn), t.getAtt(fn, 'Arn')].includes(props.FunctionName);
    });
    return allowed ? undefined : `function ${fn} has no permission for lambda.alarms.cloudwatch.amazonaws.com to invoke it`;
  }
  // PutMetricAlarm: arn:aws:automate:<region>:ec2:stop|terminate|reboot|recover, for alarms on EC2 per-instance metrics
  const ec2 = /^arn:aws[\w-]*:automate:([a-z0-9-]+):ec2:(stop|terminate|reboot|recover)$/.exec(arn);
  if (ec2) {
    if (ec2[1] !== t.deployment.region) return `EC2 action ${arn} is for ${ec2[1]}, but the alarm is in ${t.deployment.region}`;
    const onInstance = alarmMetrics(t, alarmId).some((m) => m.namespace === 'AWS/EC2' && m.dimensions.some((d) => d.name === 'InstanceId'));
    return onInstance ? undefined : `EC2 action ${arn} needs an alarm on an AWS/EC2 metric with an InstanceId dimension`;
  }
  return `${arn} is none of: an SNS topic of this stack, an Auto Scaling policy of this stack, an EC2 action (arn:aws:automate:${t.deployment.region}:ec2:…), a function of this stack`;
}

/** The metrics one alarm reads: its single metric, or each `MetricStat` of its metric math. */
export function alarmMetrics(t: ResolvedTemplate, alarmId: string): MetricUse[] {
  const raw = (t.template.Resources[alarmId].Properties ?? {}) as Record<string, any>;
  const region = t.deployment.region;
  const dimensions = (list: unknown) => ((list ?? []) as { Name: string; Value: unknown }[]).map((d) => ({ name: d.Name, value: d.Value }));
  if (raw.Metrics) {
    return (raw.Metrics as any[]).filter((q) => q.MetricStat).map((q) => ({
      where: `alarm ${alarmId} metric ${q.Id}`,
      namespace: q.MetricStat.Metric?.Namespace,
      metricName: q.MetricStat.Metric?.MetricName,
      dimensions: dimensions(q.MetricStat.Metric?.Dimensions),
      region,
    }));
  }
  return [{ where: `alarm ${alarmId}`, namespace: raw.Namespace, metricName: raw.MetricName, dimensions: dimensions(raw.Dimensions), region }];
}

/** Every alarm's metrics checked against the catalog. */
export function checkAlarmMetrics(t: ResolvedTemplate): string[] {
  return t.logicalIds('AWS::CloudWatch::Alarm').flatMap((id) => alarmMetrics(t, id).flatMap((use) => metricProblems(t, use)));
}

/** No dashboard, or a dashboard widget reading a metric or alarm that is not the stack's. */
export function checkDashboards(t: ResolvedTemplate): string[] {
  const dashboards = t.logicalIds('AWS::CloudWatch::Dashboard');
  if (dashboards.length === 0) return ['the stack has no AWS::CloudWatch::Dashboard: operators have no one place to look'];
  const problems: string[] = [];
  for (const id of dashboards) {
    const { metrics, alarms, problems: parse } = dashboardContents(t, id);
    problems.push(...parse);
    for (const use of metrics) problems.push(...metricProblems(t, use));
    const stackAlarms = [...t.logicalIds('AWS::CloudWatch::Alarm'), ...t.logicalIds('AWS::CloudWatch::CompositeAlarm')].map((a) => t.getAtt(a, 'Arn'));
    for (const alarm of alarms) {
      const arn = String(t.resolve(alarm.value));
      if (!stackAlarms.includes(arn)) problems.push(`${alarm.where}: alarm ${arn} is not an alarm of this stack`);
    }
  }
  return problems;
}

const TOKEN = /@@TOKEN(\d+)@@/;

/**
 * The metrics and alarms a dashboard's widgets read. `DashboardBody` is a JSON string, usually an
 * `Fn::Join` of literal pieces and intrinsics; each intrinsic is replaced by a marker before parsing
 * and put back into the value it sits in, so a dimension value stays an intrinsic to resolve.
 */
export function dashboardContents(
  t: ResolvedTemplate, dashboardId: string,
): { metrics: MetricUse[]; alarms: { where: string; value: unknown }[]; problems: string[] } {
  const body = t.template.Resources[dashboardId].Properties?.DashboardBody;
  const tokens: unknown[] = [];
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else if (body && typeof body === 'object' && Array.isArray((body as any)['Fn::Join']) && (body as any)['Fn::Join'][0] === '') {
    text = ((body as any)['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : `@@TOKEN${tokens.push(part) - 1}@@`)).join('');
  } else {
    return { metrics: [], alarms: [], problems: [`dashboard ${dashboardId}: DashboardBody is neither a string nor an Fn::Join with separator '' (${JSON.stringify(body).slice(0, 80)})`] };
  }
  /** A string of the body back as a template value: a literal, one intrinsic, or an Fn::Join of both. */
  const value = (s: unknown): unknown => {
    if (typeof s !== 'string' || !TOKEN.test(s)) return s;
    const pieces = s.split(new RegExp(TOKEN.source, 'g')).map((p, i) => (i % 2 === 1 ? tokens[Number(p)] : p)).filter((p) => p !== '');
    return pieces.length === 1 ? pieces[0] : { 'Fn::Join': ['', pieces] };
  };

  const widgets = (JSON.parse(text).widgets ?? []) as { type: string; properties?: Record<string, any> }[];
  const metrics: MetricUse[] = [];
  const alarms: { where: string; value: unknown }[] = [];
  const problems: string[] = [];
  widgets.forEach((widget, w) => {
    const where = `dashboard ${dashboardId} widget ${w + 1}${widget.properties?.title ? ` '${widget.properties.title}'` : ''}`;
    const props = widget.properties ?? {};
    switch (widget.type) {
      case 'text':
      case 'log':
        return;
      case 'alarm':
        for (const a of props.alarms ?? []) alarms.push({ where, value: value(a) });
        return;
      case 'metric':
        for (const a of props.annotations?.alarms ?? []) alarms.push({ where, value: value(a) });
        (props.metrics ?? []).forEach((line: unknown[], m: number) => {
          const at = `${where} metric ${m + 1}`;
          const options = line.length > 0 && typeof line[line.length - 1] === 'object' ? line[line.length - 1] as Record<string, unknown> : {};
          const fields = options === line[line.length - 1] ? line.slice(0, -1) : line;
          // math and search expressions ([{ expression }]) read the metrics they name by id; SEARCH is not resolved
          if (fields.length === 0) return;
          if (fields.some((f) => f === '.' || f === '...')) {
            problems.push(`${at}: the '.'/'...' shorthand is not supported by this check (aws-cdk-lib never writes it); spell the metric out`);
            return;
          }
          const [namespace, metricName, ...pairs] = fields;
          const dimensions = [];
          for (let i = 0; i + 1 < pairs.length; i += 2) dimensions.push({ name: String(pairs[i]), value: value(pairs[i + 1]) });
          if (pairs.length % 2 === 1) problems.push(`${at}: dimension ${String(pairs[pairs.length - 1])} has no value`);
          const region = String(t.resolve(value(options.region ?? props.region ?? { Ref: 'AWS::Region' })));
          metrics.push({ where: at, namespace: value(namespace), metricName: value(metricName), dimensions, region });
        });
        return;
      default:
        problems.push(`${where}: widget type '${widget.type}' is not checked; add it to dashboardContents() in test/support/contracts/operations.ts`);
    }
  });
  return { metrics, alarms, problems };
}

/** Problems with one metric: unknown namespace or name, wrong dimension set, dimension values naming nothing of the stack, wrong region. */
export function metricProblems(t: ResolvedTemplate, use: MetricUse): string[] {
  const { where } = use;
  if (typeof use.namespace !== 'string' || use.namespace === '' || typeof use.metricName !== 'string' || use.metricName === '') {
    return [`${where}: namespace and metric name must be literal, non-empty strings (got ${JSON.stringify(use.namespace)} ${JSON.stringify(use.metricName)})`];
  }
  const namespace = use.namespace;
  const metricName = use.metricName;
  const own = !namespace.startsWith('AWS/');
  const catalog: NamespaceCatalog | undefined = own ? OWN_NAMESPACES[namespace] : AWS_NAMESPACES[namespace];
  if (!catalog) {
    return [own
      ? `${where}: namespace '${namespace}' is not in OWN_NAMESPACES (test/support/contracts/metric-catalog.ts); add the metrics the handler emits there, with its EMF test`
      : `${where}: namespace '${namespace}' is not in AWS_NAMESPACES (test/support/contracts/metric-catalog.ts); add it from the service's CloudWatch metrics page`];
  }
  const problems: string[] = [];
  if (own) {
    const emitters = t.logicalIds('AWS::Lambda::Function').filter((f) => t.properties(f).Environment?.Variables?.POWERTOOLS_METRICS_NAMESPACE === namespace);
    const filters = t.logicalIds('AWS::Logs::MetricFilter').filter((f) => (t.properties(f).MetricTransformations ?? [])
      .some((m: { MetricNamespace?: string; MetricName?: string }) => m.MetricNamespace === namespace && m.MetricName === metricName));
    if (emitters.length === 0 && filters.length === 0) {
      problems.push(`${where}: nothing in this stack writes ${namespace} ${metricName} (a function with POWERTOOLS_METRICS_NAMESPACE, or a metric filter)`);
    }
  }
  const names = use.dimensions.map((d) => d.name).sort();
  const key = (set: string[]) => [...set].sort().join(',');
  const withName = catalog.groups.filter((g) => g.metrics.includes(metricName));
  const group = withName.find((g) => g.dimensionSets.some((s) => key(s) === key(names)));
  if (withName.length === 0) {
    problems.push(`${where}: ${namespace} publishes no metric '${metricName}'${suggestion(metricName, catalog)} (${catalog.docs})`);
  } else if (!group) {
    const sets = withName.flatMap((g) => g.dimensionSets).map((s) => `{${key(s)}}`);
    problems.push(`${where}: ${namespace} ${metricName} is published with dimensions ${[...new Set(sets)].join(' or ')}, not {${key(names)}}, so it has no data (${catalog.docs})`);
  }

  for (const dimension of use.dimensions) {
    const rule = catalog.dimensions[dimension.name];
    const literal = typeof dimension.value === 'string';
    const resolved = String(t.resolve(dimension.value));
    if (!rule) {
      problems.push(`${where}: dimension ${dimension.name} of ${namespace} has no rule in metric-catalog.ts saying what it names`);
      continue;
    }
    if (rule.constants?.(use.region).includes(resolved)) continue;
    const matches = (rule.resources ?? []).flatMap((r) =>
      t.logicalIds(r.type).filter((id) => ([] as string[]).concat(r.value(t, id)).includes(resolved)));
    // a reference to another stack's output (CloudFrontWafAlbAlarms reads CloudFrontWafAlb's
    // distribution across regions) must name a resource of that stack
    const producedElsewhere = literal ? [] : Object.values(t.otherStacks).flatMap((other) =>
      (rule.resources ?? []).flatMap((r) => other.logicalIds(r.type).filter((id) => ([] as string[]).concat(r.value(other, id)).includes(resolved))));
    if (matches.length === 0 && producedElsewhere.length > 0) continue;
    if (matches.length > 0) {
      for (const id of matches) {
        const missing = group?.requires?.(t, id, metricName);
        if (missing) problems.push(`${where}: ${missing}`);
      }
      continue;
    }
    const types = (rule.resources ?? []).map((r) => r.type.replace(/^AWS::/, '')).join(' or ');
    const constants = rule.constants?.(use.region) ?? [];
    problems.push(`${where}: ${dimension.name} ${literal ? `is the literal '${resolved}'` : `resolves to '${resolved}'`}, which is ${types ? `no ${types} of this stack` : 'not allowed'}${constants.length ? ` and not the constant ${constants.map((c) => `'${c}'`).join(' or ')}` : ''}`);
  }

  const home = catalog.homeRegion?.(names);
  if (home && use.region !== home) {
    problems.push(`${where}: ${namespace} publishes these metrics in ${home} only, but this reads them in ${use.region} (set the metric's region to ${home}; an alarm must live in ${home})`);
  }
  return problems;
}

/** ` (did you mean 'X'?)` for a metric name close to a known one. */
function suggestion(name: string, catalog: NamespaceCatalog): string {
  const known = [...new Set(catalog.groups.flatMap((g) => g.metrics))];
  const best = known.map((k) => ({ k, d: distance(name.toLowerCase(), k.toLowerCase()) })).sort((a, b) => a.d - b.d)[0];
  return best && best.d <= 3 ? ` (did you mean '${best.k}'?)` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}
