import { ConstructInputs } from '../support/input-matrix';

/** The messaging constructs' validated props (see test/inputs/README.md). */
export const INPUTS: ConstructInputs[] = [];
