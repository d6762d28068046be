/**
 * `JSON.stringify(value)` for the flat objects the core answers with (a token response, an error,
 * an introspection result), built by concatenation: on Node 20, `JSON.stringify` runs in V8's C++
 * runtime, ~5.9k instructions for a four-member token response, where this takes about a third of
 * that (bench/RESULTS.md). Members of any other kind (a nested object or array, a string that needs
 * escaping), and a value that is not a plain object or has a `toJSON` method, go through
 * `JSON.stringify`, so the text is always exactly what it gives (test/spec/rfc8259-json-text.test.ts
 * compares the two).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8259#section-4
 */
export function jsonText(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return JSON.stringify(value)
  }
  const record = value as Record<string, unknown>
  // Object.keys is the order JSON.stringify serializes in (EnumerableOwnProperties, ECMA-262 §25.5.2.5).
  const keys = Object.keys(record)
  let text = '{'
  let first = true
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    const member = record[key]
    if (member === undefined) continue
    let json: string
    if (typeof member === 'string' && PLAIN.test(member)) json = `"${member}"`
    // ECMA-262 §25.5.2.3: a finite number as Number::toString, anything else null.
    else if (typeof member === 'number') json = Number.isFinite(member) ? String(member) : 'null'
    else if (typeof member === 'boolean') json = member ? 'true' : 'false'
    else if (member === null) json = 'null'
    else {
      // Anything else as JSON.stringify writes it as this member (its toJSON gets the key); read
      // once, so a getter runs once, as it does in JSON.stringify. `{}`: a member it leaves out.
      const wrapped = JSON.stringify({ [key]: member })
      if (wrapped.length > 2) {
        text = first ? `${text}${wrapped.slice(1, -1)}` : `${text},${wrapped.slice(1, -1)}`
        first = false
      }
      continue
    }
    const name = PLAIN.test(key) ? `"${key}"` : JSON.stringify(key)
    text = first ? `${text}${name}:${json}` : `${text},${name}:${json}`
    first = false
  }
  return `${text}}`
}

/** A string JSON writes as it is between quotes: printable ASCII other than `"` and `\` (RFC 8259 §7). */
const PLAIN = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/
