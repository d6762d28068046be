import express from 'express'
import { defineContractSuite, PASS_THROUGH_BODY } from '@x/oauth2-testkit'
import { expressOAuth2 } from '@x/oauth2-express'
import { fetchTarget } from './serve.js'

/** The adapter at the root, with the framework's own not-found handler after it. */
defineContractSuite('express', (provider) => {
  const app = express()
  app.use(expressOAuth2(provider))
  app.use((_req, res) => void res.status(404).send(PASS_THROUGH_BODY))
  return fetchTarget(app)
})

defineContractSuite(
  'express',
  (provider) => {
    const app = express()
    app.use(expressOAuth2(provider))
    app.use((_req, res) => void res.status(404).send(PASS_THROUGH_BODY))
    return fetchTarget(app)
  },
  { basePath: '/auth' },
)
