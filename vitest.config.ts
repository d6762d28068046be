import { defineConfig } from 'vitest/config'
import type { Reporter, TestModule } from 'vitest/node'

/**
 * Prints one plain closing line CI can read: `vitest: N passed, N failed, N skipped`.
 * A test file that fails to load counts as one failed test, so a broken import never passes silently.
 */
const plainSummary: Reporter = {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    let passed = 0
    let failed = 0
    let skipped = 0
    for (const mod of testModules) {
      let count = 0
      for (const test of mod.children.allTests()) {
        count++
        const state = test.result().state
        if (state === 'passed') passed++
        else if (state === 'failed') failed++
        else skipped++
      }
      if (count === 0 && mod.state() === 'failed') failed++
    }
    process.stdout.write(`vitest: ${passed} passed, ${failed} failed, ${skipped} skipped\n`)
  },
}

export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*'],
    reporters: ['default', plainSummary],
  },
})
