import { describe, expect, it } from 'vitest'
import { evaluateAudit } from '../../../../scripts/audit.mjs'

/** The JSON `pnpm audit --json` (pnpm 12) printed for a registry that knew two advisories, trimmed. */
const REPORT = {
  advisories: {
    '1096820': {
      findings: [{ version: '5.3.0', paths: ['packages__oauth2-express>express'], dev: false, optional: false, bundled: false }],
      id: 1096820,
      title: 'Fake express issue',
      module_name: 'express',
      vulnerable_versions: '<6.0.0',
      patched_versions: '>=6.0.0',
      severity: 'high',
      cwe: 'CWE-79',
      github_advisory_id: 'GHSA-xxxx-yyyy-zzzz',
      url: 'https://github.com/advisories/GHSA-xxxx-yyyy-zzzz',
    },
    '2': {
      findings: [{ version: '6.2.18', paths: ['packages__oauth2-core>jose'], dev: false, optional: false, bundled: false }],
      id: 2,
      title: 'Fake low',
      module_name: 'jose',
      vulnerable_versions: '<99',
      patched_versions: null,
      severity: 'low',
      cwe: '',
      github_advisory_id: 'GHSA-aaaa-bbbb-cccc',
      url: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc',
    },
  },
  metadata: {
    vulnerabilities: { info: 0, low: 1, moderate: 0, high: 1, critical: 0 },
    dependencies: 169,
    devDependencies: 176,
    optionalDependencies: 49,
    totalDependencies: 393,
  },
}
const CLEAN = { advisories: {}, metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0 }, totalDependencies: 393 } }

/** What pnpm 12 printed here, where the registry's audit endpoint answers 405. */
const UNREACHABLE = 'Error: ERR_PNPM_AUDIT_BAD_RESPONSE\n\n  × The audit endpoint (at https://registry.npmjs.org/-/npm/v1/security/\n  │ advisories/bulk) responded with 405:\n'

describe('CI dependency audit (scripts/audit.mjs): fails on a known-vulnerable dependency', () => {
  it('fails on an advisory of severity high or above, and names it', () => {
    const verdict = evaluateAudit({ status: 1, stdout: JSON.stringify(REPORT), stderr: '' })
    expect(verdict.exitCode).toBe(1)
    expect(verdict.outcome).toBe('vulnerable')
    expect(verdict.message).toContain('express@<6.0.0  Fake express issue  https://github.com/advisories/GHSA-xxxx-yyyy-zzzz')
    expect(verdict.message).not.toContain('jose')
  })

  it('passes when every advisory is below the level, and says what is below it', () => {
    const verdict = evaluateAudit({ status: 1, stdout: JSON.stringify(REPORT), stderr: '', level: 'critical' })
    expect(verdict).toMatchObject({ exitCode: 0, outcome: 'clean' })
    expect(verdict.message).toContain('in 393 dependencies (2 below critical: 1 low, 1 high)')
  })

  it('lowers the threshold with AUDIT_LEVEL, and refuses an unknown level', () => {
    expect(evaluateAudit({ status: 1, stdout: JSON.stringify(REPORT), stderr: '', level: 'low' }).exitCode).toBe(1)
    expect(evaluateAudit({ status: 0, stdout: JSON.stringify(CLEAN), stderr: '', level: 'severe' })).toMatchObject({ exitCode: 1, outcome: 'error' })
  })

  it('passes a clean report', () => {
    expect(evaluateAudit({ status: 0, stdout: JSON.stringify(CLEAN), stderr: '' })).toMatchObject({ exitCode: 0, outcome: 'clean' })
  })

  it('reports an unreachable audit endpoint as not performed: passes by default, fails with AUDIT_STRICT', () => {
    const lenient = evaluateAudit({ status: 1, stdout: '', stderr: UNREACHABLE })
    expect(lenient).toMatchObject({ exitCode: 0, outcome: 'unreachable' })
    expect(lenient.message).toMatch(/^audit: NOT PERFORMED/)
    expect(evaluateAudit({ status: 1, stdout: '', stderr: UNREACHABLE, strict: true })).toMatchObject({ exitCode: 2, outcome: 'unreachable' })
    expect(evaluateAudit({ status: 1, stdout: '', stderr: 'request to https://registry.npmjs.org failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org' }).outcome).toBe('unreachable')
  })

  it('fails on any other failure of pnpm audit: an unknown error is never a pass', () => {
    expect(evaluateAudit({ status: 1, stdout: '', stderr: 'ERR_PNPM_AUDIT_NO_LOCKFILE No pnpm-lock.yaml found' })).toMatchObject({ exitCode: 1, outcome: 'error' })
    expect(evaluateAudit({ status: null, stdout: 'garbage', stderr: '' })).toMatchObject({ exitCode: 1, outcome: 'error' })
  })
})
