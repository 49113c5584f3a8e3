import { CfnResource, Stack } from 'aws-cdk-lib';
import { testApp } from './app';

/**
 * The template validator the jest environment shares between test files (test/support/jest-environment.js):
 * it is the one aws-cdk-lib uses here, it still rejects what AWS rejects, and an engine is built once per
 * configuration however the resource types of the synths differ.
 */
interface SharedValidator {
  readonly stats: { built: number; reused: number };
}

function shared(): SharedValidator {
  return (globalThis as unknown as Record<symbol, { validator: SharedValidator }>)[Symbol.for('cdk-reference-architectures.shared-validator')].validator;
}

/** Synthesizes one stack holding `resources` (type -> properties) with the validator on. */
function synth(resources: Record<string, Record<string, unknown>>): void {
  const stack = new Stack(testApp({ validation: true }), 'Validated');
  Object.entries(resources).forEach(([type, properties], i) => new CfnResource(stack, `R${i}`, { type, properties }));
  (stack.node.root as import('aws-cdk-lib').App).synth();
}

describe('shared template validator', () => {
  test('rejects a property AWS rejects, through the shared engine', () => {
    expect(() => synth({ 'AWS::SQS::Queue': { MessageRetentionPeriod: 30 } })).toThrow(/MessageRetentionPeriod[^]*60/);
    expect(() => synth({ 'AWS::SNS::Topic': { TopicName: 'a'.repeat(300) } })).toThrow(/TopicName/);
  });

  test('synths with different resource types reuse one engine', () => {
    synth({ 'AWS::SQS::Queue': {} });
    const { built, reused } = shared().stats;
    synth({ 'AWS::SNS::Topic': {} });
    synth({ 'AWS::SQS::Queue': {}, 'AWS::SNS::Topic': {}, 'AWS::KMS::Key': {} });
    expect(shared().stats).toEqual({ built, reused: reused + 2 });
  });
});
