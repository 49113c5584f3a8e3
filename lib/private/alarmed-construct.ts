import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { AlarmSet } from './alarm-set';

/**
 * A construct with an alarm set: `alarms` and `addAlarmActions` for everything it registers in
 * `_alarmSet`. jsii erases this class (`@jsii ignore`): its members appear as members of each exported
 * subclass, and a member the subclass declares again (with its own TSDoc) takes precedence.
 *
 * @jsii ignore
 */
export abstract class AlarmedConstruct extends Construct {
  /**
   * The alarms of the construct and their actions.
   *
   * @internal
   */
  protected readonly _alarmSet: AlarmSet;

  /**
   * @param alarmActions actions of every alarm the construct registers
   */
  constructor(scope: Construct, id: string, alarmActions?: cloudwatch.IAlarmAction[]) {
    super(scope, id);
    this._alarmSet = new AlarmSet(alarmActions);
  }

  /** Every alarm of the construct. */
  public get alarms(): cloudwatch.IAlarm[] {
    return this._alarmSet.alarms;
  }

  /** Adds actions to every alarm of the construct, present and future. */
  public addAlarmActions(...actions: cloudwatch.IAlarmAction[]): void {
    this._alarmSet.addActions(...actions);
  }
}
