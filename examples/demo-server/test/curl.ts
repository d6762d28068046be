/**
 * Replays a `curl` command the demo prints (`-u`, `-d`, `-H`, one URL) with `fetch`, so the tests
 * prove the printed commands work as pasted. `$NAME` words are replaced from `variables`.
 */
export function runCurl(command: string, variables: Record<string, string> = {}): Promise<Response> {
  const words = shellWords(command.replace(/\\\n/g, ' '), variables)
  if (words.shift() !== 'curl') throw new Error(`not a curl command: ${command}`)
  const headers = new Headers()
  const data: string[] = []
  let url: string | undefined
  while (words.length > 0) {
    const word = words.shift()!
    if (word === '-u') headers.set('authorization', `Basic ${btoa(words.shift()!)}`)
    else if (word === '-d') data.push(words.shift()!)
    else if (word === '-H') {
      const header = words.shift()!
      const index = header.indexOf(':')
      headers.set(header.slice(0, index).trim(), header.slice(index + 1).trim())
    } else if (word.startsWith('-')) throw new Error(`unsupported curl option ${word}`)
    else url = word
  }
  if (url === undefined) throw new Error(`no URL in ${command}`)
  if (data.length === 0) return fetch(url, { headers })
  // curl -d sends the data as given, joined with &, as a form.
  headers.set('content-type', 'application/x-www-form-urlencoded')
  return fetch(url, { method: 'POST', headers, body: data.join('&') })
}

/** POSIX shell words: single quotes, double quotes, $VARIABLES. Enough for the printed commands. */
function shellWords(line: string, variables: Record<string, string>): string[] {
  const words: string[] = []
  let current: string | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (c === ' ' || c === '\n' || c === '\t') {
      if (current !== undefined) words.push(current)
      current = undefined
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1)
      current = (current ?? '') + line.slice(i + 1, end)
      i = end
    } else if (c === '"') {
      const end = line.indexOf('"', i + 1)
      current = (current ?? '') + expand(line.slice(i + 1, end), variables)
      i = end
    } else if (c === '$') {
      const name = /^[A-Z_]+/.exec(line.slice(i + 1))![0]
      current = (current ?? '') + variable(name, variables)
      i += name.length
    } else current = (current ?? '') + c
  }
  if (current !== undefined) words.push(current)
  return words
}

function expand(text: string, variables: Record<string, string>): string {
  return text.replace(/\$([A-Z_]+)/g, (_, name: string) => variable(name, variables))
}

function variable(name: string, variables: Record<string, string>): string {
  const value = variables[name]
  if (value === undefined) throw new Error(`no value for $${name}`)
  return value
}
