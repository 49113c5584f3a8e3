import { ConstructInputs } from '../support/input-matrix';

/** The ha constructs' validated props (see test/inputs/README.md). */
export const INPUTS: ConstructInputs[] = [];
