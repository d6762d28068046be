import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { FRAMEWORKS } from '../src/frameworks/types.js'

// The complete servers of docs/{express,fastify,hono}.md and the README's mounting snippets are the
// files of test/doc-examples/, verbatim: `pnpm typecheck` compiles them, so the guides cannot drift
// from the APIs.
const read = (path: string) => readFile(new URL(path, import.meta.url), 'utf8')

describe('the adapter guides', () => {
  it.each(FRAMEWORKS)('docs/%s.md holds the typechecked provider.ts and server.ts of test/doc-examples', async (framework) => {
    const guide = await read(`../../../docs/${framework}.md`)
    expect(guide).toContain(`\`\`\`ts\n${(await read('./doc-examples/provider.ts')).trimEnd()}\n\`\`\``)
    expect(guide).toContain(`\`\`\`ts\n${(await read(`./doc-examples/${framework}-server.ts`)).trimEnd()}\n\`\`\``)
  })

  it.each(FRAMEWORKS)('README.md shows the typechecked five-line mounting on %s', async (framework) => {
    const example = await read(`./doc-examples/readme-${framework}.ts`)
    // The README shows the file without its imports.
    const snippet = example.slice(example.indexOf('\n\n') + 2).trimEnd()
    expect(await read('../../../README.md')).toContain(`\`\`\`ts\n${snippet}\n\`\`\``)
  })
})
