import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * The alarms of one construct and the actions they run: actions given at construction apply to
 * every alarm added later, and actions added later apply to every alarm already there. Constructs
 * expose it as `alarms` (the list), `alarmActions` prop and `addAlarmActions()`.
 */
export class AlarmSet {
  private readonly members: cloudwatch.Alarm[] = [];
  private readonly actions: cloudwatch.IAlarmAction[] = [];

  constructor(actions: cloudwatch.IAlarmAction[] = []) {
    this.actions.push(...actions);
  }

  /** Registers `alarm` and gives it every action of the set. */
  public add<T extends cloudwatch.Alarm>(alarm: T): T {
    if (this.actions.length > 0) alarm.addAlarmAction(...this.actions);
    this.members.push(alarm);
    return alarm;
  }

  /** Adds actions to every alarm of the set, present and future. */
  public addActions(...actions: cloudwatch.IAlarmAction[]): void {
    for (const alarm of this.members) alarm.addAlarmAction(...actions);
    this.actions.push(...actions);
  }

  /** The alarms, in the order they were added. */
  public get alarms(): cloudwatch.IAlarm[] {
    return [...this.members];
  }
}
