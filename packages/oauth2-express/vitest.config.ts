import { defineProject } from 'vitest/config'

export default defineProject({
  ssr: { resolve: { conditions: ['@x/source', 'module', 'node', 'development|production'] } },
  test: { name: 'oauth2-express', include: ['test/**/*.test.ts'], setupFiles: ['../../vitest.setup.ts'] },
})
