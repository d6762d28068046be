import type { ClientMetadata } from '@x/oauth2-core'
import type { DemoServer } from './demo.js'
import { DEVICE_CODE_GRANT } from './config.js'
import { curlAuth, offered, shellQuote } from './walkthrough.js'

/**
 * The startup banner: the URL, the endpoints, the clients and users, and a copy-paste `curl`
 * command for each flow.
 */
export function formatBanner(demo: DemoServer): string {
  const { issuer, framework, config, walkthrough: w } = demo
  const root = issuer.replace(/\/$/, '')
  const token = `${root}/oauth2/token`
  const lines: string[] = []
  const out = (line = '') => lines.push(line)

  out(`@x/oauth2 demo authorization server on ${framework}`)
  out(`  listening on ${demo.url}${demo.url === root ? '' : `, issuer ${issuer}`}`)
  out(`  home page    ${root}/`)
  out(`  discovery    ${root}/.well-known/openid-configuration`)
  out(`  token        ${token}    authorize ${root}/oauth2/authorize`)
  out(`  userinfo     ${root}/oauth2/userinfo    revoke ${root}/oauth2/revoke    introspect ${root}/oauth2/introspect`)
  out(`  device       ${root}/oauth2/device_authorization    verification page ${root}/oauth2/device`)
  out(`  protected    GET ${root}${w.paths.me.slice(w.paths.base.length)} (any access token this server issued)`)
  out()
  out('Clients')
  const width = Math.max(...config.clients.map((client) => client.client_id.length))
  for (const client of config.clients) out(`  ${describeClient(client, width)}`)
  out()
  out('Users (sign-in form: username / password)')
  for (const user of config.users) out(`  ${user.username} / ${user.password}    sub ${user.sub}${user.name !== undefined ? `, ${user.name}` : ''}`)
  if (config.users.length === 0) out('  (none: the sign-in pages cannot sign anyone in)')
  out()
  out('Try it (copy, paste; replace the $VARIABLES with values from the answers)')

  const service = w.serviceClient
  const serviceAuth = service !== undefined ? curlAuth(service) : undefined
  out()
  out('# Client credentials (RFC 6749 §4.4): a token for a service')
  if (service !== undefined && serviceAuth !== undefined) {
    out(`curl ${serviceAuth} -d grant_type=client_credentials${scopeArg(offered(service, 'api:read'))} ${token}`)
  } else out(noCurl('client_credentials', service))

  out()
  out('# The protected resource: the access token\'s claims')
  out(`curl -H "Authorization: Bearer $ACCESS_TOKEN" ${root}${w.paths.me.slice(w.paths.base.length)}`)

  const code = w.codeClient
  const codeAuth = code !== undefined ? curlAuth(code) : undefined
  out()
  out('# Authorization code + PKCE + OpenID Connect: open this URL in a browser, sign in, allow')
  if (w.authorizationUrl !== undefined) out(w.authorizationUrl)
  if (code !== undefined && codeAuth !== undefined && w.redirectUri !== undefined) {
    const ours = w.redirectUri === `${root}${w.paths.callback.slice(w.paths.base.length)}`
    out(`# then exchange the code${ours ? ` (the ${w.paths.callback} page shows this command with the code filled in)` : ` (from the redirect to ${w.redirectUri})`}:`)
    out(`curl ${codeAuth} -d grant_type=authorization_code -d code=$CODE \\`)
    out(`  -d redirect_uri=${shellQuote(w.redirectUri)} -d code_verifier=${w.codeVerifier} ${token}`)
    out()
    out('# Refresh (RFC 6749 §6; rotated: each refresh token works once, a reused one revokes the grant)')
    out(`curl ${codeAuth} -d grant_type=refresh_token -d refresh_token=$REFRESH_TOKEN ${token}`)
    out()
    out('# UserInfo (OpenID Connect Core §5.3)')
    out(`curl -H "Authorization: Bearer $ACCESS_TOKEN" ${root}/oauth2/userinfo`)
  } else out(noCurl('authorization_code', code))

  const introspector = w.introspectionClient
  const introspectAuth = introspector !== undefined ? curlAuth(introspector) : undefined
  out()
  out('# Introspection (RFC 7662): a confidential client sees its own tokens')
  if (introspector !== undefined && introspectAuth !== undefined) {
    out(`curl ${introspectAuth} -d token=$ACCESS_TOKEN ${root}/oauth2/introspect`)
  } else out('# (no client with a client secret is registered)')

  const revoker = code ?? service
  const revokeAuth = revoker !== undefined ? curlAuth(revoker) : undefined
  out()
  out('# Revocation (RFC 7009): a refresh token revokes its whole grant')
  if (revoker !== undefined && revokeAuth !== undefined) {
    out(`curl ${revokeAuth} -d token=$REFRESH_TOKEN -d token_type_hint=refresh_token ${root}/oauth2/revoke`)
  } else out('# (no client curl can authenticate)')

  const device = w.deviceClient
  const deviceAuth = device !== undefined ? curlAuth(device) : undefined
  out()
  out('# Device flow (RFC 8628): start, open verification_uri_complete, sign in, allow, then poll')
  if (device !== undefined && deviceAuth !== undefined) {
    out(`curl ${deviceAuth}${scopeArg(offered(device, 'openid profile offline_access'))} ${root}/oauth2/device_authorization`)
    out(`curl ${deviceAuth} -d grant_type=${DEVICE_CODE_GRANT} -d device_code=$DEVICE_CODE ${token}`)
  } else out(noCurl(DEVICE_CODE_GRANT, device))
  out()
  out('Ctrl+C stops the server.')
  return lines.join('\n')
}

function describeClient(client: ClientMetadata, width: number): string {
  const method = client.token_endpoint_auth_method ?? 'client_secret_basic'
  const secret = client.client_secret !== undefined && method !== 'none' ? ` secret ${client.client_secret}` : ''
  const grants = (client.grant_types ?? ['authorization_code']).map((grant) => (grant === DEVICE_CODE_GRANT ? 'device_code' : grant)).join(', ')
  const redirects = client.redirect_uris !== undefined && client.redirect_uris.length > 0 ? `; redirect ${client.redirect_uris.join(' ')}` : ''
  return `${client.client_id.padEnd(width)} ${method}${secret}; ${grants}; scope ${client.scope ?? '(any)'}${redirects}`
}

function scopeArg(scope: string): string {
  return scope === '' ? '' : ` -d scope=${shellQuote(scope)}`
}

function noCurl(grant: string, client: ClientMetadata | undefined): string {
  return client === undefined
    ? `# (no client is registered for ${grant})`
    : `# (${client.client_id} authenticates with ${String(client.token_endpoint_auth_method)}: it needs a signed assertion, see docs/client-authentication.md)`
}
