/** Lists the heaviest functions of a V8 .cpuprofile by self time and by total (inclusive) time. */
import { readFileSync } from 'node:fs'

// With a request count (the servers print it when profiled), times are µs per request, not shares.
const [file, top = '30', requests] = process.argv.slice(2)
const profile = JSON.parse(readFileSync(file, 'utf8'))
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const self = new Map()
const dt = profile.timeDeltas
for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0))
const total = [...self.values()].reduce((a, b) => a + b, 0)
const name = (n) => {
  const f = n.callFrame
  const where = f.url ? `${f.url.replace(/^.*\/(node_modules\/\.pnpm\/[^/]+\/node_modules\/|packages\/|bench\/)/, '')}:${f.lineNumber + 1}` : ''
  return `${f.functionName || '(anonymous)'} ${where}`
}
const selfBy = new Map()
const inclBy = new Map()
for (const [id, t] of self) {
  const key = name(byId.get(id))
  selfBy.set(key, (selfBy.get(key) ?? 0) + t)
  // Inclusive: each distinct function on the stack once.
  const seen = new Set()
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = name(byId.get(cur))
    if (seen.has(k)) continue
    seen.add(k)
    inclBy.set(k, (inclBy.get(k) ?? 0) + t)
  }
}
const show = (title, map) => {
  console.log(`\n${title}`)
  for (const [k, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
    const figure = requests === undefined ? `${((t / total) * 100).toFixed(1).padStart(5)}%` : `${(t / Number(requests)).toFixed(1).padStart(6)} µs`
    console.log(`${figure}  ${k}`)
  }
}
show('self time', selfBy)
show('total time', inclBy)
