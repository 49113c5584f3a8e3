#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { EXAMPLE_STACKS } from '../lib/stacks';

/**
 * Every example stack under its short, stable name: `npx cdk synth FanOut`, `npx cdk deploy FanOut`.
 * The stacks are environment-agnostic, so synth needs no AWS credentials; deploy uses the
 * account and region of the CLI profile.
 */
const app = new App();
for (const [name, entry] of Object.entries(EXAMPLE_STACKS)) {
  entry.build(app, name);
}
app.synth();
