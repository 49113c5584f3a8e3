import { Construct } from 'constructs';
import * as lib from '../../lib';
import { INPUTS as caching } from './caching.cases';
import { INPUTS as edge } from './edge.cases';
import { INPUTS as ha } from './ha.cases';
import { INPUTS as hpc } from './hpc.cases';
import { INPUTS as messaging } from './messaging.cases';
import { INPUTS as s3 } from './s3.cases';

/** Constructs users only get from another one's method (covered by that one's entry). */
const BUILT_BY: Record<string, string> = { FanOutSubscriber: 'FanOutTopic.addSubscriber', HaGroupBase: 'HaInstance and HaBastion (an abstract base)' };

test('every exported construct has an entry in the inputs matrix', () => {
  const exported = Object.entries(lib)
    .filter(([name, value]) => typeof value === 'function' && value.prototype instanceof Construct && !(name in BUILT_BY))
    .map(([name]) => name).sort();
  const covered = [...messaging, ...s3, ...edge, ...caching, ...hpc, ...ha].map((entry) => entry.construct).sort();
  expect(covered).toEqual(exported);
});
