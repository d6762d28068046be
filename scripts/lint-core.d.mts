/** One problem found by the core lint. */
export interface LintFinding {
  file: string
  line: number
  column: number
  rule: string
  message: string
}

/** The rule names, in the order the script documents them. */
export declare const RULES: readonly string[]
/** Identifiers that name a secret, or a value derived from one. */
export declare const SECRET_NAME: RegExp
/** Lints one TypeScript source text. */
export declare function lintSource(text: string, file?: string): LintFinding[]
/** Lints every .ts file under `dir`. */
export declare function lintDirectory(dir: string): LintFinding[]
