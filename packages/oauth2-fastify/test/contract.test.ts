import { defineContractSuite } from '@x/oauth2-testkit'
import { fastifyOAuth2 } from '@x/oauth2-fastify'
import { injectTarget, passThroughApp as app } from './inject.js'

defineContractSuite('fastify', (provider) => injectTarget(app().register(fastifyOAuth2, { provider })))

/** Without a prefix, an issuer path needs nothing more: the routes are the provider's absolute paths. */
defineContractSuite('fastify', (provider) => injectTarget(app().register(fastifyOAuth2, { provider })), { basePath: '/auth' })

/** With a prefix equal to the issuer path, every endpoint under it is served; the RFC 8414 path is outside it. */
defineContractSuite('fastify with prefix', (provider, basePath) => injectTarget(app().register(fastifyOAuth2, { provider, prefix: basePath })), {
  basePath: '/auth',
  skip: ['RFC 8414 metadata GET (well-known path before the issuer path)'],
})
