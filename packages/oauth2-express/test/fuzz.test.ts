import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import express from 'express'
import { defineAdapterFuzzSuite, PASS_THROUGH_BODY } from '@x/oauth2-testkit'
import { expressOAuth2 } from '@x/oauth2-express'
import { fetchTarget } from './serve.js'

// Node's gc without --expose-gc: the flag is set at run time and a new context sees it.
setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

/** The adapter on a real Express 5 server over loopback HTTP, with the framework's own 404 after it. */
function mount(provider: Parameters<typeof expressOAuth2>[0]) {
  const app = express()
  app.use(expressOAuth2(provider))
  app.use((_req, res) => void res.status(404).send(PASS_THROUGH_BODY))
  return fetchTarget(app)
}

defineAdapterFuzzSuite('express', mount, { collectGarbage })
defineAdapterFuzzSuite('express', mount, { basePath: '/auth', runs: 150, longRun: 500, collectGarbage })
