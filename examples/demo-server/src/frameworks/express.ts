import express from 'express'
import type { OAuth2Result } from '@x/oauth2-core'
import { expressOAuth2, requireAccessToken } from '@x/oauth2-express'
import type { DemoApp, DemoRoutes } from './types.js'
import { meBody } from './types.js'

/** The demo on Express 5: the provider's router first (it reads raw bodies), then the demo's routes. */
export function mountExpress({ provider, paths, home, callback }: DemoRoutes): Promise<DemoApp> {
  const app = express()
  app.disable('x-powered-by')
  app.use(expressOAuth2(provider))
  app.get(paths.me, requireAccessToken(provider), (req, res) => {
    res.set('cache-control', 'no-store').json(meBody(req.oauth2!))
  })
  app.get(paths.home, (_req, res) => send(res, home()))
  app.get(paths.callback, (req, res) => send(res, callback(new URL(req.originalUrl, 'http://demo').searchParams)))
  return Promise.resolve({ listener: app, close: () => Promise.resolve() })
}

function send(res: express.Response, result: OAuth2Result): void {
  res.status(result.status).set(result.headers).send(result.body)
}
