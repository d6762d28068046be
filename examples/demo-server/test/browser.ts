/**
 * The person at the browser, for the end-to-end tests: real HTTP with `fetch`, a cookie jar, and
 * HTML forms submitted as a browser submits them (the form's action, its hidden inputs, the fields
 * the person fills in). Redirects are not followed, so the test can hand the authorization
 * response to the client library.
 */
export class Browser {
  readonly #cookies = new Map<string, string>()

  /** GETs a page. */
  get(url: string): Promise<Page> {
    return this.#request(url, { method: 'GET' })
  }

  /** Submits the page's (only) form with its hidden inputs plus `fields`. */
  submit(page: Page, fields: Record<string, string>): Promise<Page> {
    const form = parseForm(page.body)
    if (form === undefined) throw new Error(`no form on the page (${page.status}): ${page.body.slice(0, 500)}`)
    return this.#request(new URL(form.action, page.url).href, {
      method: form.method,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form.hidden, ...fields }).toString(),
    })
  }

  async #request(url: string, init: RequestInit): Promise<Page> {
    const headers = new Headers(init.headers)
    if (this.#cookies.size > 0) headers.set('cookie', [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; '))
    const response = await fetch(url, { ...init, headers, redirect: 'manual' })
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair] = setCookie.split(';', 1)
      const index = pair!.indexOf('=')
      this.#cookies.set(pair!.slice(0, index).trim(), pair!.slice(index + 1).trim())
    }
    return { url, status: response.status, headers: response.headers, body: await response.text() }
  }
}

/** A page as the browser got it. */
export interface Page {
  url: string
  status: number
  headers: Headers
  body: string
}

interface Form {
  action: string
  method: string
  hidden: Record<string, string>
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#96': '`', '#61': '=' }

/** Text of an HTML page with the entities the core's `escapeHtml` produces decoded. */
export function decodeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#96|#61);/g, (_, name: string) => ENTITIES[name]!)
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const match of tag.matchAll(/([a-zA-Z-]+)="([^"]*)"/g)) out[match[1]!.toLowerCase()] = decodeHtml(match[2]!)
  return out
}

/** The page's form: its action, method and hidden inputs, HTML entities decoded. */
export function parseForm(html: string): Form | undefined {
  const formTag = /<form\b[^>]*>/i.exec(html)
  if (formTag === null) return undefined
  const form = attributes(formTag[0])
  const hidden: Record<string, string> = {}
  for (const input of html.matchAll(/<input\b[^>]*>/gi)) {
    const attrs = attributes(input[0])
    if (attrs['type'] === 'hidden' && attrs['name'] !== undefined) hidden[attrs['name']] = attrs['value'] ?? ''
  }
  return { action: form['action'] ?? '', method: (form['method'] ?? 'GET').toUpperCase(), hidden }
}
