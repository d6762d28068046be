// The core's token endpoint behind the Express adapter (@x/oauth2-express).
import express from 'express'
import { expressOAuth2 } from '@x/oauth2-express'
import { createCoreProvider, seedRefreshTokens } from './lib/core-provider.mjs'
import { format, ready } from './lib/serve.mjs'

const { provider } = createCoreProvider({ format })
const app = express()
app.use(expressOAuth2(provider))
await ready(app.listen(0, '127.0.0.1'), { seed: (n) => seedRefreshTokens(provider, n) })
