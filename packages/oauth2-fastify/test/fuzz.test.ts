import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { createTestProvider, defineAdapterFuzzSuite, PASS_THROUGH_BODY } from '@x/oauth2-testkit'
import { fastifyOAuth2 } from '@x/oauth2-fastify'
import { injectTarget, passThroughApp as app } from './inject.js'

// Node's gc without --expose-gc: the flag is set at run time and a new context sees it.
setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

defineAdapterFuzzSuite('fastify', (provider) => injectTarget(app().register(fastifyOAuth2, { provider })), { collectGarbage })
defineAdapterFuzzSuite('fastify', (provider) => injectTarget(app().register(fastifyOAuth2, { provider })), {
  basePath: '/auth',
  runs: 150,
  longRun: 500,
  collectGarbage,
})

describe('fuzz regression: a path Fastify matches loosely is the framework\'s, whatever its body', () => {
  it('answers an oversized body on /oauth2/%74oken with the framework 404, as it does a small one (not the 413 of the provider)', async () => {
    const { provider } = createTestProvider()
    const fastify = app().register(fastifyOAuth2, { provider })
    const target = await injectTarget(fastify)
    try {
      for (const size of [10, 70_000]) {
        const response = await target.send({
          method: 'POST',
          path: '/oauth2/%74oken',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new TextEncoder().encode(`grant_type=client_credentials&pad=${'a'.repeat(size)}`),
        })
        expect([size, response.status, new TextDecoder().decode(response.body)]).toEqual([size, 404, PASS_THROUGH_BODY])
      }
    } finally {
      await target.close?.()
    }
  })
})
