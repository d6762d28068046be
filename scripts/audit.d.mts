/** The severities of `pnpm audit`, lowest first. */
export declare const LEVELS: readonly string[]
/** The outcome of one audit run, and the exit code CI gets. */
export interface AuditVerdict {
  exitCode: 0 | 1 | 2
  outcome: 'clean' | 'vulnerable' | 'unreachable' | 'error'
  message: string
}
/** Decides the outcome of one `pnpm audit --json` run. */
export declare function evaluateAudit(run: { status: number | null; stdout: string; stderr: string; level?: string; strict?: boolean }): AuditVerdict
