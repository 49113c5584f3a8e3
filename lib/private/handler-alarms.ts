import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** Period of the handler alarms: long enough to sum a burst, short enough to page within minutes. */
export const HANDLER_ALARM_PERIOD = Duration.minutes(5);

/** The errors and throttles alarms of a function a construct invokes. */
export interface HandlerAlarms {
  readonly errors: cloudwatch.Alarm;
  readonly throttles: cloudwatch.Alarm;
}

/**
 * Errors: Sum >= 1 in 5 minutes. An invocation error (exception, timeout, out of memory) fails
 * the whole batch or event, so every one matters; a failed record reported in a partial batch
 * response is not a function error and is covered by the dead-letter queue alarms.
 * Throttles: Sum >= 1 in 5 minutes. Lambda was refused concurrency (account limit or reserved
 * concurrency below the event source's); work waits and, repeated, reaches the dead-letter queue.
 * Missing data is not breaching: a function that is not invoked reports nothing.
 */
export function createHandlerAlarms(scope: Construct, fn: lambda.IFunction, what: string): HandlerAlarms {
  const common = {
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  };
  return {
    errors: new cloudwatch.Alarm(scope, 'HandlerErrorsAlarm', {
      ...common,
      alarmDescription: `${what}: function ${fn.functionName} failed invocations (exception, timeout or out of memory). Look at its ERROR log lines and its Duration against the timeout.`,
      metric: fn.metricErrors({ period: HANDLER_ALARM_PERIOD, statistic: 'Sum' }),
    }),
    throttles: new cloudwatch.Alarm(scope, 'HandlerThrottlesAlarm', {
      ...common,
      alarmDescription: `${what}: function ${fn.functionName} was throttled. Check the account's concurrency (ConcurrentExecutions) and the function's reserved concurrency against the event source's maximum concurrency.`,
      metric: fn.metricThrottles({ period: HANDLER_ALARM_PERIOD, statistic: 'Sum' }),
    }),
  };
}
