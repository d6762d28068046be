import type { OAuth2Result } from '@x/oauth2-core'

/** Results Node refuses to write, as a user's page renderer may return them. */
export const UNWRITABLE: Array<[string, OAuth2Result]> = [
  ['a header value beyond Latin-1', { status: 400, headers: { 'content-type': 'text/html; charset=utf-8', 'x-note': 'caf\u00e9 \u2615' }, body: '<p>error</p>' }],
  ['a header value with CR LF', { status: 400, headers: { 'x-note': 'a\r\nset-cookie: evil=1' }, body: '<p>error</p>' }],
  ['a header name that is no token', { status: 400, headers: { 'bad name': 'x' }, body: '<p>error</p>' }],
  ['a status out of range', { status: 1000, headers: {}, body: '<p>error</p>' }],
]
