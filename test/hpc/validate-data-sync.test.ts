import { Lazy, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import {
  validateBucketPrefix, validateFileSystemChoice, validateFileSystemSubdirectory, validateSchedule,
} from '../../lib/hpc/validate-data-sync';
import { ConfigErrors } from '../../lib/private/config-errors';
import { recordedProblems } from '../support/config-problems';

/*
 * Limits: DataSync API TaskSchedule ("at a minimum interval of 1 hour"; ScheduleExpression at most 256
 * characters of ^[a-zA-Z0-9\ \_\*\?\,\|\^\-\/\#\s\(\)\+]*$), CreateLocationEfs / CreateLocationFsxLustre
 * Subdirectory (at most 4,096 characters of ^[a-zA-Z0-9_\-\+\./\(\)\$\p{Zs}]+$), CreateLocationS3
 * Subdirectory (at most 1,024 characters).
 */

/** The problems `check` records, as the lines of the thrown message (without the header). */
function problems(check: (errors: ConfigErrors) => void): string[] {
  const errors = new ConfigErrors('DataSyncTransfer', 'T');
  check(errors);
  return recordedProblems(errors);
}

const HOURLY = "use Schedule.rate(Duration.hours(1)) or longer, or a cron() with one fixed minute such as Schedule.cron({ minute: '0' })";

function schedule(expression: string): string[] {
  return problems((e) => validateSchedule(e, events.Schedule.expression(expression)));
}

describe('file system choice', () => {
  test('exactly one of efs and fsxLustre is accepted', () => {
    expect(problems((e) => validateFileSystemChoice(e, true, false))).toEqual([]);
    expect(problems((e) => validateFileSystemChoice(e, false, true))).toEqual([]);
  });

  test('fails with both or neither', () => {
    expect(problems((e) => validateFileSystemChoice(e, true, true))).toEqual([
      "  - DataSyncTransfer: efs, fsxLustre 'both set': a task copies between the bucket and exactly one file system. Fix: set exactly one of efs and fsxLustre.",
    ]);
    expect(problems((e) => validateFileSystemChoice(e, false, false))).toEqual([
      '  - DataSyncTransfer: efs / fsxLustre (not set): a task copies between the bucket and exactly one file system. Fix: set exactly one of efs and fsxLustre.',
    ]);
  });
});

describe('schedule', () => {
  test('no schedule and a token are accepted', () => {
    expect(problems((e) => validateSchedule(e, undefined))).toEqual([]);
    expect(problems((e) => validateSchedule(e, events.Schedule.expression(Token.asString(Lazy.string({ produce: () => 'x' })))))).toEqual([]);
  });

  test.each([
    'rate(60 minutes)', 'rate(61 minutes)', 'rate(1 hour)', 'rate(2 hours)', 'rate(1 day)', 'rate(7 days)',
    'cron(0 * * * ? *)', 'cron(59 8 * * ? *)', 'cron(5 8 * * 3#1)', 'cron( 30 8 * * ? *)',
  ])('%s is accepted', (expression) => {
    expect(schedule(expression)).toEqual([]);
  });

  test('what the construct helpers write is accepted', () => {
    expect(problems((e) => validateSchedule(e, events.Schedule.cron({ minute: '0' })))).toEqual([]);
  });

  test('fails at 59 minutes', () => {
    expect(schedule('rate(59 minutes)')).toEqual([
      `  - DataSyncTransfer: schedule 'rate(59 minutes)': DataSync runs a task at most once an hour. Fix: ${HOURLY}.`,
    ]);
    expect(schedule('rate(1 minute)')).toHaveLength(1);
  });

  test('fails if the minutes field fires more than once an hour', () => {
    expect(schedule('cron(*/5 * * * ? *)')).toEqual([
      "  - DataSyncTransfer: schedule 'cron(*/5 * * * ? *)': DataSync runs a task at most once an hour, and the minutes field '*/5' fires more often (or is not a minute)."
      + ` Fix: ${HOURLY}.`,
    ]);
  });

  test.each(['cron(* 8 * * ? *)', 'cron(0,30 8 * * ? *)', 'cron(0-5 8 * * ? *)', 'cron(60 8 * * ? *)', 'cron(100 8 * * ? *)', 'cron(x0 8 * * ? *)', 'cron(0x 8 * * ? *)'])(
    '%s fails', (expression) => {
      expect(schedule(expression)).toHaveLength(1);
    });

  test('fails if not cron() or rate()', () => {
    expect(schedule('at(2030-01-01T00:00:00)')).toEqual([
      `  - DataSyncTransfer: schedule 'at(2030-01-01T00:00:00)': DataSync takes cron() or rate() expressions only. Fix: ${HOURLY}.`,
    ]);
    expect(schedule(' rate(1 hour)')).toEqual([
      `  - DataSyncTransfer: schedule ' rate(1 hour)': DataSync takes cron() or rate() expressions only. Fix: ${HOURLY}.`,
    ]);
  });

  test('a rate() or cron() counts only as the whole expression', () => {
    // A cron() whose minutes fire every 5 minutes, ending in text that reads as an hourly rate().
    expect(schedule('cron(0/5 rate(1 hour)')).toHaveLength(1);
    // Neither a rate() nor a cron(), ending in text that reads as an hourly cron().
    expect(schedule('rate(5 cron(0 8 * * ? *)')).toEqual([
      `  - DataSyncTransfer: schedule 'rate(5 cron(0 8 * * ? *)': is not a cron() or rate() expression DataSync reads. Fix: ${HOURLY}.`,
    ]);
  });

  test('fails if a rate() or cron() does not parse', () => {
    expect(schedule('rate(2 weeks)')).toEqual([
      `  - DataSyncTransfer: schedule 'rate(2 weeks)': is not a cron() or rate() expression DataSync reads. Fix: ${HOURLY}.`,
    ]);
    expect(schedule('rate(1 hour) ')).toHaveLength(1);
    expect(schedule('cron()')).toHaveLength(1);
  });

  test('256 characters are accepted; fails at 257 and with a character DataSync does not take', () => {
    const padded = (length: number) => `cron(0 8 * * ? *${' '.repeat(length - 'cron(0 8 * * ? *)'.length)})`;
    expect(padded(256)).toHaveLength(256);
    expect(schedule(padded(256))).toEqual([]);
    expect(schedule(padded(257))).toEqual([
      `  - DataSyncTransfer: schedule '${padded(257)}': DataSync takes at most 256 characters of letters, digits, spaces and _ * ? , | ^ - / # ( ) +`
      + ` (TaskSchedule.ScheduleExpression). Fix: ${HOURLY}.`,
    ]);
    expect(schedule('cron(0 8 * * ? 2030.5)')).toHaveLength(1);
    expect(schedule('cron(0 8 L * ? *)|^#+_')).toHaveLength(1); // every character is allowed; it is not one expression
  });
});

describe('file system subdirectory', () => {
  function subdirectory(value: string | undefined): string[] {
    return problems((e) => validateFileSystemSubdirectory(e, 'efs.subdirectory', value));
  }

  test.each(['/', '/staging', '/a b', '/a_b-c+d.e/(f)$g', 'x', '/' + 'a'.repeat(4095)])('%s is accepted', (value) => {
    expect(subdirectory(value)).toEqual([]);
  });

  test('unset and a token are accepted', () => {
    expect(subdirectory(undefined)).toEqual([]);
    expect(subdirectory(Token.asString(Lazy.string({ produce: () => '*' })))).toEqual([]);
  });

  test('fails if empty', () => {
    expect(subdirectory('')).toEqual([
      "  - DataSyncTransfer: efs.subdirectory '': DataSync takes 1 to 4,096 letters, digits, spaces and _ - + . / ( ) $ (Subdirectory of an EFS or FSx for Lustre location)."
      + " Fix: use a plain path such as '/staging'.",
    ]);
  });

  test.each(['/' + 'a'.repeat(4096), '/a*b', '/é', '/a\tb', '/a:b'])('%s fails', (value) => {
    expect(subdirectory(value)).toHaveLength(1);
  });

  test('the prop is named by the caller', () => {
    expect(problems((e) => validateFileSystemSubdirectory(e, 'fsxLustre.subdirectory', '*'))[0]).toMatch(/^ {2}- DataSyncTransfer: fsxLustre\.subdirectory '\*'/);
  });
});

describe('bucket prefix', () => {
  function prefix(value: string | undefined): string[] {
    return problems((e) => validateBucketPrefix(e, value));
  }

  test.each(['', 'data/', 'a/b/c', 'a'.repeat(1023)])('%s is accepted', (value) => {
    expect(prefix(value)).toEqual([]);
  });

  test('unset and a token are accepted', () => {
    expect(prefix(undefined)).toEqual([]);
    expect(prefix(Token.asString(Lazy.string({ produce: () => '/x' })))).toEqual([]);
  });

  test('fails with a leading /', () => {
    expect(prefix('/data/')).toEqual([
      "  - DataSyncTransfer: bucketPrefix '/data/': an S3 prefix has no leading /. Fix: use 'data/'.",
    ]);
    expect(prefix('//data')[0]).toContain("Fix: use 'data'.");
  });

  test('fails at 1,024 characters (the subdirectory is the prefix with its leading /)', () => {
    const long = 'a'.repeat(1024);
    expect(prefix(long)).toEqual([
      `  - DataSyncTransfer: bucketPrefix '${'a'.repeat(40)}... (1024 characters)': DataSync takes an S3 subdirectory of at most 1024 characters,`
      + ' the prefix with its leading /. Fix: use at most 1023 characters.',
    ]);
    expect(prefix('/' + 'a'.repeat(1023))).toHaveLength(2);
  });
});
