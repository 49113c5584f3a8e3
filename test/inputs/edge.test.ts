import { describeTokenMatrix } from '../support/input-matrix';
import { INPUTS } from './edge.cases';

describe('edge inputs matrix', () => {
  describe('every validated prop as a token', () => {
    describeTokenMatrix(INPUTS);
  });
});
