import { ConstructInputs } from '../support/input-matrix';

/** The s3 constructs' validated props (see test/inputs/README.md). */
export const INPUTS: ConstructInputs[] = [];
