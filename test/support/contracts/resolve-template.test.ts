import { ResolvedTemplate, TemplateJson } from './resolve-template';

const TEMPLATE: TemplateJson = {
  Parameters: { Env: { Default: 'prod' } },
  Mappings: { Sizes: { prod: { Memory: '512' } } },
  Resources: {
    Key: { Type: 'AWS::KMS::Key' },
    Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'jobs']] } } },
    Topic: { Type: 'AWS::SNS::Topic' },
    Bucket: { Type: 'AWS::S3::Bucket' },
    Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/app/sessions' } },
    Rule: { Type: 'AWS::Events::Rule' },
    Other: { Type: 'AWS::EC2::VPC' },
  },
};

const t = new ResolvedTemplate(TEMPLATE, { account: '111111111111', region: 'eu-west-1', stackName: 'Demo' });

describe('ResolvedTemplate', () => {
  test('pseudo parameters and parameter defaults', () => {
    expect(t.resolve({ 'Fn::Join': [':', [{ Ref: 'AWS::Partition' }, { Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }, { Ref: 'AWS::StackName' }, { Ref: 'Env' }]] }))
      .toBe('aws:eu-west-1:111111111111:Demo:prod');
  });

  test('Ref and Fn::GetAtt return what each resource type documents', () => {
    expect(t.ref('Queue')).toBe('https://sqs.eu-west-1.amazonaws.com/111111111111/Demo-jobs');
    expect(t.getAtt('Queue', 'Arn')).toBe('arn:aws:sqs:eu-west-1:111111111111:Demo-jobs');
    expect(t.ref('Topic')).toMatch(/^arn:aws:sns:eu-west-1:111111111111:Demo-Topic-\w+$/);
    expect(t.getAtt('Bucket', 'Arn')).toMatch(/^arn:aws:s3:::demo-bucket-\w+$/);
    expect(t.getAtt('Logs', 'Arn')).toBe('arn:aws:logs:eu-west-1:111111111111:log-group:/app/sessions:*');
    expect(t.ref('Logs')).toBe('/app/sessions');
    expect(t.getAtt('Key', 'Arn')).toBe(`arn:aws:kms:eu-west-1:111111111111:key/${t.ref('Key')}`);
    expect(t.getAtt('Rule', 'Arn')).toMatch(/^arn:aws:events:eu-west-1:111111111111:rule\/Demo-Rule-\w+$/);
    expect(t.ref('Other')).toBe('Other-ref');
  });

  test('Fn::Sub with resource attributes, pseudo parameters, variables and escapes', () => {
    expect(t.resolve({ 'Fn::Sub': '${Queue.Arn}|${AWS::Region}|${!Literal}' })).toBe('arn:aws:sqs:eu-west-1:111111111111:Demo-jobs|eu-west-1|${Literal}');
    expect(t.resolve({ 'Fn::Sub': ['${A}-${Logs}', { A: { Ref: 'AWS::AccountId' } }] })).toBe('111111111111-/app/sessions');
  });

  test('Fn::Select, Fn::Split, Fn::GetAZs, Fn::Base64, Fn::FindInMap and AWS::NoValue', () => {
    expect(t.resolve({ 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] })).toBe('b');
    expect(t.resolve({ 'Fn::Select': [0, { 'Fn::GetAZs': '' }] })).toBe('eu-west-1a');
    expect(t.resolve({ 'Fn::Base64': 'hi' })).toBe('aGk=');
    expect(t.resolve({ 'Fn::FindInMap': ['Sizes', { Ref: 'Env' }, 'Memory'] })).toBe('512');
    expect(t.resolve({ A: { Ref: 'AWS::NoValue' }, B: [1, { Ref: 'AWS::NoValue' }] })).toEqual({ B: [1] });
  });

  test('findByReference maps a resolved ARN or URL back to the logical ID', () => {
    expect(t.findByReference('AWS::SQS::Queue', 'arn:aws:sqs:eu-west-1:111111111111:Demo-jobs')).toBe('Queue');
    expect(t.findByReference('AWS::SQS::Queue', t.ref('Queue'))).toBe('Queue');
    expect(t.findByReference('AWS::SQS::Queue', 'arn:aws:sqs:eu-west-1:111111111111:other')).toBeUndefined();
  });

  test('another region or stack name changes what depends on it', () => {
    const moved = new ResolvedTemplate(TEMPLATE, { account: '111111111111', region: 'us-west-2', stackName: 'Copy' });
    expect(moved.getAtt('Queue', 'Arn')).toBe('arn:aws:sqs:us-west-2:111111111111:Copy-jobs');
  });

  test('fails on an intrinsic it cannot resolve, and on a missing resource', () => {
    expect(() => t.resolve({ 'Fn::ImportValue': 'x' })).toThrow(/Fn::ImportValue is not supported/);
    expect(() => t.ref('Missing')).toThrow(/no resource Missing/);
  });
});

describe('ResolvedTemplate conditions', () => {
  const conditional: TemplateJson = {
    Conditions: {
      InUsEast1: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
      Elsewhere: { 'Fn::Not': [{ Condition: 'InUsEast1' }] },
    },
    Resources: {
      Always: { Type: 'AWS::CloudWatch::Alarm' },
      OnlyUsEast1: { Type: 'AWS::CloudWatch::Alarm', Condition: 'InUsEast1' },
      OnlyElsewhere: { Type: 'AWS::CloudWatch::Alarm', Condition: 'Elsewhere' },
    },
  } as TemplateJson;

  test('a resource whose Condition is false in the deployment does not exist there', () => {
    expect(new ResolvedTemplate(conditional, { account: '111111111111', region: 'eu-west-1', stackName: 'Demo' }).logicalIds('AWS::CloudWatch::Alarm'))
      .toEqual(['Always', 'OnlyElsewhere']);
    expect(new ResolvedTemplate(conditional, { account: '111111111111', region: 'us-east-1', stackName: 'Demo' }).logicalIds('AWS::CloudWatch::Alarm'))
      .toEqual(['Always', 'OnlyUsEast1']);
  });
});
