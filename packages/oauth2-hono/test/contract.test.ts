import { Hono } from 'hono'
import { defineContractSuite, PASS_THROUGH_BODY, type ContractTarget } from '@x/oauth2-testkit'
import { honoOAuth2 } from '@x/oauth2-hono'

/** A contract target that sends each request through `app.request()` (Web Request in, Web Response out). */
function requestTarget(app: Hono): ContractTarget {
  return {
    async send(request) {
      const response = await app.request(request.path, {
        method: request.method,
        headers: request.headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
      })
      return { status: response.status, headers: response.headers, body: new Uint8Array(await response.arrayBuffer()) }
    },
  }
}

function app() {
  const hono = new Hono()
  hono.notFound((c) => c.text(PASS_THROUGH_BODY, 404))
  return hono
}

defineContractSuite('hono', (provider) => requestTarget(app().route('/', honoOAuth2(provider))))
defineContractSuite('hono', (provider) => requestTarget(app().route('/', honoOAuth2(provider))), { basePath: '/auth' })
