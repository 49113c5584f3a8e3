#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildExampleApp } from '../lib/stacks';

/**
 * Every example stack under its short, stable name: `npx cdk synth FanOut`, `npx cdk deploy FanOut`.
 * The stacks are environment-agnostic, so synth needs no AWS credentials; deploy uses the
 * account and region of the CLI profile. `-c retain=false` makes `cdk destroy` delete everything
 * (see `applyExampleRetention`).
 */
const app = new App();
buildExampleApp(app);
app.synth();
