import { ConstructInputs } from '../support/input-matrix';

/** The caching constructs' validated props (see test/inputs/README.md). */
export const INPUTS: ConstructInputs[] = [];
