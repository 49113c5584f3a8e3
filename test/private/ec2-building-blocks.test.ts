import { App, Lazy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Template } from 'aws-cdk-lib/assertions';
import { ConfigErrors } from '../../lib/private/config-errors';
import { amazonLinux2023AtLaunch, checkMountPoint, hardenedLaunchTemplate } from '../../lib/private/ec2-building-blocks';

describe('checkMountPoint', () => {
  test.each(['/data', '/mnt/a_b-c.1'])('accepts %s', (mountPoint) => {
    const errors = new ConfigErrors('Widget', 'Stack/Widget');
    checkMountPoint(errors, 'mountPoint', mountPoint, '/data');
    expect(errors.count).toBe(0);
  });

  test('accepts unset and tokens', () => {
    const errors = new ConfigErrors('Widget', 'Stack/Widget');
    checkMountPoint(errors, 'mountPoint', undefined, '/data');
    checkMountPoint(errors, 'mountPoint', Lazy.string({ produce: () => 'x y' }), '/data');
    expect(errors.count).toBe(0);
  });

  test.each(['data', '/a b', "/a';rm -rf /"])('fails if the mount point is %s', (mountPoint) => {
    const errors = new ConfigErrors('Widget', 'Stack/Widget');
    checkMountPoint(errors, 'dataVolume.mountPoint', mountPoint, '/data');
    expect(() => errors.throwIfAny()).toThrow(/dataVolume\.mountPoint '.*': must be an absolute path[\s\S]*Fix: use e\.g\. '\/data'/);
  });
});

describe('amazonLinux2023AtLaunch', () => {
  test.each([
    [ec2.InstanceArchitecture.ARM_64, 'arm64'],
    [ec2.InstanceArchitecture.X86_64, 'x86_64'],
  ])('resolves the %s image at launch', (architecture, suffix) => {
    const stack = new Stack(new App());
    const image = amazonLinux2023AtLaunch(architecture).getImage(stack);
    expect(image.imageId).toBe(`resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${suffix}`);
  });
});

describe('hardenedLaunchTemplate', () => {
  test('requires IMDSv2 with a hop limit of 1', () => {
    const stack = new Stack(new App());
    hardenedLaunchTemplate(stack, 'LaunchTemplate', { requireImdsv2: false, httpPutResponseHopLimit: 3 });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 } },
    });
  });
});
