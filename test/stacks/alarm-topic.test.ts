import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { createAlarmTopic } from '../../lib/stacks/alarm-topic';
import { testApp } from '../support/app';
import { resolveFor } from '../support/contracts/deployments';
import { checkServiceKeyAccess } from '../support/contracts/service-key-access';
import { synthesizeThroughHarness } from '../support/harness';

function alarmStack(context: Record<string, string> = {}): Template {
  return synthesizeThroughHarness((app) => {
    const stack = new Stack(app, 'Alarms');
    const { action } = createAlarmTopic(stack);
    new cloudwatch.Alarm(stack, 'Alarm', {
      metric: new cloudwatch.Metric({ namespace: 'Test', metricName: 'Errors', period: Duration.minutes(1) }),
      threshold: 1, evaluationPeriods: 1,
    }).addAlarmAction(action);
    return stack;
  }, { context });
}

describe('createAlarmTopic (the example stacks\' alarm topic)', () => {
  test("this stack's CloudWatch alarms may publish through the key and the topic policy; other stacks' alarms may not", async () => {
    const template = alarmStack();
    await expect(checkServiceKeyAccess(resolveFor(template, 'Alarms'))).resolves.toEqual([]);
  });

  test('the topic is encrypted with a customer-managed key and TLS only', () => {
    const template = alarmStack();
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlarmTopicKey'), 'Arn'] } });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('-c alarmEmail subscribes the address', () => {
    alarmStack({ alarmEmail: 'ops@example.com' }).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  test('fails if alarmEmail is not an e-mail address', () => {
    const app = testApp({ context: { alarmEmail: 'ops' } });
    expect(() => createAlarmTopic(new Stack(app, 'Alarms'))).toThrow(/Context alarmEmail 'ops' is not an e-mail address. Fix: cdk deploy -c alarmEmail=/);
  });
});
