import { Token } from 'aws-cdk-lib';
import { ConfigErrors } from './config-errors';

/** An absolute path of letters, digits, ".", "_", "-" and "/": safe to write into a shell script and /etc/fstab. */
const MOUNT_POINT = /^\/[A-Za-z0-9._/-]+$/;

/** Records a problem unless `mountPoint` is unset, a token, or an absolute path safe for a shell script and /etc/fstab. */
export function checkMountPoint(errors: ConfigErrors, prop: string, mountPoint: string | undefined, example: string): void {
  if (mountPoint !== undefined && !Token.isUnresolved(mountPoint) && !MOUNT_POINT.test(mountPoint)) {
    errors.add(prop, mountPoint, 'must be an absolute path of letters, digits, ".", "_", "-" and "/" (it is written into a shell script and /etc/fstab)',
      `use e.g. '${example}'`);
  }
}
