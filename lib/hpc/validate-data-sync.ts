import { Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { ConfigErrors } from '../private/config-errors';

/** `TaskSchedule.ScheduleExpression`: at most 256 characters of this set (DataSync API TaskSchedule). */
const SCHEDULE_EXPRESSION = /^[a-zA-Z0-9 _*?,|^\-/#\s()+]{0,256}$/;
/** `Subdirectory` of an EFS or FSx for Lustre location: 1 to 4,096 of these characters (DataSync API CreateLocationEfs / CreateLocationFsxLustre). */
const FILE_SYSTEM_SUBDIRECTORY = /^[a-zA-Z0-9_\-+./()$\p{Zs}]{1,4096}$/u;
/** `Subdirectory` of an S3 location: at most 1,024 characters (DataSync API CreateLocationS3); the construct writes `/<prefix>`. */
const MAX_S3_SUBDIRECTORY = 1024;

/** Records a problem unless exactly one file system (`efs` or `fsxLustre`) is given: a task has one source and one destination. */
export function validateFileSystemChoice(errors: ConfigErrors, efs: boolean, fsxLustre: boolean): void {
  if (efs === fsxLustre) {
    errors.add(efs ? 'efs, fsxLustre' : 'efs / fsxLustre', efs ? 'both set' : undefined, 'a task copies between the bucket and exactly one file system',
      'set exactly one of efs and fsxLustre');
  }
}

/**
 * Records problems of a DataSync task schedule. DataSync runs a scheduled task at most once an hour
 * and takes cron() or rate() expressions in EventBridge syntax (DataSync User Guide, "Scheduling
 * your task"; API TaskSchedule). A cron() runs at most hourly only when its minutes field is one
 * fixed minute (`*`, lists, ranges and steps run several times an hour). A token skips the check.
 */
export function validateSchedule(errors: ConfigErrors, schedule: events.Schedule | undefined): void {
  const expression = schedule?.expressionString;
  if (expression === undefined || Token.isUnresolved(expression)) {
    return;
  }
  const hourly = 'use Schedule.rate(Duration.hours(1)) or longer, or a cron() with one fixed minute such as Schedule.cron({ minute: \'0\' })';
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (!/^(cron|rate)\(/.test(expression)) {
    errors.add('schedule', expression, 'DataSync takes cron() or rate() expressions only', hourly);
  } else if (!SCHEDULE_EXPRESSION.test(expression)) {
    errors.add('schedule', expression, 'DataSync takes at most 256 characters of letters, digits, spaces and _ * ? , | ^ - / # ( ) + (TaskSchedule.ScheduleExpression)', hourly);
  } else if (rate) {
    if (rate[2].startsWith('minute') && Number(rate[1]) < 60) {
      errors.add('schedule', expression, 'DataSync runs a task at most once an hour', hourly);
    }
  } else if (cron) {
    const minute = cron[1].trim().split(/\s+/)[0];
    if (!/^\d{1,2}$/.test(minute) || Number(minute) > 59) {
      errors.add('schedule', expression, `DataSync runs a task at most once an hour, and the minutes field '${minute}' fires more often (or is not a minute)`, hourly);
    }
  } else {
    errors.add('schedule', expression, 'is not a cron() or rate() expression DataSync reads', hourly);
  }
}

/** Records a problem with a file-system location's `Subdirectory`; tokens skip. */
export function validateFileSystemSubdirectory(errors: ConfigErrors, prop: string, subdirectory: string | undefined): void {
  if (subdirectory !== undefined && !Token.isUnresolved(subdirectory) && !FILE_SYSTEM_SUBDIRECTORY.test(subdirectory)) {
    errors.add(prop, subdirectory, 'DataSync takes 1 to 4,096 letters, digits, spaces and _ - + . / ( ) $ (Subdirectory of an EFS or FSx for Lustre location)', "use a plain path such as '/staging'");
  }
}

/** Records problems with the S3 prefix; tokens skip. */
export function validateBucketPrefix(errors: ConfigErrors, prefix: string | undefined): void {
  if (prefix === undefined || Token.isUnresolved(prefix)) {
    return;
  }
  if (prefix.startsWith('/')) {
    errors.add('bucketPrefix', prefix, 'an S3 prefix has no leading /', `use '${prefix.replace(/^\/+/, '')}'`);
  }
  if (prefix.length + 1 > MAX_S3_SUBDIRECTORY) {
    errors.add('bucketPrefix', `${prefix.slice(0, 40)}... (${prefix.length} characters)`, `DataSync takes an S3 subdirectory of at most ${MAX_S3_SUBDIRECTORY} characters, the prefix with its leading /`, `use at most ${MAX_S3_SUBDIRECTORY - 1} characters`);
  }
}
