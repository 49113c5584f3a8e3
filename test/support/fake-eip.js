/* eslint-disable */
'use strict';
/**
 * An in-memory model of one Elastic IP and the instances around it, shared by the two EIP claim
 * tests: the TypeScript claim (through aws-sdk-client-mock) and the user-data script (this file is
 * also a stub `aws` CLI, run as `node fake-eip.js ec2 <command> ...` with the state in a JSON file).
 *
 * state = { address: { allocationId, associationId?, instanceId?, networkInterfaceId? },
 *           instances: { [id]: stateName }, describeInstancesError?: string,
 *           /** another instance associates the address just before ours does *\/ raceWinner?: string,
 *           /** after this many DescribeAddresses calls the holder becomes 'terminated' *\/ holderDiesAfter?: number,
 *           describes?: number, seq?: number }
 * Each call returns { out } (the CLI's text output) or { error } (an EC2 error code).
 */
function apply(state, call) {
  const a = state.address;
  switch (call.op) {
    case 'DescribeAddresses': {
      state.describes = (state.describes || 0) + 1;
      if (state.holderDiesAfter && state.describes > state.holderDiesAfter && a.instanceId) state.instances[a.instanceId] = 'terminated';
      if (call.allocationId !== a.allocationId) return { error: 'InvalidAllocationID.NotFound' };
      return { out: `${a.associationId || 'None'}\t${a.instanceId || 'None'}`, address: { ...a } };
    }
    case 'DescribeInstances': {
      if (state.describeInstancesError) return { error: state.describeInstancesError };
      const s = state.instances[call.instanceId];
      if (!s) return { error: 'InvalidInstanceID.NotFound' };
      return { out: s, state: s };
    }
    case 'AssociateAddress': {
      if (state.raceWinner) {
        const w = state.raceWinner; delete state.raceWinner;
        state.instances[w] = 'running';
        Object.assign(a, { associationId: `eipassoc-${w}`, instanceId: w });
      }
      if (a.associationId && call.allowReassociation !== true) return { error: 'Resource.AlreadyAssociated' };
      state.seq = (state.seq || 0) + 1;
      Object.assign(a, { associationId: `eipassoc-new${state.seq}`, instanceId: call.instanceId });
      delete a.networkInterfaceId;
      return { out: JSON.stringify({ AssociationId: a.associationId }) };
    }
    case 'DisassociateAddress': {
      if (call.associationId !== a.associationId) return { error: 'InvalidAssociationID.NotFound' };
      delete a.associationId; delete a.instanceId; delete a.networkInterfaceId;
      return { out: '' };
    }
    default:
      return { error: `Unsupported ${call.op}` };
  }
}

/** One line per call, the same for the SDK and the CLI, so both call sequences can be compared. */
function describeCall(call) {
  switch (call.op) {
    case 'DescribeAddresses': return `DescribeAddresses ${call.allocationId}`;
    case 'DescribeInstances': return `DescribeInstances ${call.instanceId}`;
    case 'AssociateAddress': return `AssociateAddress ${call.allocationId} ${call.instanceId} reassociation=${call.allowReassociation}`;
    case 'DisassociateAddress': return `DisassociateAddress ${call.associationId}`;
    default: return call.op;
  }
}

/** Maps `aws ec2 <command> --flag value ...` to a call. */
function fromCli(argv) {
  const [service, command, ...rest] = argv;
  const flag = (name) => { const i = rest.indexOf(name); return i >= 0 ? rest[i + 1] : undefined; };
  if (service !== 'ec2') return { op: `${service} ${command}` };
  switch (command) {
    case 'describe-addresses': return { op: 'DescribeAddresses', allocationId: flag('--allocation-ids') };
    case 'describe-instances': return { op: 'DescribeInstances', instanceId: flag('--instance-ids') };
    case 'associate-address': return {
      op: 'AssociateAddress', allocationId: flag('--allocation-id'), instanceId: flag('--instance-id'),
      allowReassociation: rest.includes('--allow-reassociation') ? true : rest.includes('--no-allow-reassociation') ? false : undefined,
    };
    case 'disassociate-address': return { op: 'DisassociateAddress', associationId: flag('--association-id') };
    default: return { op: `ec2 ${command}` };
  }
}

module.exports = { apply, describeCall, fromCli };

if (require.main === module) {
  const fs = require('fs');
  const file = process.env.FAKE_EIP_STATE;
  const state = JSON.parse(fs.readFileSync(file, 'utf8'));
  const call = fromCli(process.argv.slice(2));
  const result = apply(state, call);
  fs.writeFileSync(file, JSON.stringify(state));
  fs.appendFileSync(process.env.FAKE_EIP_CALLS, describeCall(call) + '\n');
  if (result.error) {
    process.stderr.write(`\nAn error occurred (${result.error}) when calling the ${call.op} operation: fake\n`);
    process.exit(254);
  }
  process.stdout.write(result.out + '\n');
}
