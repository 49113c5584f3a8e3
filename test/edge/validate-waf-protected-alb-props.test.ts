import { Lazy, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { checkWafProtectedAlbProps } from '../../lib/edge/validate-waf-protected-alb-props';
import { WafProtectedAlbProps } from '../../lib/edge/waf-protected-alb';
import { ConfigErrors } from '../../lib/private/config-errors';

// Fast unit tests of WafProtectedAlb's own rules: the check called directly on a bare stack (no synth).

const P = '  - WafProtectedAlb: ';

type Resource = 'loadBalancer' | 'vpc' | 'certificate' | 'logsBucket';

/** The problem lines and the threshold of props with the given existing resources and `rest`. */
function check(given: Resource[], rest: WafProtectedAlbProps = {}): { lines: string[]; threshold: number } {
  const stack = new Stack();
  const make: Record<Resource, () => object> = {
    loadBalancer: () => elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Alb', {
      loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/web/1', securityGroupId: 'sg-1',
    }),
    vpc: () => ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'] }),
    certificate: () => acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:111111111111:certificate/1'),
    logsBucket: () => s3.Bucket.fromBucketName(stack, 'Logs', 'logs'),
  };
  const props: WafProtectedAlbProps = { ...rest, ...Object.fromEntries(given.map((r) => [r, make[r]()])) };
  const errors = new ConfigErrors('WafProtectedAlb', 'Web');
  const threshold = checkWafProtectedAlbProps(errors, props);
  try {
    errors.throwIfAny();
  } catch (e) {
    return { lines: (e as Error).message.split('\n').slice(1), threshold };
  }
  return { lines: [], threshold };
}

test('the defaults pass, with a threshold of 10', () => {
  expect(check([])).toEqual({ lines: [], threshold: 10 });
});

test('a new load balancer takes a VPC, a certificate and a logs bucket', () => {
  expect(check(['vpc', 'certificate', 'logsBucket']).lines).toEqual([]);
});

test('an existing load balancer alone is accepted', () => {
  expect(check(['loadBalancer']).lines).toEqual([]);
});

test.each(['vpc', 'certificate', 'logsBucket'] as const)('%s only applies to a new load balancer', (prop) => {
  expect(check(['loadBalancer', prop]).lines).toEqual([
    `${P}${prop} '(given)': only applies to a new load balancer, but an existing loadBalancer was given. Fix: configure the existing load balancer directly and remove ${prop}.`,
  ]);
});

describe('serverErrorThreshold', () => {
  test('is returned', () => {
    expect(check([], { serverErrorThreshold: 0 })).toEqual({ lines: [], threshold: 0 });
    const token = Lazy.number({ produce: () => 3 });
    expect(check([], { serverErrorThreshold: token })).toEqual({ lines: [], threshold: token });
  });

  test.each([-1, 0.5])('%d is refused', (serverErrorThreshold) => {
    expect(check([], { serverErrorThreshold }).lines).toEqual([
      `${P}serverErrorThreshold '${serverErrorThreshold}': is a number of 5xx responses per 5 minutes. Fix: use a whole number of 0 or more, e.g. 10.`,
    ]);
  });
});
