/**
 * The in-process subject of src/instructions.mjs: the core's `handle()` with no HTTP around it, run
 * under callgrind. It speaks the IPC protocol of the server scripts (servers/lib/serve.mjs), with a
 * `run` message in place of requests:
 * - `{ type: 'seed', n }` -> `{ type: 'seed', count }`: n fresh refresh tokens, each its own grant,
 *   kept here (sending them with `run` would count their deserialization in the measured window);
 * - `{ type: 'run', n }` -> `{ type: 'run' }`: n `handle()` calls, one at a time, each answered 200
 *   (`refresh`: each presents a seeded token not used before).
 *
 *   node src/instructions-loop.mjs cc|refresh|mixed   (forked by src/instructions.mjs, with an IPC channel)
 */
import { createCoreProvider, seedRefreshTokens } from '../servers/lib/core-provider.mjs'
import { CLIENT_CREDENTIALS_BODY, FORM_HEADERS, TOKEN_PATH, refreshBody } from './config.mjs'

const grant = process.argv[2] === 'refresh' || process.argv[2] === 'mixed' ? process.argv[2] : 'cc'
const { provider } = createCoreProvider({ format: 'opaque' })
// As a Node adapter passes it: a path, and header values as lists.
const request = (body) => ({
  method: 'POST',
  url: TOKEN_PATH,
  headers: { 'content-type': [FORM_HEADERS['content-type']], authorization: [FORM_HEADERS.authorization] },
  body,
})
const tokens = []
let used = 0

let calls = 0
function nextBody() {
  // `mixed`: client_credentials and refresh_token in turn, as the HTTP suite's servers serve them.
  if (grant === 'cc' || (grant === 'mixed' && calls++ % 2 === 0)) return CLIENT_CREDENTIALS_BODY
  if (used === tokens.length) throw new Error('no seeded refresh token left')
  return refreshBody(tokens[used++])
}

process.on('message', async (message) => {
  try {
    if (message.type === 'seed') {
      tokens.push(...(await seedRefreshTokens(provider, message.n)))
      process.send({ type: 'seed', count: tokens.length })
    } else if (message.type === 'run') {
      for (let i = 0; i < message.n; i++) {
        const result = await provider.handle(request(nextBody()))
        if (result.status !== 200) throw new Error(`handle() answered ${result.status}: ${result.body}`)
      }
      process.send({ type: 'run' })
    }
  } catch (error) {
    process.send({ type: 'error', message: String(error?.stack ?? error) })
  }
})
process.on('disconnect', () => process.exit(0))
process.send({ type: 'ready' })
