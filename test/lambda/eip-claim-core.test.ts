import {
  AssociateAddressCommand, DescribeAddressesCommand, DescribeInstancesCommand, DisassociateAddressCommand, EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { claimElasticIp } from '../../lambda/shared/eip-claim';

const OPTIONS = { allocationId: 'eipalloc-1', instanceId: 'i-self', maxAttempts: 2, sleep: async () => undefined };

describe('claimElasticIp: the holder lookup', () => {
  const ec2Mock = mockClient(EC2Client);
  beforeEach(() => ec2Mock.reset());

  /** The address is held by `holder` until it is disassociated, then free, then ours once associated. */
  function heldBy(holder: { InstanceId?: string; NetworkInterfaceId?: string }) {
    let held = true;
    let ours = false;
    ec2Mock.on(DescribeAddressesCommand).callsFake(() => ({
      Addresses: [ours ? { AssociationId: 'eipassoc-2', InstanceId: 'i-self' } : held ? { AssociationId: 'eipassoc-1', ...holder } : {}],
    }));
    ec2Mock.on(DisassociateAddressCommand).callsFake(() => { held = false; return {}; });
    ec2Mock.on(AssociateAddressCommand).callsFake(() => { ours = true; return {}; });
  }

  test.each([
    ['EC2 returns no reservation', () => ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] })],
    ['EC2 returns an instance without a state', () => ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{}] }] })],
    ['EC2 says InvalidInstanceID.NotFound', () => ec2Mock.on(DescribeInstancesCommand).rejects(Object.assign(new Error('gone'), { name: 'InvalidInstanceID.NotFound' }))],
  ])('a holder is gone when %s: the observed association is released, then the address claimed', async (_name, describe) => {
    heldBy({ InstanceId: 'i-old' });
    describe();
    expect(await claimElasticIp(new EC2Client({ region: 'us-east-1' }), OPTIONS))
      .toEqual({ result: 'associated', attempts: 3, releasedAssociationId: 'eipassoc-1' });
    expect(ec2Mock.commandCalls(DisassociateAddressCommand)[0].args[0].input).toEqual({ AssociationId: 'eipassoc-1' });
    expect(ec2Mock.commandCalls(AssociateAddressCommand)[0].args[0].input)
      .toEqual({ AllocationId: 'eipalloc-1', InstanceId: 'i-self', AllowReassociation: false });
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0].args[0].input).toEqual({ InstanceIds: ['i-old'] });
  });

  test('a holder whose state cannot be read (throttled) is never taken for gone', async () => {
    heldBy({ InstanceId: 'i-old' });
    ec2Mock.on(DescribeInstancesCommand).rejects(Object.assign(new Error('slow down'), { name: 'RequestLimitExceeded' }));
    expect(await claimElasticIp(new EC2Client({ region: 'us-east-1' }), OPTIONS)).toEqual({ result: 'gave-up', attempts: 2, holder: 'i-old' });
    expect(ec2Mock.commandCalls(DisassociateAddressCommand)).toHaveLength(0);
  });

  test('an address held by a network interface is left alone, naming the interface', async () => {
    heldBy({ NetworkInterfaceId: 'eni-1' });
    expect(await claimElasticIp(new EC2Client({ region: 'us-east-1' }), OPTIONS)).toEqual({ result: 'gave-up', attempts: 2, holder: 'eni-1' });
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)).toHaveLength(0);
  });

  test('an address EC2 does not return is retried, then given up with no holder', async () => {
    ec2Mock.on(DescribeAddressesCommand).resolves({});
    ec2Mock.on(AssociateAddressCommand).rejects(new Error('InvalidAllocationID.NotFound'));
    expect(await claimElasticIp(new EC2Client({ region: 'us-east-1' }), OPTIONS)).toEqual({ result: 'gave-up', attempts: 2, holder: '' });
  });
});
