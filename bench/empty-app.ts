/**
 * The baseline of the synth benchmark: an app with one empty stack (the CLI refuses an app without
 * stacks), run by the same CLI with the same cdk.json as the example app.
 */
import { App, Stack } from 'aws-cdk-lib';

const app = new App();
new Stack(app, 'Empty');
app.synth();
