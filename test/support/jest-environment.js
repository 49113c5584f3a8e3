/**
 * Jest's node environment, with aws-cdk-lib's template validator (`@aws/cloudformation-validate`, a 9 MB
 * WebAssembly module) loaded once per jest worker instead of once per test file, and its engines shared.
 *
 * Jest gives every test file a fresh module registry, so each file would compile the WebAssembly module
 * and build its first engine again (about 5 s of CPU), and aws-cdk-lib builds a new engine (0.5-1 s)
 * whenever a synth holds a resource type the previous engine was not built for, although the engine's
 * configuration depends only on the rule files selected (none of the built-in rego rules applies to
 * the types this project uses). Here the module is loaded in the worker's own context and handed to
 * each test file (test/support/setup.js mocks the package with it), and `CompositeEngine`
 * returns the engine already built for an identical configuration, so every synth is validated by
 * the same engine code with the same configuration as before, only not rebuilt.
 */
const path = require('path');
const { TestEnvironment } = require('jest-environment-node');

/** Where aws-cdk-lib's validation plugin resolves the package from. */
const VALIDATE_MODULE = require.resolve('@aws/cloudformation-validate', {
  paths: [path.join(path.dirname(require.resolve('aws-cdk-lib')), 'core', 'lib', 'validation')],
});

/** Key of the shared validator on a test file's global object. */
const SHARED_VALIDATOR = Symbol.for('cdk-reference-architectures.shared-validator');

let shared;

/** The package's exports with an engine cache: one engine per configuration, never freed by a test file. */
function sharedValidator() {
  if (shared) return shared;
  const real = require(VALIDATE_MODULE);
  const engines = new Map();
  const stats = { built: 0, reused: 0 };
  // the package accepts only plain objects of its own realm: a test file's objects are copied into it
  const own = (value) => (value === undefined ? undefined : structuredClone(value));
  function CompositeEngine(config) {
    const key = JSON.stringify(config ?? null);
    let engine = engines.get(key);
    if (engine) {
      stats.reused++;
    } else {
      stats.built++;
      engine = new real.CompositeEngine(own(config));
      engines.set(key, engine);
    }
    // aws-cdk-lib frees its engine when it builds the next one; a shared one lives as long as the worker
    return Object.create(engine, {
      free: { value: () => undefined },
      validateTemplate: { value: (template, options) => engine.validateTemplate(template, own(options)) },
    });
  }
  CompositeEngine.prototype = real.CompositeEngine.prototype;
  const exports = Object.create(real, { CompositeEngine: { value: CompositeEngine, enumerable: true } });
  shared = { exports, stats, real };
  return shared;
}

class SharedValidatorEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    // `validator` is a getter: a test file that never synthesizes with the validator does not load it
    this.global[SHARED_VALIDATOR] = { path: VALIDATE_MODULE, get validator() { return sharedValidator(); } };
  }
}

module.exports = SharedValidatorEnvironment;
module.exports.SHARED_VALIDATOR = SHARED_VALIDATOR;
module.exports.VALIDATE_MODULE = VALIDATE_MODULE;
