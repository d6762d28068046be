// Property-based tests explore a new random seed on every local run; in CI (CI set) they replay one
// fixed seed, so a red build always means a change, never the luck of a draw. FUZZ_SEED overrides
// both, to replay the seed a failure printed.
import fc from 'fast-check'

const seed = process.env['FUZZ_SEED'] ?? (process.env['CI'] ? '20261125' : undefined)
if (seed !== undefined) fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(seed) })
