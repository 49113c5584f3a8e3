import * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * Bash fragments for the user data of `HpcCluster`'s nodes (Amazon Linux 2023). The file systems and
 * the io2 volume go into /etc/fstab, so later boots mount them again; the instance-store scratch is
 * mounted by the script alone.
 */

/** `script` as the one shell-script part of a MIME multi-part user data (AWS Batch rejects a bare script). */
export function multipart(script: ec2.UserData): ec2.MultipartUserData {
  const userData = new ec2.MultipartUserData();
  userData.addUserDataPart(script, ec2.MultipartBody.SHELL_SCRIPT, true);
  return userData;
}

/** Installs the Lustre client and mounts the file system at boot (and on every later boot, from fstab). */
export function lustreMountCommands(dnsName: string, mountName: string, mountPoint: string): string[] {
  return [
    '# FSx for Lustre',
    'dnf install -y lustre-client || amazon-linux-extras install -y lustre',
    `mkdir -p ${mountPoint}`,
    `grep -q ' ${mountPoint} lustre ' /etc/fstab || echo '${dnsName}@tcp:/${mountName} ${mountPoint} lustre defaults,noatime,flock,_netdev,x-systemd.automount,x-systemd.requires=network.service 0 0' >> /etc/fstab`,
    `for i in 1 2 3 4 5 6; do mount ${mountPoint} && break; sleep 10; done`,
  ];
}

/** RAID 0 over all instance-store NVMe disks (or the one disk) at `mountPoint`; nothing when the type has none. */
export function instanceStoreRaidCommands(mountPoint: string): string[] {
  return [
    '# Instance-store scratch (lost when the instance stops)',
    "disks=$(lsblk -dnpo NAME,MODEL | awk '/Amazon EC2 NVMe Instance Storage/ {print $1}')",
    'count=$(echo "$disks" | grep -c . || true)',
    'if [ "$count" -gt 1 ]; then',
    '  dnf install -y mdadm',
    '  mdadm --create /dev/md0 --level=0 --raid-devices="$count" $disks --run',
    '  scratch=/dev/md0',
    'elif [ "$count" -eq 1 ]; then',
    '  scratch=$disks',
    'fi',
    'if [ -n "${scratch:-}" ]; then',
    '  mkfs.xfs -f "$scratch"',
    `  mkdir -p ${mountPoint} && mount -o noatime "$scratch" ${mountPoint} && chmod 1777 ${mountPoint}`,
    'fi',
  ];
}

/** Mounts the EFS file system with TLS and IAM authorization (the instance role's credentials) at boot and from fstab. */
export function efsMountCommands(fileSystemId: string, mountPoint: string): string[] {
  return [
    '# Amazon EFS (TLS, IAM authorization)',
    'dnf install -y amazon-efs-utils',
    `mkdir -p ${mountPoint}`,
    `grep -q ' ${mountPoint} efs ' /etc/fstab || echo '${fileSystemId}:/ ${mountPoint} efs _netdev,noresvport,tls,iam 0 0' >> /etc/fstab`,
    `for i in 1 2 3 4 5 6; do mount ${mountPoint} && break; sleep 10; done`,
  ];
}

/** Formats the io2 volume (XFS, label hpc-data) unless it has a file system, and mounts it at boot and from fstab. */
export function nodeVolumeCommands(deviceName: string, mountPoint: string): string[] {
  return [
    '# io2 node volume',
    `blkid ${deviceName} || mkfs.xfs -L hpc-data ${deviceName}`,
    `mkdir -p ${mountPoint}`,
    `grep -q 'LABEL=hpc-data' /etc/fstab || echo 'LABEL=hpc-data ${mountPoint} xfs defaults,noatime,nofail 0 2' >> /etc/fstab`,
    `mount ${mountPoint}`,
  ];
}
