/**
 * The default cap on a request body an adapter reads, in bytes (64 KiB): far above any OAuth
 * request, and the same as the core's own `maxBodyLength`, so both refuse alike.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export const DEFAULT_BODY_LIMIT = 64 * 1024

/**
 * An adapter's `bodyLimit` option, checked once when the adapter is created: `undefined` gives
 * {@link DEFAULT_BODY_LIMIT}; anything but a positive whole number of bytes throws a `TypeError`
 * naming `owner` (the adapter's function), so the mistake shows at start-up, not per request.
 */
export function resolveBodyLimit(limit: number | undefined, owner: string): number {
  if (limit === undefined) return DEFAULT_BODY_LIMIT
  if (!(Number.isSafeInteger(limit) && limit > 0)) throw new TypeError(`${owner}: bodyLimit must be a positive whole number of bytes.`)
  return limit
}
