import { describeTokenMatrix } from '../support/input-matrix';
import { INPUTS } from './hpc.cases';

describe('HPC inputs: every validated prop as a token', () => {
  describeTokenMatrix(INPUTS);
});
