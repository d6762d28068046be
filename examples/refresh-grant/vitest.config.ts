import { defineProject } from 'vitest/config'

export default defineProject({
  ssr: { resolve: { conditions: ['@x/source', 'module', 'node', 'development|production'] } },
  test: { name: 'example-refresh-grant', include: ['test/**/*.test.ts'] },
})
