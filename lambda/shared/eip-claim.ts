import {
  AssociateAddressCommand, DescribeAddressesCommand, DescribeInstancesCommand, DisassociateAddressCommand, type EC2Client,
} from '@aws-sdk/client-ec2';

/**
 * The Elastic IP claim of `HaInstance`, in TypeScript.
 *
 * The instance claims its address from user data at boot (`lib/private/ha-user-data.ts`,
 * `eipClaimCommands`), because Amazon Linux 2023 ships the AWS CLI but not Node.js. This module is
 * the same algorithm, step for step, so it can be tested against the EC2 API emulated with
 * aws-sdk-client-mock; `test/lambda/eip-claim.test.ts` runs every scenario through this function
 * and through the rendered bash script (with a stub `aws` CLI) and requires the same EC2 calls.
 * Use it from a Lambda or a tool of your own when you need to claim an address outside user data.
 */

/** Holder states in which the address is left alone (keep in sync with `EIP_HOLDER_LIVE_STATES`; a test checks). */
export const HOLDER_LIVE_STATES = ['pending', 'running'] as const;
/** Holder states in which the holder is gone or going (keep in sync with `EIP_HOLDER_GONE_STATES`). */
export const HOLDER_GONE_STATES = ['shutting-down', 'terminated', 'stopping', 'stopped'] as const;

export interface ClaimOptions {
  readonly allocationId: string;
  /** This instance. */
  readonly instanceId: string;
  /** Give up after this many polls while a live instance holds the address. */
  readonly maxAttempts: number;
  readonly sleep: () => Promise<void>;
}

export type ClaimOutcome =
  | { readonly result: 'already-associated'; readonly attempts: number }
  | { readonly result: 'associated'; readonly attempts: number; readonly releasedAssociationId?: string }
  | { readonly result: 'gave-up'; readonly attempts: number; readonly holder: string };

/** What one look at the address and its holder leads to. Pure, so the rule itself is tested directly. */
export type ClaimDecision = 'done' | 'associate' | 'wait' | 'release';

/**
 * `holderState` is the holder's EC2 state, `'gone'` when EC2 says the instance does not exist, or
 * `'unknown'` when it could not be read (throttling, network): unknown is never taken for gone.
 */
export function decide(address: { associationId?: string; instanceId?: string }, self: string, holderState?: string): ClaimDecision {
  if (address.instanceId === self) return 'done';
  if (!address.associationId) return 'associate';
  if (!address.instanceId) return 'wait'; // a network interface holds it, not an instance
  if (holderState === 'gone' || (HOLDER_GONE_STATES as readonly string[]).includes(holderState ?? '')) return 'release';
  return 'wait';
}

const errorName = (e: unknown): string => (e as { name?: string }).name ?? '';

async function holderState(ec2: EC2Client, holder: string): Promise<string> {
  try {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [holder] }));
    return out.Reservations?.[0]?.Instances?.[0]?.State?.Name ?? 'gone';
  } catch (e) {
    return errorName(e) === 'InvalidInstanceID.NotFound' ? 'gone' : 'unknown';
  }
}

/**
 * Claims `allocationId` for `instanceId` without ever taking it from a live holder: associate only a
 * free address with `AllowReassociation: false` (EC2 checks that atomically), and free an address held
 * by a gone instance by disassociating the exact association observed (a compare-and-swap).
 * Idempotent: when the address is already ours, nothing is called but `DescribeAddresses`.
 */
export async function claimElasticIp(ec2: EC2Client, options: ClaimOptions): Promise<ClaimOutcome> {
  let releasedAssociationId: string | undefined;
  let associated = false;
  let holder = '';
  for (let attempts = 1; ; attempts++) {
    let decision: ClaimDecision | 'retry';
    let associationId: string | undefined;
    try {
      const address = (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [options.allocationId] }))).Addresses?.[0] ?? {};
      associationId = address.AssociationId;
      holder = address.InstanceId ?? address.NetworkInterfaceId ?? '';
      const state = address.AssociationId && address.InstanceId && address.InstanceId !== options.instanceId
        ? await holderState(ec2, address.InstanceId) : undefined;
      decision = decide({ associationId: address.AssociationId, instanceId: address.InstanceId }, options.instanceId, state);
    } catch {
      decision = 'retry'; // DescribeAddresses failed: look again
    }
    if (decision === 'done') {
      return associated ? { result: 'associated', attempts, releasedAssociationId } : { result: 'already-associated', attempts };
    }
    if (decision === 'associate') {
      try {
        await ec2.send(new AssociateAddressCommand({
          AllocationId: options.allocationId, InstanceId: options.instanceId, AllowReassociation: false,
        }));
        associated = true;
        continue;
      } catch {
        // another instance was faster: look again
      }
    }
    if (decision === 'release') {
      try {
        await ec2.send(new DisassociateAddressCommand({ AssociationId: associationId }));
        releasedAssociationId = associationId;
        continue;
      } catch {
        // the association changed meanwhile: look again
      }
    }
    if (attempts >= options.maxAttempts) return { result: 'gave-up', attempts, holder };
    await options.sleep();
  }
}
