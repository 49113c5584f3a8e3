import { App, Duration, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as datasync from 'aws-cdk-lib/aws-datasync';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EdgeWebAcl } from '../../../lib/edge/edge-web-acl';
import { WebAclScope } from '../../../lib/edge/ip-blocklist';
import { expectConsoleOutput } from '../console-guard';
import { resolveFor } from './deployments';
import { OWN_NAMESPACES } from './metric-catalog';
import { alarmMetrics, checkAlarmActions, checkAlarmMetrics, checkDashboards, dashboardContents, metricProblems } from './operations';
import { ResolvedTemplate } from './resolve-template';

const newStack = (region?: string) => new Stack(new App(), 'Ops', region ? { env: { region } } : undefined);
const resolved = (stack: Stack, region?: string) => resolveFor(Template.fromStack(stack), stack.stackName, region);
/** The problems of one metric read on a dashboard of `stack`. */
const dashboardProblems = (stack: Stack, ...metrics: cloudwatch.IMetric[]) => {
  new cloudwatch.Dashboard(stack, 'Dashboard', { widgets: [[new cloudwatch.GraphWidget({ left: metrics })]] });
  return checkDashboards(resolved(stack, Stack.of(stack).region.startsWith('${') ? undefined : stack.region));
};
const vpcIn = (stack: Stack) => new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });

describe('dashboard bodies', () => {
  test('intrinsics inside a dimension value are put back as an Fn::Join and resolved', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
    new cloudwatch.Dashboard(stack, 'Dashboard', {
      widgets: [[new cloudwatch.GraphWidget({ left: [fn.metricErrors(), fn.metric('Invocations', { dimensionsMap: { FunctionName: fn.functionName, Resource: `${fn.functionName}` } })] })]],
    });
    const t = resolved(stack);
    const { metrics, problems } = dashboardContents(t, t.logicalIds('AWS::CloudWatch::Dashboard')[0]);
    expect(problems).toEqual([]);
    expect(metrics.map((m) => [m.namespace, m.metricName, m.dimensions.map((d) => `${d.name}=${t.resolve(d.value)}`).join(','), m.region])).toEqual([
      ['AWS/Lambda', 'Errors', 'FunctionName=Fn-ref', 'eu-west-1'],
      ['AWS/Lambda', 'Invocations', 'FunctionName=Fn-ref,Resource=Fn-ref', 'eu-west-1'],
    ].map(([ns, name, dims, region]) => [ns, name, dims.replace(/Fn-ref/g, t.ref(t.logicalIds('AWS::Lambda::Function')[0])), region]));
  });

  test('a literal string body, math expressions and text widgets', () => {
    const t = new ResolvedTemplate({
      Resources: {
        Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'jobs' } },
        D: {
          Type: 'AWS::CloudWatch::Dashboard',
          Properties: { DashboardBody: JSON.stringify({ widgets: [{ type: 'text', properties: { markdown: '#' } }, { type: 'metric', properties: { region: 'eu-west-1', metrics: [[{ expression: 'm1*2' }], ['AWS/SQS', 'NumberOfMessagesSent', 'QueueName', 'jobs', { id: 'm1' }]] } }] }) },
        },
      },
    }, { account: '111111111111', region: 'eu-west-1', stackName: 'Ops' });
    // the queue is named 'jobs' in this template, so the literal names it
    expect(checkDashboards(t)).toEqual([]);
  });

  test('the "." shorthand and unknown widget types are reported, not skipped', () => {
    const t = new ResolvedTemplate({
      Resources: {
        D: {
          Type: 'AWS::CloudWatch::Dashboard',
          Properties: { DashboardBody: JSON.stringify({ widgets: [{ type: 'metric', properties: { metrics: [['AWS/SQS', 'NumberOfMessagesSent', 'QueueName', 'a'], ['.', 'NumberOfMessagesDeleted', '.', '.']] } }, { type: 'explorer', properties: {} }] }) },
        },
      },
    }, { account: '111111111111', region: 'eu-west-1', stackName: 'Ops' });
    const problems = checkDashboards(t).join('\n');
    expect(problems).toMatch(/metric 2: the '\.'\/'\.\.\.' shorthand is not supported/);
    expect(problems).toMatch(/widget type 'explorer' is not checked/);
  });
});

describe('metric catalog', () => {
  test('an unknown AWS namespace fails with where to add it', () => {
    const stack = newStack();
    expect(dashboardProblems(stack, new cloudwatch.Metric({ namespace: 'AWS/Batch', metricName: 'FailedJobs' }))).toEqual([
      expect.stringMatching(/namespace 'AWS\/Batch' is not in AWS_NAMESPACES \(test\/support\/contracts\/metric-catalog\.ts\)/),
    ]);
  });

  test('ALB target group health needs both LoadBalancer and TargetGroup, each naming the stack\'s resources', () => {
    const stack = newStack();
    const vpc = vpcIn(stack);
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
    const group = new elbv2.ApplicationTargetGroup(stack, 'Targets', { vpc, port: 80, targetType: elbv2.TargetType.IP });
    alb.addListener('Http', { port: 80, defaultTargetGroups: [group] });
    const metrics = [group.metrics.healthyHostCount(), group.metrics.targetResponseTime(), alb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT)];
    expect(dashboardProblems(stack, ...metrics)).toEqual([]);

    const other = newStack();
    const otherVpc = vpcIn(other);
    const tg = new elbv2.ApplicationTargetGroup(other, 'Targets', { vpc: otherVpc, port: 80, targetType: elbv2.TargetType.IP });
    new elbv2.ApplicationLoadBalancer(other, 'Alb', { vpc: otherVpc }).addListener('Http', { port: 80, defaultTargetGroups: [tg] });
    const problems = dashboardProblems(other, new cloudwatch.Metric({ namespace: 'AWS/ApplicationELB', metricName: 'HealthyHostCount', dimensionsMap: { TargetGroup: tg.targetGroupFullName } }));
    expect(problems).toEqual([expect.stringMatching(/HealthyHostCount is published with dimensions \{LoadBalancer,TargetGroup\} or \{AvailabilityZone,LoadBalancer,TargetGroup\}, not \{TargetGroup\}/)]);
  });

  test('NLB target group metrics derive the load balancer from the group\'s LoadBalancerArns', () => {
    const stack = newStack();
    const vpc = vpcIn(stack);
    const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc });
    const group = new elbv2.NetworkTargetGroup(stack, 'Targets', { vpc, port: 22, targetType: elbv2.TargetType.INSTANCE });
    nlb.addListener('Ssh', { port: 22, defaultTargetGroups: [group] });
    expect(dashboardProblems(stack, group.metrics.unHealthyHostCount(), nlb.metrics.activeFlowCount())).toEqual([]);
  });

  test('a regional web ACL: WebACL, Rule (ALL or a rule\'s metric name) and Region', () => {
    // a rule's metric name, read from a first copy of the web ACL
    const probe = newStack();
    new EdgeWebAcl(probe, 'Acl', { scope: WebAclScope.REGIONAL });
    const ruleName = Object.values(Template.fromStack(probe).findResources('AWS::WAFv2::WebACL'))[0].Properties.Rules[0].VisibilityConfig.MetricName;
    const stack = newStack();
    const acl = new EdgeWebAcl(stack, 'Acl', { scope: WebAclScope.REGIONAL });
    expect(dashboardProblems(stack, acl.metricBlockedRequests(), acl.metricCountedRequests(ruleName))).toEqual([]);

    const other = newStack();
    const otherAcl = new EdgeWebAcl(other, 'Acl', { scope: WebAclScope.REGIONAL });
    expect(dashboardProblems(other, otherAcl.metricBlockedRequests('NoSuchRule'))).toEqual([
      expect.stringMatching(/Rule is the literal 'NoSuchRule', which is no WAFv2::WebACL of this stack and not the constant 'ALL'/),
    ]);
  });

  test('a CLOUDFRONT-scope web ACL has no Region dimension and publishes in us-east-1 only', () => {
    const usEast1 = newStack('us-east-1');
    expect(dashboardProblems(usEast1, new EdgeWebAcl(usEast1, 'Acl', { scope: WebAclScope.CLOUDFRONT }).metricBlockedRequests())).toEqual([]);
    const elsewhere = newStack();
    const acl = new EdgeWebAcl(elsewhere, 'Acl', { scope: WebAclScope.CLOUDFRONT });
    // EdgeWebAcl reads a CLOUDFRONT-scope metric in us-east-1 from any stack; the same metric read in the stack's region is the mistake
    expect(dashboardProblems(elsewhere, acl.metricBlockedRequests())).toEqual([]);
    const broken = newStack();
    const brokenAcl = new EdgeWebAcl(broken, 'Acl', { scope: WebAclScope.CLOUDFRONT });
    expect(dashboardProblems(broken, brokenAcl.metricBlockedRequests().with({ region: 'eu-west-1' })))
      .toEqual([expect.stringMatching(/AWS\/WAFV2 publishes these metrics in us-east-1 only, but this reads them in eu-west-1/)]);
  });

  test('CloudFront metrics: Region Global, read in us-east-1; additional metrics need a monitoring subscription', () => {
    const distribution = (stack: Stack) => new cloudfront.Distribution(stack, 'Cdn', { defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(new s3.Bucket(stack, 'Site')) } });
    const global = (cdn: cloudfront.Distribution, metricName: string, region?: string) =>
      cdn.metric(metricName, { dimensionsMap: { DistributionId: cdn.distributionId, Region: 'Global' }, region });
    const stack = newStack();
    expect(dashboardProblems(stack, global(distribution(stack), '5xxErrorRate', 'us-east-1'))).toEqual([]);

    // aws-cdk-lib's Distribution.metric*() leave out Region: Global (aws/aws-cdk#19245), so they read no data
    const lib = newStack();
    expect(dashboardProblems(lib, distribution(lib).metric5xxErrorRate({ region: 'us-east-1' }))).toEqual([
      expect.stringMatching(/AWS\/CloudFront 5xxErrorRate is published with dimensions \{DistributionId,Region\}, not \{DistributionId\}/),
    ]);

    const local = newStack();
    expect(dashboardProblems(local, global(distribution(local), '5xxErrorRate'))).toEqual([
      expect.stringMatching(/AWS\/CloudFront publishes these metrics in us-east-1 only, but this reads them in eu-west-1/),
    ]);

    const additional = newStack();
    expect(dashboardProblems(additional, global(distribution(additional), 'OriginLatency', 'us-east-1'))).toEqual([
      expect.stringMatching(/OriginLatency is an additional CloudFront metric: Cdn\w+ needs an AWS::CloudFront::MonitoringSubscription/),
    ]);
    const subscribed = newStack();
    const cdn = new cloudfront.Distribution(subscribed, 'Cdn', { defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(new s3.Bucket(subscribed, 'Site')) }, publishAdditionalMetrics: true });
    expect(dashboardProblems(subscribed, global(cdn, 'OriginLatency', 'us-east-1'))).toEqual([]);
  });

  test('Auto Scaling group metrics exist only when the group collects them', () => {
    const group = (stack: Stack, groupMetrics?: autoscaling.GroupMetrics[]) => new autoscaling.AutoScalingGroup(stack, 'Group', {
      vpc: vpcIn(stack), instanceType: new ec2.InstanceType('t4g.nano'), machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }), groupMetrics,
    });
    const inService = (asg: autoscaling.AutoScalingGroup) => new cloudwatch.Metric({ namespace: 'AWS/AutoScaling', metricName: 'GroupInServiceInstances', dimensionsMap: { AutoScalingGroupName: asg.autoScalingGroupName } });
    const collecting = newStack();
    expect(dashboardProblems(collecting, inService(group(collecting, [autoscaling.GroupMetrics.all()])))).toEqual([]);
    const silent = newStack();
    expect(dashboardProblems(silent, inService(group(silent)))).toEqual([expect.stringMatching(/Group\w+ does not collect GroupInServiceInstances: set the group's MetricsCollection/)]);
  });

  test('DataSync TaskId is the last part of the task ARN', () => {
    const stack = newStack();
    const task = new datasync.CfnTask(stack, 'Task', { sourceLocationArn: 'arn:aws:datasync:eu-west-1:111111111111:location/loc-0123456789abcdef0', destinationLocationArn: 'arn:aws:datasync:eu-west-1:111111111111:location/loc-0123456789abcdef1' });
    const bytes = (taskId: string) => new cloudwatch.Metric({ namespace: 'AWS/DataSync', metricName: 'BytesTransferred', dimensionsMap: { TaskId: taskId } });
    expect(dashboardProblems(stack, bytes(Fn.select(1, Fn.split('/', task.attrTaskArn))))).toEqual([]);
    const whole = newStack();
    const wholeTask = new datasync.CfnTask(whole, 'Task', { sourceLocationArn: 'arn:aws:datasync:eu-west-1:111111111111:location/loc-0123456789abcdef0', destinationLocationArn: 'arn:aws:datasync:eu-west-1:111111111111:location/loc-0123456789abcdef1' });
    expect(dashboardProblems(whole, bytes(wholeTask.attrTaskArn)).join('\n')).toMatch(/TaskId resolves to 'arn:aws:datasync:[^']+', which is no DataSync::Task of this stack/);
  });

  test('ElastiCache serverless metrics use the clusterId dimension, not CacheClusterId', () => {
    const cache = (stack: Stack) => new elasticache.CfnServerlessCache(stack, 'Cache', { engine: 'valkey', serverlessCacheName: `${stack.stackName}-cache` });
    const stack = newStack();
    expect(dashboardProblems(stack, new cloudwatch.Metric({ namespace: 'AWS/ElastiCache', metricName: 'ThrottledCmds', dimensionsMap: { clusterId: cache(stack).ref } }))).toEqual([]);
    const wrong = newStack();
    expect(dashboardProblems(wrong, new cloudwatch.Metric({ namespace: 'AWS/ElastiCache', metricName: 'ThrottledCmds', dimensionsMap: { CacheClusterId: cache(wrong).ref } })).join('\n'))
      .toMatch(/ThrottledCmds is published with dimensions \{clusterId\}, not \{CacheClusterId\}/);
  });

  test('our own namespace must be listed and emitted by a function of the stack', () => {
    const build = (emitted: string) => {
      const stack = newStack();
      new lambda.Function(stack, 'Api', {
        runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('x'),
        environment: { POWERTOOLS_METRICS_NAMESPACE: emitted, POWERTOOLS_SERVICE_NAME: 'api' },
      });
      const hits = new cloudwatch.Metric({ namespace: 'TestApp', metricName: 'CacheHit', dimensionsMap: { service: 'api' } });
      new cloudwatch.Dashboard(stack, 'Dashboard', { widgets: [[new cloudwatch.GraphWidget({ left: [hits] })]] });
      return resolved(stack);
    };
    expect(checkDashboards(build('TestApp'))).toEqual([expect.stringMatching(/namespace 'TestApp' is not in OWN_NAMESPACES/)]);

    OWN_NAMESPACES.TestApp = {
      docs: 'lambda/test-app (test)', groups: [{ dimensionSets: [['service']], metrics: ['CacheHit'] }],
      dimensions: { service: { resources: [{ type: 'AWS::Lambda::Function', value: (t, id) => t.properties(id).Environment?.Variables?.POWERTOOLS_SERVICE_NAME }] } },
    };
    try {
      expect(checkDashboards(build('TestApp'))).toEqual([]);
      expect(checkDashboards(build('Elsewhere'))).toEqual([expect.stringMatching(/nothing in this stack writes TestApp CacheHit/)]);
    } finally {
      delete OWN_NAMESPACES.TestApp;
    }
  });

  test('namespace and metric name must be literal', () => {
    const printed = expectConsoleOutput();
    const t = resolved(newStack());
    // the stack is empty, which aws-cdk-lib's template validator reports at synth
    expect(printed.text()).toContain('CloudFormation-Validate::F0001');
    expect(metricProblems(t, { where: 'x', namespace: { Ref: 'AWS::Region' }, metricName: 'Errors', dimensions: [], region: 'eu-west-1' }))
      .toEqual([expect.stringMatching(/namespace and metric name must be literal/)]);
  });
});

describe('alarm actions', () => {
  const instanceAlarm = (stack: Stack, metricOf: 'instance' | 'group') => {
    const vpc = vpcIn(stack);
    const instance = new ec2.Instance(stack, 'Host', { vpc, instanceType: new ec2.InstanceType('t4g.nano'), machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }) });
    const dimensionsMap: Record<string, string> = metricOf === 'instance' ? { InstanceId: instance.instanceId } : { AutoScalingGroupName: 'x' };
    return new cloudwatch.Alarm(stack, 'StatusCheck', {
      metric: new cloudwatch.Metric({ namespace: 'AWS/EC2', metricName: 'StatusCheckFailed_System', dimensionsMap, period: Duration.minutes(1) }), threshold: 1, evaluationPeriods: 2,
    });
  };

  test('an EC2 recover action on an instance metric in the alarm\'s region passes', () => {
    const stack = newStack('eu-west-1');
    instanceAlarm(stack, 'instance').addAlarmAction(new cwActions.Ec2Action(cwActions.Ec2InstanceAction.RECOVER));
    expect(checkAlarmActions(resolved(stack, 'eu-west-1'))).toEqual([]);
  });

  test('an EC2 action on an alarm that is not on an instance metric fails', () => {
    const stack = newStack('eu-west-1');
    instanceAlarm(stack, 'group').addAlarmAction(new cwActions.Ec2Action(cwActions.Ec2InstanceAction.REBOOT));
    expect(checkAlarmActions(resolved(stack, 'eu-west-1'))).toEqual([expect.stringMatching(/EC2 action arn:aws:automate:eu-west-1:ec2:reboot needs an alarm on an AWS\/EC2 metric with an InstanceId dimension/)]);
  });

  test('a Lambda action passes with aws-cdk-lib\'s permission and fails without one', () => {
    const build = (withPermission: boolean) => {
      const stack = newStack();
      const fn = new lambda.Function(stack, 'Pager', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
      const metric = new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'Errors', dimensionsMap: { FunctionName: fn.functionName } });
      if (withPermission) {
        new cloudwatch.Alarm(stack, 'Errors', { metric, threshold: 1, evaluationPeriods: 1 }).addAlarmAction(new cwActions.LambdaAction(fn));
      } else {
        new cloudwatch.CfnAlarm(stack, 'Errors', { comparisonOperator: 'GreaterThanThreshold', evaluationPeriods: 1, threshold: 1, namespace: 'AWS/Lambda', metricName: 'Errors', period: 60, statistic: 'Sum', alarmActions: [fn.functionArn] });
      }
      return resolved(stack);
    };
    expect(checkAlarmActions(build(true))).toEqual([]);
    expect(checkAlarmActions(build(false))).toEqual([expect.stringMatching(/function Pager\w+ has no permission for lambda\.alarms\.cloudwatch\.amazonaws\.com/)]);
  });

  test('an Auto Scaling step policy passes; disabled actions fail', () => {
    const printed = expectConsoleOutput();
    const stack = newStack();
    const asg = new autoscaling.AutoScalingGroup(stack, 'Group', { vpc: vpcIn(stack), instanceType: new ec2.InstanceType('t4g.nano'), machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }) });
    asg.scaleOnMetric('Cpu', { metric: new cloudwatch.Metric({ namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensionsMap: { AutoScalingGroupName: asg.autoScalingGroupName } }), scalingSteps: [{ upper: 10, change: -1 }, { lower: 50, change: +1 }] });
    const t = resolved(stack);
    // aws-cdk-lib's scaleOnMetric sets a deprecated property itself, and says so (once per process)
    expect(printed.calls.filter((c) => !c.text.includes('StepScalingActionProps#cooldown is deprecated'))).toEqual([]);
    expect(t.logicalIds('AWS::CloudWatch::Alarm')).toHaveLength(2);
    expect(checkAlarmActions(t)).toEqual([]);
    expect(checkAlarmMetrics(t)).toEqual([]);
    expect(alarmMetrics(t, t.logicalIds('AWS::CloudWatch::Alarm')[0])[0]).toMatchObject({ namespace: 'AWS/EC2', metricName: 'CPUUtilization' });

    const off = newStack();
    new cloudwatch.CfnAlarm(off, 'Off', { comparisonOperator: 'GreaterThanThreshold', evaluationPeriods: 1, threshold: 1, namespace: 'AWS/SQS', metricName: 'NumberOfMessagesSent', period: 60, statistic: 'Sum', actionsEnabled: false, alarmActions: [] });
    expect(checkAlarmActions(resolved(off))).toEqual([expect.stringMatching(/ActionsEnabled is false/), expect.stringMatching(/has no AlarmActions/)]);
  });
});

describe('metrics of another stack\'s resources (Fn::GetStackOutput)', () => {
  const producer = new ResolvedTemplate({
    Resources: { Cdn: { Type: 'AWS::CloudFront::Distribution' }, Site: { Type: 'AWS::S3::Bucket' } },
    Outputs: { DistributionId: { Value: { Ref: 'Cdn' } }, BucketName: { Value: { Ref: 'Site' } } },
  } as never, { account: '111111111111', region: 'eu-west-1', stackName: 'Producer' });
  const consumer = (outputName: string) => {
    const t = new ResolvedTemplate({
      Resources: {
        Alarm: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            Namespace: 'AWS/CloudFront', MetricName: '5xxErrorRate', Statistic: 'Average', Period: 300, EvaluationPeriods: 1, Threshold: 5,
            ComparisonOperator: 'GreaterThanThreshold',
            Dimensions: [
              { Name: 'DistributionId', Value: { 'Fn::GetStackOutput': { StackName: 'Producer', OutputName: outputName, Region: 'eu-west-1' } } },
              { Name: 'Region', Value: 'Global' },
            ],
          },
        },
      },
    } as never, { account: '111111111111', region: 'us-east-1', stackName: 'Consumer' });
    t.otherStacks.Producer = producer;
    return t;
  };

  test('an output naming the producer\'s distribution passes', () => {
    expect(checkAlarmMetrics(consumer('DistributionId'))).toEqual([]);
  });

  test('an output naming something else of the producer fails', () => {
    expect(checkAlarmMetrics(consumer('BucketName'))).toEqual([expect.stringMatching(/DistributionId resolves to '.*', which is no CloudFront::Distribution of this stack/)]);
  });

  test('without the producer the output stays opaque and fails', () => {
    const t = consumer('DistributionId');
    delete t.otherStacks.Producer;
    expect(checkAlarmMetrics(t)).toEqual([expect.stringMatching(/DistributionId resolves to 'stack-output:Producer:DistributionId'/)]);
  });
});
