import { simulate } from './policy-simulator';

const ACCOUNT = '111111111111';
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const LOGS_KEY_POLICY = {
  Statement: [{
    Effect: 'Allow', Principal: { Service: 'logs.eu-west-1.amazonaws.com' }, Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*'], Resource: '*',
    Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/app/*` } },
  }],
};

describe('simulate (the policy evaluator class checks rely on)', () => {
  test('evaluates kms:EncryptionContext conditions: allowed for the named log group', async () => {
    await expect(simulate({
      principal: 'logs.eu-west-1.amazonaws.com', action: 'kms:GenerateDataKey', resource: KEY, resourceAccount: ACCOUNT,
      context: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/app/sessions` },
      resourcePolicy: LOGS_KEY_POLICY,
    })).resolves.toBe('Allowed');
  });

  test('evaluates kms:EncryptionContext conditions: denied for another log group and without context', async () => {
    for (const context of [{ 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/other` }, {}] as Record<string, string>[]) {
      await expect(simulate({
        principal: 'logs.eu-west-1.amazonaws.com', action: 'kms:GenerateDataKey', resource: KEY, resourceAccount: ACCOUNT, context, resourcePolicy: LOGS_KEY_POLICY,
      })).resolves.toBe('ImplicitlyDenied');
    }
  });

  test('another service principal is denied', async () => {
    await expect(simulate({
      principal: 'sns.amazonaws.com', action: 'kms:GenerateDataKey', resource: KEY, resourceAccount: ACCOUNT, resourcePolicy: LOGS_KEY_POLICY,
    })).resolves.toBe('ImplicitlyDenied');
  });

  test('an identity policy with a resource tag condition is evaluated against the request context', async () => {
    const identityPolicies = [{ Statement: [{ Effect: 'Allow', Action: 'ssm:StartSession', Resource: `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/*`, Condition: { StringEquals: { 'ssm:resourceTag/Role': 'bastion' } } }] }];
    const base = { principal: `arn:aws:iam::${ACCOUNT}:role/ops`, action: 'ssm:StartSession', resource: `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0123456789abcdef0`, resourceAccount: ACCOUNT, identityPolicies };
    await expect(simulate({ ...base, context: { 'ssm:resourceTag/Role': 'bastion' } })).resolves.toBe('Allowed');
    await expect(simulate({ ...base, context: {} })).resolves.toBe('ImplicitlyDenied');
  });
});
