/** The median of numbers (the mean of the middle two for an even count). */
export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Half the spread between the smallest and largest value, relative to the median (a noise figure). */
export function spread(values) {
  const finite = values.filter((v) => Number.isFinite(v))
  if (finite.length < 2) return 0
  return (Math.max(...finite) - Math.min(...finite)) / 2 / median(finite)
}

/** `[...items]` rotated left by `by`: interleaved rounds start each at a different subject. */
export function rotate(items, by) {
  const n = items.length
  const k = ((by % n) + n) % n
  return [...items.slice(k), ...items.slice(0, k)]
}

/** Command-line flags shared by the suites: `--quick`, `--out <file>`, `--only <suite>`. */
export function parseFlags(argv = process.argv.slice(2)) {
  const flags = { quick: false, out: undefined, only: undefined, profile: false, noBuild: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--quick') flags.quick = true
    else if (arg === '--profile') flags.profile = true
    else if (arg === '--no-build') flags.noBuild = true
    else if (arg === '--out') flags.out = argv[++i]
    else if (arg === '--only') flags.only = argv[++i]
    else throw new Error(`Unknown flag ${arg}. Flags: --quick, --only core|http|memory, --profile, --no-build, --out <file>.`)
  }
  return flags
}
