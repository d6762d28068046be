import { Hono } from 'hono'
import { PASS_THROUGH_BODY, responseTarget, type ContractTarget } from '@x/oauth2-testkit'
import { honoOAuth2 } from '@x/oauth2-hono'

/** The sub-app at the root of a real Hono app, driven with `app.request()` (Web Request in, Web Response out), with the framework's own 404. */
export function mountAtRoot(provider: Parameters<typeof honoOAuth2>[0]): ContractTarget {
  const app = new Hono()
  app.notFound((c) => c.text(PASS_THROUGH_BODY, 404))
  app.route('/', honoOAuth2(provider))
  return responseTarget((path, init) => app.request(path, init))
}
