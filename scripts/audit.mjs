#!/usr/bin/env node
// CI's dependency audit (docs/security.md, "Dependency audit"): `pnpm audit` against the registry,
// run by .ci/run after `npm test`.
//
//   node scripts/audit.mjs            fails (exit 1) on a known vulnerability of severity high or critical
//   AUDIT_LEVEL=moderate node ...     another threshold (low, moderate, high, critical)
//   AUDIT_STRICT=1 node ...           also fails (exit 2) when the audit could not be performed
//   node scripts/audit.mjs --prod     further arguments go to pnpm audit (--prod, --registry <url>, ...)
//
// Every dependency is audited, development ones included: they run in CI and on developers'
// machines. When the registry's audit endpoint cannot be reached (offline CI, a mirror without the
// audit API), the step says so loudly and passes, since nothing was learned either way; set
// AUDIT_STRICT=1 where the endpoint is known to be reachable, so that its loss fails the build.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const PNPM_VERSION = '12.4.2'
export const LEVELS = ['low', 'moderate', 'high', 'critical']

/** Signs that the audit endpoint was not reached: pnpm's own codes, HTTP refusals, network errors. */
const UNREACHABLE = [
  /ERR_PNPM_AUDIT_BAD_RESPONSE/,
  /ERR_PNPM_AUDIT_ENDPOINT_NOT_EXISTS/,
  /\b(ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH)\b/,
  /fetch failed|network|socket hang up|getaddrinfo/i,
  /responded with (4\d\d|5\d\d)/,
]

/**
 * Decides the outcome of one `pnpm audit --json` run.
 * @param {{ status: number | null, stdout: string, stderr: string, level?: string, strict?: boolean }} run
 * @returns {{ exitCode: 0 | 1 | 2, outcome: 'clean' | 'vulnerable' | 'unreachable' | 'error', message: string }}
 */
export function evaluateAudit({ status, stdout, stderr, level = 'high', strict = false }) {
  if (!LEVELS.includes(level)) return { exitCode: 1, outcome: 'error', message: `audit: unknown AUDIT_LEVEL "${level}"; use one of ${LEVELS.join(', ')}.` }
  const report = parseReport(stdout)
  if (report !== undefined) {
    const counts = report.metadata?.vulnerabilities ?? {}
    const atOrAbove = LEVELS.slice(LEVELS.indexOf(level))
    const blocking = atOrAbove.reduce((sum, severity) => sum + (Number(counts[severity]) || 0), 0)
    const total = LEVELS.reduce((sum, severity) => sum + (Number(counts[severity]) || 0), 0)
    const dependencies = report.metadata?.totalDependencies
    if (blocking === 0) {
      const below = total > 0 ? ` (${total} below ${level}: ${LEVELS.filter((l) => counts[l]).map((l) => `${counts[l]} ${l}`).join(', ')})` : ''
      return { exitCode: 0, outcome: 'clean', message: `audit: no known vulnerability of severity ${level} or above${dependencies !== undefined ? ` in ${dependencies} dependencies` : ''}${below}.` }
    }
    const lines = Object.values(report.advisories ?? {})
      .filter((a) => atOrAbove.includes(a.severity))
      .map((a) => `  ${a.severity.padEnd(8)} ${a.module_name}@${a.vulnerable_versions ?? '?'}  ${a.title ?? ''}  ${a.url ?? a.github_advisory_id ?? ''}`.trimEnd())
    return {
      exitCode: 1,
      outcome: 'vulnerable',
      message: [`audit: ${blocking} known vulnerabilit${blocking === 1 ? 'y' : 'ies'} of severity ${level} or above:`, ...lines, 'Upgrade the affected packages (pnpm update), or review and ignore an advisory in pnpm-workspace.yaml (auditConfig).'].join('\n'),
    }
  }
  const output = `${stdout}\n${stderr}`
  if (status === 0 && /No known vulnerabilities found/i.test(output)) {
    return { exitCode: 0, outcome: 'clean', message: `audit: no known vulnerabilities.` }
  }
  if (UNREACHABLE.some((pattern) => pattern.test(output))) {
    const reason = output.replace(/\s+/g, ' ').trim().slice(0, 300)
    return {
      exitCode: strict ? 2 : 0,
      outcome: 'unreachable',
      message:
        `audit: NOT PERFORMED - the registry's audit endpoint could not be reached (${reason}). ` +
        (strict ? 'AUDIT_STRICT=1: failing.' : 'Passing without a verdict; set AUDIT_STRICT=1 to fail in this case.'),
    }
  }
  return { exitCode: 1, outcome: 'error', message: `audit: pnpm audit failed unexpectedly (exit ${status}): ${output.trim().slice(0, 500)}` }
}

function parseReport(stdout) {
  const start = stdout.indexOf('{')
  if (start < 0) return undefined
  try {
    const value = JSON.parse(stdout.slice(start))
    return typeof value === 'object' && value !== null && (value.metadata !== undefined || value.advisories !== undefined) ? value : undefined
  } catch {
    return undefined
  }
}

function pnpmCommand() {
  const windows = process.platform === 'win32'
  const found = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: windows })
  if (found.status === 0 && found.stdout.trim() === PNPM_VERSION) return ['pnpm', []]
  return ['npm', ['exec', '--yes', `--package=pnpm@${PNPM_VERSION}`, '--', 'pnpm']]
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..')
  const level = process.env['AUDIT_LEVEL'] ?? 'high'
  const [command, prefix] = pnpmCommand()
  const run = spawnSync(command, [...prefix, 'audit', '--json', '--audit-level', level, ...process.argv.slice(2)], {
    cwd: root,
    encoding: 'utf8',
    shell: process.platform === 'win32',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  })
  const result = evaluateAudit({
    status: run.status,
    stdout: run.stdout ?? '',
    stderr: `${run.stderr ?? ''}${run.error !== undefined ? ` ${run.error.message}` : ''}`,
    level,
    strict: process.env['AUDIT_STRICT'] === '1',
  })
  console.log(result.message)
  process.exit(result.exitCode)
}
