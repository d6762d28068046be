import { once } from 'node:events'
import { createServer, request as httpRequest, Agent, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PassThrough, Readable } from 'node:stream'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
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

/**
 * A Node stream (what Express and Fastify hand over) that refuses to be read through its async
 * iterator, so a test proves the event path read it. `pause()` leaves it paused, as an adapter may.
 */
function nodeStream(options: { pause?: boolean } = {}): PassThrough {
  const stream = new PassThrough()
  Object.defineProperty(stream, Symbol.asyncIterator, {
    value: () => {
      throw new Error('read through the async iterator')
    },
  })
  if (options.pause === true) stream.pause()
  return stream
}

/** Whether the stream has no listener of readBody left. */
function released(stream: PassThrough): boolean {
  return ['data', 'end', 'error', 'close'].every((event) => stream.listenerCount(event) === 0)
}

describe('RFC 6749 §3.2 / RFC 9110 §15.5.14 readBody on a Node stream (Express, Fastify): its events, the async iterator\'s outcomes', () => {
  it('decodes UTF-8 split across chunks, invalid sequences as U+FFFD, without the async iterator, and lets go of the stream', async () => {
    const stream = nodeStream()
    const euro = encode('€')
    const body = readBody(stream, { limit: 1024 })
    for (const chunk of [encode('a='), euro.slice(0, 1), euro.slice(1, 2), euro.slice(2), new Uint8Array([0xff, 0x41])]) stream.write(chunk)
    stream.end()
    expect(await body).toBe('a=€\uFFFDA')
    expect(released(stream)).toBe(true)
  })

  it('reads an empty body, and a body already written and ended before it is read, from a paused stream', async () => {
    const empty = nodeStream({ pause: true })
    empty.end()
    expect(await readBody(empty, { limit: 1024 })).toBe('')
    const whole = nodeStream({ pause: true })
    whole.end(encode('grant_type=client_credentials'))
    expect(await readBody(whole, { limit: 1024, contentLength: '29' })).toBe('grant_type=client_credentials')
  })

  it('reads a stream that already ended as empty, as the async iterator does, instead of waiting for an end that is gone', async () => {
    const stream = Readable.from([encode('a')], { objectMode: false })
    stream.resume()
    await once(stream, 'end')
    expect(await readBody(stream, { limit: 1024 })).toBe('')
  })

  it('accepts a body of exactly the limit, and stops one byte over it at once, keeping the stream flowing to its end (not destroyed)', async () => {
    const exact = nodeStream()
    exact.end(encode('é'.repeat(5)))
    expect(await readBody(exact, { limit: 10 })).toBe('é'.repeat(5))

    const stream = nodeStream()
    const body = readBody(stream, { limit: 10 })
    stream.write(encode('a'.repeat(8)))
    stream.write(encode('b'.repeat(3)))
    // Refused before the rest has arrived.
    expect(await body).toBe(TOO_LARGE)
    stream.write(encode('c'.repeat(64 * 1024)))
    stream.end(encode('d'))
    await once(stream, 'end')
    expect(stream.errored).toBe(null)
    expect(released(stream)).toBe(true)
  })

  it('refuses a body whose Content-Length declares more than the limit before any byte, and drains it', async () => {
    const stream = nodeStream({ pause: true })
    expect(await readBody(stream, { limit: 10, contentLength: '11' })).toBe(TOO_LARGE)
    stream.end(encode('a'.repeat(11)))
    await once(stream, 'end')
    expect(stream.readableEnded).toBe(true)
    expect(released(stream)).toBe(true)
  })

  it('rejects when the stream fails before the body is complete, or closes before its end (ERR_STREAM_PREMATURE_CLOSE, as the async iterator)', async () => {
    const failing = nodeStream()
    const failed = readBody(failing, { limit: 1024 })
    failing.write(encode('a'))
    failing.destroy(new Error('connection reset'))
    await expect(failed).rejects.toThrow('connection reset')
    expect(released(failing)).toBe(true)

    const closing = nodeStream()
    const closed = readBody(closing, { limit: 1024 })
    closing.write(encode('a'))
    closing.destroy()
    await expect(closed).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' })
    expect(released(closing)).toBe(true)
    const iterated = new PassThrough()
    const iteration = (async () => {
      for await (const _ of iterated) iterated.destroy()
    })()
    iterated.write(encode('a'))
    await expect(iteration).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' })
  })

  it('ignores a failure while draining: no rejection, no uncaught error event', async () => {
    const stream = nodeStream()
    const body = readBody(stream, { limit: 10 })
    stream.write(encode('a'.repeat(11)))
    expect(await body).toBe(TOO_LARGE)
    // readBody's listener is the only one for 'error' (events.once would add its own).
    const closed = new Promise((resolve) => stream.once('close', resolve))
    stream.destroy(new Error('connection reset'))
    await closed
    expect(released(stream)).toBe(true)
  })

  it('reads any chunking and cap exactly as the async iterator path does', async () => {
    const arbitrary = fc.record({
      chunks: fc.array(fc.uint8Array({ maxLength: 12 }), { maxLength: 6 }),
      limit: fc.integer({ min: 1, max: 40 }),
      contentLength: fc.oneof(fc.constant(undefined), fc.nat(50).map(String), fc.constantFrom('', 'abc', '-1')),
    })
    await fc.assert(
      fc.asyncProperty(arbitrary, async ({ chunks, limit, contentLength }) => {
        const stream = nodeStream()
        const viaEvents = readBody(stream, { limit, contentLength })
        for (const chunk of chunks) if (chunk.byteLength > 0) stream.write(chunk)
        stream.end()
        expect(await viaEvents).toEqual(await readBody(source(chunks).iterable, { limit, contentLength }))
      }),
    )
  })
})

describe('RFC 9110 §15.5.14 readBody on a real Node request (IncomingMessage)', () => {
  let server: Server | undefined
  afterEach(() => server?.close())

  /** A server that answers each body's outcome: 200 and the text, or 413; `seen` keeps what each request read. */
  async function serve(limit: number) {
    const seen: Array<string | typeof TOO_LARGE> = []
    server = createServer(async (req: IncomingMessage, res) => {
      const body = await readBody(req, { limit, contentLength: req.headers['content-length'] })
      seen.push(body)
      res.statusCode = body === TOO_LARGE ? 413 : 200
      res.end(body === TOO_LARGE ? '' : body)
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    return { port: (server.address() as AddressInfo).port, seen }
  }

  function post(port: number, agent: Agent, body: Uint8Array, headers: Record<string, string> = {}) {
    return new Promise<{ status: number; text: string; reused: boolean }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/token', agent, headers }, (res) => {
        const parts: Buffer[] = []
        res.on('data', (part: Buffer) => parts.push(part))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString(), reused: req.reusedSocket }))
      })
      req.on('error', reject)
      req.end(body)
    })
  }

  it('reads a body chunked or with a length, answers 413 over the cap, and keeps the connection for the next request', async () => {
    const { port, seen } = await serve(1024)
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      expect(await post(port, agent, encode('a=€'))).toMatchObject({ status: 200, text: 'a=€' })
      expect(await post(port, agent, encode('b'.repeat(200_000)), { 'transfer-encoding': 'chunked' })).toMatchObject({ status: 413, reused: true })
      expect(await post(port, agent, encode('c'.repeat(2000)))).toMatchObject({ status: 413, reused: true })
      expect(await post(port, agent, encode('x=1'), { 'transfer-encoding': 'chunked' })).toMatchObject({ status: 200, text: 'x=1', reused: true })
      expect(seen).toEqual(['a=€', TOO_LARGE, TOO_LARGE, 'x=1'])
    } finally {
      agent.destroy()
    }
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
