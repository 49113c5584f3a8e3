import { ConfigurationError, configFromEnv } from '../../lambda/ebs-follower';

const REQUIRED = { GROUP_TAG_KEY: 'k', GROUP_TAG_VALUE: 'v', DEVICE_NAME: '/dev/xvdf', VOLUME_SIZE_GIB: '10' };

/** The ConfigurationError message for `env` (fails the test if there is none). */
function problem(env: NodeJS.ProcessEnv): string {
  try {
    configFromEnv(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigurationError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigurationError');
}

describe('ebs-follower configFromEnv', () => {
  test('defaults', () => {
    expect(configFromEnv(REQUIRED)).toEqual({
      groupTagKey: 'k', groupTagValue: 'v', deviceName: '/dev/xvdf', volumeSizeGiB: 10, volumeType: 'gp3',
      iops: undefined, throughput: undefined, kmsKeyId: undefined, snapshotRetention: 7, drainTimeoutMs: 120_000, restoreAfterMs: undefined,
    });
  });

  test('every variable set', () => {
    expect(configFromEnv({
      ...REQUIRED, VOLUME_TYPE: 'io2', VOLUME_IOPS: '3000', VOLUME_THROUGHPUT: '125', KMS_KEY_ID: 'key',
      SNAPSHOT_RETENTION: '0', DRAIN_TIMEOUT_SECONDS: '0', RESTORE_AFTER_SECONDS: '1.5',
    })).toEqual({
      groupTagKey: 'k', groupTagValue: 'v', deviceName: '/dev/xvdf', volumeSizeGiB: 10, volumeType: 'io2',
      iops: 3000, throughput: 125, kmsKeyId: 'key', snapshotRetention: 0, drainTimeoutMs: 0, restoreAfterMs: 1500,
    });
  });

  test('empty optional variables take their defaults', () => {
    expect(configFromEnv({ ...REQUIRED, VOLUME_TYPE: '', VOLUME_IOPS: '', KMS_KEY_ID: '', SNAPSHOT_RETENTION: '', RESTORE_AFTER_SECONDS: '' }))
      .toMatchObject({ volumeType: 'gp3', iops: undefined, kmsKeyId: undefined, snapshotRetention: 7, restoreAfterMs: undefined });
  });

  test.each(['GROUP_TAG_KEY', 'GROUP_TAG_VALUE', 'DEVICE_NAME'])('fails if %s is unset or empty', (name) => {
    const { [name as keyof typeof REQUIRED]: _, ...without } = REQUIRED;
    expect(problem(without)).toBe(`environment variable ${name} is not set`);
    expect(problem({ ...REQUIRED, [name]: '' })).toBe(`environment variable ${name} is not set`);
  });

  test.each([
    ['VOLUME_SIZE_GIB', undefined],
    ['VOLUME_SIZE_GIB', ''],
    ['VOLUME_SIZE_GIB', 'ten'],
    ['VOLUME_SIZE_GIB', '-1'],
    ['VOLUME_SIZE_GIB', 'Infinity'],
    ['SNAPSHOT_RETENTION', '-0.5'],
    ['DRAIN_TIMEOUT_SECONDS', 'x'],
    ['VOLUME_IOPS', '-3'],
    ['VOLUME_THROUGHPUT', 'fast'],
    ['RESTORE_AFTER_SECONDS', '-1'],
  ])('fails if %s is %p, naming the variable and the rule', (name, value) => {
    expect(problem({ ...REQUIRED, [name]: value })).toBe(`environment variable ${name} must be a number >= 0, got '${value}'`);
  });

  test('0 is the lowest number accepted', () => {
    expect(configFromEnv({ ...REQUIRED, VOLUME_SIZE_GIB: '0' }).volumeSizeGiB).toBe(0);
  });
});
