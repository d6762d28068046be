#!/usr/bin/env node
// The core's security lint (docs/security.md, "Lint rules"): a small checker on the TypeScript
// syntax tree (the compiler the workspace already has), run by `npm test` through
// packages/oauth2-core/test/lint/core-rules.test.ts and runnable alone:
//   node scripts/lint-core.mjs [dir]        (default: packages/oauth2-core/src)
//
// Rules (each finding names one):
//   math-random      Math.random: not a CSPRNG; use crypto.getRandomValues (src/internal/random.ts).
//   node-import      node:* (or any require / bare Node built-in): the core runs on Web APIs only.
//   buffer           Buffer: Node only; use Uint8Array, TextEncoder, btoa.
//   process          process: Node only; configuration comes through the builders.
//   loose-equality   == and != anywhere: coercion makes comparisons lie (use === / !==).
//   secret-equality  === / !== between two values one of which is named like a secret (secret,
//                    password, verifier, token, hash, digest, signature, ticket, csrf): the time it
//                    takes leaks how much matched; use timingSafeEqual (src/internal/constant-time.ts).
//                    Comparisons with a literal, a `typeof`, or a `.length` are not secret comparisons.
//
// A justified exception carries, on its line or the line before:
//   // lint-core-allow <rule>: <why>
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

export const RULES = ['math-random', 'node-import', 'buffer', 'process', 'loose-equality', 'secret-equality']

/** Identifiers that name a secret, or a value derived from one. */
export const SECRET_NAME = /secret|password|passwd|verifier|token|hash|digest|signature|ticket|csrf/i

/** An ALL_CAPS name: a constant of the code, never a secret of a request. */
const CONSTANT_NAME = /^[A-Z][A-Z0-9_]*$/

const NODE_BUILTINS = new Set([
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'http', 'http2', 'https', 'net',
  'os', 'path', 'perf_hooks', 'process', 'querystring', 'readline', 'stream', 'string_decoder', 'timers', 'tls', 'tty', 'url',
  'util', 'v8', 'vm', 'worker_threads', 'zlib',
])

/**
 * Lints one source text. Returns the findings: `{ file, line, column, rule, message }`.
 * @param {string} text
 * @param {string} file
 */
export function lintSource(text, file = 'source.ts') {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const lines = text.split('\n')
  /** @type {Array<{ file: string, line: number, column: number, rule: string, message: string }>} */
  const findings = []

  const report = (node, rule, message) => {
    const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source))
    if (allowed(lines, line, rule)) return
    findings.push({ file, line: line + 1, column: character + 1, rule, message })
  }

  const visit = (node) => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Math' && node.name.text === 'random') {
      report(node, 'math-random', 'Math.random is not a CSPRNG: use randomToken() / crypto.getRandomValues.')
    }
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      checkModule(node.moduleSpecifier, node.moduleSpecifier.text)
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression
      const first = node.arguments[0]
      if (callee.kind === ts.SyntaxKind.ImportKeyword && first !== undefined && ts.isStringLiteralLike(first)) checkModule(first, first.text)
      if (ts.isIdentifier(callee) && callee.text === 'require') report(node, 'node-import', 'require() is CommonJS / Node: the core is ESM on Web APIs.')
    }
    if (ts.isIdentifier(node) && isReference(node)) {
      if (node.text === 'Buffer') report(node, 'buffer', 'Buffer is Node only: use Uint8Array, TextEncoder / TextDecoder, btoa / atob.')
      if (node.text === 'process') report(node, 'process', 'process is Node only: take configuration through the builders.')
    }
    if (ts.isBinaryExpression(node)) checkEquality(node)
    ts.forEachChild(node, visit)
  }

  const checkModule = (node, specifier) => {
    const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier
    if (specifier.startsWith('node:') || NODE_BUILTINS.has(bare.split('/')[0])) {
      report(node, 'node-import', `"${specifier}" is a Node built-in: the core uses Web APIs only.`)
    }
  }

  const checkEquality = (node) => {
    const kind = node.operatorToken.kind
    if (kind === ts.SyntaxKind.EqualsEqualsToken || kind === ts.SyntaxKind.ExclamationEqualsToken) {
      report(node.operatorToken, 'loose-equality', `${node.operatorToken.getText(source)} coerces its operands: use ${kind === ts.SyntaxKind.EqualsEqualsToken ? '===' : '!=='}.`)
      return
    }
    if (kind !== ts.SyntaxKind.EqualsEqualsEqualsToken && kind !== ts.SyntaxKind.ExclamationEqualsEqualsToken) return
    if (isPublicOperand(node.left) || isPublicOperand(node.right)) return
    const secret = secretName(node.left) ?? secretName(node.right)
    if (secret !== undefined) {
      report(node.operatorToken, 'secret-equality', `"${secret}" looks like a secret: compare it with timingSafeEqual, not ${node.operatorToken.getText(source)}.`)
    }
  }

  visit(source)
  return findings
}

/** Lints every .ts file under `dir` (declaration files excepted). */
export function lintDirectory(dir) {
  const findings = []
  for (const file of walk(dir)) findings.push(...lintSource(readFileSync(file, 'utf8'), file))
  return findings
}

/** Whether the finding on 0-based `line` carries an allow comment for `rule`. */
function allowed(lines, line, rule) {
  const pattern = new RegExp(`lint-core-allow\\s+${rule}\\s*:\\s*\\S`)
  return pattern.test(lines[line] ?? '') || pattern.test(lines[line - 1] ?? '')
}

/** An identifier used as a value, not a property name, a declaration name or a type. */
function isReference(node) {
  const parent = node.parent
  if (parent === undefined) return true
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertySignature(parent) || ts.isMethodDeclaration(parent)) && parent.name === node) return false
  if (ts.isQualifiedName(parent) || ts.isTypeReferenceNode(parent)) return false
  if ((ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent) || ts.isClassDeclaration(parent)) && parent.name === node) return false
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) return false
  return true
}

/** An operand whose value is not secret: a literal, `typeof x`, `x.length`, `void 0`. */
function isPublicOperand(node) {
  const inner = skipParens(node)
  switch (inner.kind) {
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
    case ts.SyntaxKind.NumericLiteral:
    case ts.SyntaxKind.BigIntLiteral:
    case ts.SyntaxKind.NullKeyword:
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.TypeOfExpression:
    case ts.SyntaxKind.VoidExpression:
      return true
    case ts.SyntaxKind.Identifier:
      return inner.text === 'undefined' || CONSTANT_NAME.test(inner.text)
    case ts.SyntaxKind.PrefixUnaryExpression:
      return isPublicOperand(inner.operand)
    case ts.SyntaxKind.PropertyAccessExpression:
      // `.length` is public; so is a named constant (`GrantType.REFRESH_TOKEN`).
      return inner.name.text === 'length' || CONSTANT_NAME.test(inner.name.text)
    default:
      return false
  }
}

/** The secret-looking name an operand carries: an identifier, the last property, a called function's name. */
function secretName(node) {
  const inner = skipParens(node)
  const name = nameOf(inner)
  return name !== undefined && SECRET_NAME.test(name) ? name : undefined
}

function nameOf(node) {
  if (ts.isIdentifier(node)) return node.text
  if (ts.isPropertyAccessExpression(node)) return node.name.text
  if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) return node.argumentExpression.text
  if (ts.isCallExpression(node)) return nameOf(node.expression)
  if (ts.isAwaitExpression(node) || ts.isNonNullExpression(node) || ts.isAsExpression(node)) return nameOf(skipParens(node.expression))
  return undefined
}

function skipParens(node) {
  let inner = node
  while (ts.isParenthesizedExpression(inner)) inner = inner.expression
  return inner
}

function* walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* walk(path)
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) yield path
  }
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2] ?? join(root, 'packages/oauth2-core/src')
  const findings = lintDirectory(dir)
  for (const f of findings) console.error(`${relative(root, f.file)}:${f.line}:${f.column}  ${f.rule}  ${f.message}`)
  console.error(findings.length === 0 ? 'lint-core: no findings.' : `lint-core: ${findings.length} finding(s).`)
  process.exit(findings.length === 0 ? 0 : 1)
}
