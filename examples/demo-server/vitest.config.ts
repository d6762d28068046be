import { defineProject } from 'vitest/config'

export default defineProject({
  ssr: { resolve: { conditions: ['@x/source', 'module', 'node', 'development|production'] } },
  test: { name: 'demo-server', include: ['test/**/*.test.ts'], testTimeout: 30_000 },
})
