const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
  '=': '&#61;',
}

/**
 * Escapes text for HTML element content and quoted attribute values: `& < > " ' \` =`.
 * Every value that reaches a page goes through it (the {@link html} template does it for you).
 *
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`=]/g, (c) => ESCAPES[c]!)
}

/** HTML that is already safe (built by {@link html} or {@link rawHtml}); interpolated as is. */
export class SafeHtml {
  readonly #value: string
  constructor(value: string) {
    this.#value = value
  }
  toString(): string {
    return this.#value
  }
}

/** Marks a string as trusted HTML. Only for markup your code wrote, never for request data. */
export function rawHtml(value: string): SafeHtml {
  return new SafeHtml(value)
}

/**
 * A template tag that escapes every interpolated value unless it is {@link SafeHtml}; arrays are
 * joined (each element escaped the same way). `null`, `undefined` and `false` render nothing.
 *
 * @example
 * ```ts
 * html`<p>Signed in as ${user.sub}</p>${items.map((i) => html`<li>${i}</li>`)}`
 * ```
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!
  return new SafeHtml(out)
}

function render(value: unknown): string {
  if (value === null || value === undefined || value === false) return ''
  if (value instanceof SafeHtml) return value.toString()
  if (Array.isArray(value)) return value.map(render).join('')
  return escapeHtml(value)
}
