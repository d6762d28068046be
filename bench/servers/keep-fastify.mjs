// Experiment: the core on Fastify with a store that keeps less, to tell what the store's code costs
// in a server from what keeping entries costs (bench/RESULTS.md, "Where the in-server cost sits").
// argv[2]: `none` (set keeps nothing), `map` (each entry object kept in a plain Map, no copy, index
// or expiry queue), `number` (only a number per id). client_credentials only: nothing is read back.
import Fastify from 'fastify'
import { fastifyOAuth2 } from '@x/oauth2-fastify'
import { MemoryStore } from '@x/oauth2-core'
import { createCoreProvider } from './lib/core-provider.mjs'
import { CLIENT_ID, CLIENT_SECRET, SCOPE } from '../src/config.mjs'
import { ready } from './lib/serve.mjs'

const keep = process.argv[2]
const store = new MemoryStore({
  clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, token_endpoint_auth_method: 'client_secret_basic', grant_types: ['client_credentials'], scope: SCOPE }],
})
const kept = new Map()
if (keep === 'none') store.set = async () => {}
else if (keep === 'map') store.set = async (_kind, id, entry) => void kept.set(id, entry)
else if (keep === 'number') store.set = async (_kind, id, entry) => void kept.set(id, entry.exp)
else throw new Error(`keep-fastify: unknown variant ${keep}; use none, map or number`)

const { provider } = createCoreProvider({ format: 'opaque', store })
const app = Fastify({ logger: false })
await app.register(fastifyOAuth2, { provider })
await app.listen({ host: '127.0.0.1', port: 0 })
await ready(app.server)
