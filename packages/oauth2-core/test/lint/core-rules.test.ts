import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { lintDirectory, lintSource, RULES } from '../../../../scripts/lint-core.mjs'

const SRC = fileURLToPath(new URL('../../src', import.meta.url))

/** The rules one snippet breaks. */
const rulesOf = (text: string) => lintSource(text).map((finding) => finding.rule)

describe('core lint rules (docs/security.md): the core source breaks none', () => {
  it('finds nothing in packages/oauth2-core/src', () => {
    const findings = lintDirectory(SRC)
    expect(findings.map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`)).toEqual([])
  })
})

describe('core lint rules: each rule catches what it names', () => {
  it('knows six rules', () => {
    expect(RULES).toEqual(['math-random', 'node-import', 'buffer', 'process', 'loose-equality', 'secret-equality'])
  })

  it('refuses Math.random (RFC 6749 §10.10: credentials need a CSPRNG)', () => {
    expect(rulesOf('export const id = Math.random().toString(36)')).toEqual(['math-random'])
  })

  it('refuses node:* imports, bare Node built-ins, dynamic imports of them, and require', () => {
    expect(rulesOf("import { createHash } from 'node:crypto'")).toEqual(['node-import'])
    expect(rulesOf("import type { IncomingMessage } from 'node:http'")).toEqual(['node-import'])
    expect(rulesOf("import { readFileSync } from 'fs'")).toEqual(['node-import'])
    expect(rulesOf("export { join } from 'path'")).toEqual(['node-import'])
    expect(rulesOf("const m = await import('node:fs')")).toEqual(['node-import'])
    expect(rulesOf("const m = require('jose')")).toEqual(['node-import'])
    expect(rulesOf("import { jwtVerify } from 'jose'")).toEqual([])
  })

  it('refuses Buffer and process as values, not as property names', () => {
    expect(rulesOf("const b = Buffer.from('x')")).toEqual(['buffer'])
    expect(rulesOf('const env = process.env.SECRET')).toEqual(['process'])
    expect(rulesOf('const o = { process: 1, Buffer: 2 }; o.process; o.Buffer')).toEqual([])
  })

  it('refuses == and != anywhere, strings and comments aside', () => {
    expect(rulesOf('if (a == b) f()')).toEqual(['loose-equality'])
    expect(rulesOf('if (a != null) f()')).toEqual(['loose-equality'])
    expect(rulesOf("const s = 'a == b' // a != b\n/* x == y */")).toEqual([])
    expect(rulesOf('const r = /a==b/.test(s)')).toEqual([])
  })

  it('refuses === and !== between a secret-named value and another value', () => {
    expect(rulesOf('if (presented === client.client_secret) ok()')).toEqual(['secret-equality'])
    expect(rulesOf('if (params.code_verifier !== challenge) fail()')).toEqual(['secret-equality'])
    expect(rulesOf("if (entry['refresh_token'] === given) ok()")).toEqual(['secret-equality'])
    expect(rulesOf('if ((await sha256Hash(x)) === stored) ok()')).toEqual(['secret-equality'])
    expect(rulesOf('if (csrfToken !== field) fail()')).toEqual(['secret-equality'])
  })

  it('accepts comparisons of a secret with a literal, a typeof, a length or a constant', () => {
    expect(rulesOf("if (token === '' || token === undefined || token === null) fail()")).toEqual([])
    expect(rulesOf("if (typeof clientSecret !== 'string') fail()")).toEqual([])
    expect(rulesOf('if (token.length === 0 || refreshToken.length !== 43) fail()')).toEqual([])
    expect(rulesOf('if (grant.grantType === GrantType.REFRESH_TOKEN) f()')).toEqual([])
    expect(rulesOf('if (entry.clientId !== client.clientId) fail()')).toEqual([])
  })

  it('accepts a finding with an allow comment that gives a reason, on its line or the line before', () => {
    expect(rulesOf('// lint-core-allow secret-equality: both sides are public hashes\nif (tokenHash === other) f()')).toEqual([])
    expect(rulesOf('if (tokenHash === other) f() // lint-core-allow secret-equality: public hashes')).toEqual([])
    // No reason, or another rule named: still a finding.
    expect(rulesOf('// lint-core-allow secret-equality:\nif (tokenHash === other) f()')).toEqual(['secret-equality'])
    expect(rulesOf('// lint-core-allow buffer: no\nif (tokenHash === other) f()')).toEqual(['secret-equality'])
  })

  it('reports the line and column of each finding', () => {
    const [finding] = lintSource('const a = 1\nconst b = a == 1', 'x.ts')
    expect(finding).toMatchObject({ file: 'x.ts', line: 2, column: 13, rule: 'loose-equality' })
  })
})
