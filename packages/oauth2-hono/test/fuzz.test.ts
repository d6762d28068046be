import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { Hono } from 'hono'
import { defineAdapterFuzzSuite, PASS_THROUGH_BODY, type ContractTarget } from '@x/oauth2-testkit'
import { honoOAuth2 } from '@x/oauth2-hono'

// Node's gc without --expose-gc: the flag is set at run time and a new context sees it.
setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

/** The sub-app on a real Hono instance, driven with app.request() (Web Request in, Web Response out). */
function mount(provider: Parameters<typeof honoOAuth2>[0]): ContractTarget {
  const app = new Hono()
  app.notFound((c) => c.text(PASS_THROUGH_BODY, 404))
  app.route('/', honoOAuth2(provider))
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

defineAdapterFuzzSuite('hono', mount, { collectGarbage })
defineAdapterFuzzSuite('hono', mount, { basePath: '/auth', runs: 150, longRun: 500, collectGarbage })
