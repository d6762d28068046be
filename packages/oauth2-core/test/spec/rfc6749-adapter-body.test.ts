import { describe, expect, it } from 'vitest'
import { DEFAULT_REQUEST_LIMITS } from '@x/oauth2-core'
import { DEFAULT_BODY_LIMIT, readBody, requestPathname, resolveBodyLimit, TOO_LARGE } from '@x/oauth2-core/adapter'
import { ISSUER } from '../fixtures/request.js'

const encode = (text: string) => new TextEncoder().encode(text)

/**
 * A body source that records how it was read: the chunks handed out, whether the reader ended the
 * iteration early (`return()`, which destroys a Node stream or cancels a Web one), and an error to
 * throw after a number of chunks.
 */
function source(chunks: Uint8Array[], options: { failAfter?: number; holdAfter?: number } = {}) {
  const seen = { read: 0, returned: false, finished: false }
  let release = () => {}
  const held = new Promise<void>((resolve) => (release = resolve))
  const iterable: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      async next() {
        // The rest of the body has not arrived yet: the chunk after `holdAfter` waits for release().
        if (seen.read === options.holdAfter) await held
        if (options.failAfter !== undefined && seen.read === options.failAfter) throw new Error('connection reset')
        const value = chunks[seen.read]
        if (value === undefined) {
          seen.finished = true
          return { done: true, value: undefined }
        }
        seen.read++
        return { done: false, value }
      },
      async return() {
        seen.returned = true
        return { done: true, value: undefined }
      },
    }),
  }
  return { iterable, seen, release }
}

/** Lets the background drain run to its end. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('RFC 6749 §3.2 adapters read the raw body (@x/oauth2-core/adapter readBody)', () => {
  it('hands over the raw form, repeated parameters included, for the core to refuse', async () => {
    const { iterable } = source([encode('grant_type=client_credentials&'), encode('scope=a&scope=b')])
    expect(await readBody(iterable, { limit: 1024 })).toBe('grant_type=client_credentials&scope=a&scope=b')
  })

  it('decodes UTF-8 split across chunks, and turns invalid sequences into U+FFFD as Response.text() does', async () => {
    const euro = encode('€')
    const { iterable } = source([encode('a='), euro.slice(0, 1), euro.slice(1), new Uint8Array([0xff])])
    expect(await readBody(iterable, { limit: 1024 })).toBe('a=€\uFFFD')
  })

  it('reads an empty body as the empty string', async () => {
    expect(await readBody(source([]).iterable, { limit: 1024 })).toBe('')
  })
})

describe('RFC 9110 §15.5.14 adapters cap the body (413)', () => {
  it('accepts a body of exactly the limit', async () => {
    const { iterable } = source([encode('a'.repeat(6)), encode('b'.repeat(4))])
    expect(await readBody(iterable, { limit: 10, contentLength: '10' })).toBe('aaaaaabbbb')
  })

  it('refuses a body one byte over the limit, counted in bytes (not characters)', async () => {
    expect(await readBody(source([encode('é'.repeat(5))]).iterable, { limit: 9 })).toBe(TOO_LARGE)
  })

  it('refuses a body whose Content-Length declares more than the limit before reading any of it, and drains it', async () => {
    const { iterable, seen } = source([encode('a'), encode('b')])
    expect(await readBody(iterable, { limit: 10, contentLength: '11' })).toBe(TOO_LARGE)
    await settle()
    expect(seen).toEqual({ read: 2, returned: false, finished: true })
  })

  it('stops a body sent without Content-Length at the cap, without waiting for the rest, and drains the rest without ending the stream early', async () => {
    const { iterable, seen, release } = source([encode('a'.repeat(8)), encode('b'.repeat(8)), encode('c'.repeat(8))], { holdAfter: 2 })
    expect(await readBody(iterable, { limit: 10 })).toBe(TOO_LARGE)
    expect(seen.read).toBe(2)
    release()
    await settle()
    expect(seen).toEqual({ read: 3, returned: false, finished: true })
  })

  it('ignores a missing or malformed Content-Length and enforces the cap while reading', async () => {
    for (const contentLength of [undefined, null, '', 'abc', '-1', '3']) {
      expect(await readBody(source([encode('a'.repeat(11))]).iterable, { limit: 10, contentLength })).toBe(TOO_LARGE)
      expect(await readBody(source([encode('a'.repeat(10))]).iterable, { limit: 10, contentLength })).toBe('a'.repeat(10))
    }
  })

  it('rejects when the body fails before it is complete, and ignores a failure while draining', async () => {
    await expect(readBody(source([encode('a')], { failAfter: 1 }).iterable, { limit: 10 })).rejects.toThrow('connection reset')
    const draining = source([encode('a'.repeat(11)), encode('b')], { failAfter: 1 })
    expect(await readBody(draining.iterable, { limit: 10 })).toBe(TOO_LARGE)
    await settle()
    expect(draining.seen.returned).toBe(false)
  })
})

describe('adapter options (@x/oauth2-core/adapter)', () => {
  it('caps bodies at 64 KiB by default, the core maxBodyLength', () => {
    expect(resolveBodyLimit(undefined, 'testAdapter')).toBe(DEFAULT_BODY_LIMIT)
    expect(DEFAULT_BODY_LIMIT).toBe(DEFAULT_REQUEST_LIMITS.maxBodyLength)
    expect(resolveBodyLimit(1, 'testAdapter')).toBe(1)
  })

  it('refuses a bodyLimit that is not a positive whole number, naming the adapter', () => {
    for (const limit of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => resolveBodyLimit(limit, 'testAdapter')).toThrow(new TypeError('testAdapter: bodyLimit must be a positive whole number of bytes.'))
    }
  })

  it('resolves a request URL to the pathname the provider routes by, as handle() does', () => {
    expect(requestPathname('/oauth2/token?x=1', ISSUER)).toBe('/oauth2/token')
    expect(requestPathname('https://other.example/auth/oauth2/token', ISSUER)).toBe('/auth/oauth2/token')
    expect(requestPathname('/a/../oauth2/%74oken', ISSUER)).toBe('/oauth2/%74oken')
    expect(requestPathname('http://[bad', ISSUER)).toBe('')
  })
})
