// Runs a refresh grant through the core and prints each request and response.
// No HTTP server: the provider is a function from a plain request to a plain result.
import type { OAuth2Request, OAuth2Result } from '@x/oauth2-core'
import { provider } from './seed.js'

function form(params: Record<string, string>): OAuth2Request {
  return {
    method: 'POST',
    url: 'http://localhost:3000/oauth2/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  }
}

function show(title: string, request: OAuth2Request, result: OAuth2Result): void {
  console.log(`\n=== ${title}`)
  console.log(`> ${request.method} ${request.url}`)
  for (const [name, value] of Object.entries(request.headers)) console.log(`> ${name}: ${String(value)}`)
  console.log(`>\n> ${String(request.body)}`)
  console.log(`< ${result.status}`)
  for (const [name, value] of Object.entries(result.headers)) console.log(`< ${name}: ${value}`)
  console.log(`<\n< ${JSON.stringify(JSON.parse(result.body), null, 2).replace(/\n/g, '\n< ')}`)
}

const codeRequest = form({ grant_type: 'authorization_code', code: 'demo-code', client_id: 'demo-app' })
const codeResult = await provider.handle(codeRequest)
show('authorization_code grant (issues the refresh token)', codeRequest, codeResult)

const { refresh_token: refreshToken } = JSON.parse(codeResult.body) as { refresh_token: string }
const refreshRequest = form({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'demo-app', scope: 'openid' })
show('refresh_token grant', refreshRequest, await provider.handle(refreshRequest))

const replayRequest = form({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'other-app' })
show('refresh_token grant from another client (refused)', replayRequest, await provider.handle(replayRequest))
