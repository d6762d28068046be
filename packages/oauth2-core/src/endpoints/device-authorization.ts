import { authenticateClient, challengeInvalidClient, type ClientAuthenticationPolicy } from '../client-auth/authenticate-client.js'
import type { AuthenticatedClient } from '../client-auth/client-auth-method.js'
import type { ClientAuthMethodName, ClientMetadata } from '../client-auth/client-metadata.js'
import type { FlowConfig } from '../config.js'
import { isRegisteredErrorCode } from '../errors/codes.js'
import { OAuth2Error } from '../errors/oauth2-error.js'
import { errorToResult, jsonResult, NO_STORE_HEADERS } from '../errors/to-result.js'
import { requireVerifiedClient } from '../grants/device-code.js'
import { GrantType } from '../grants/grant-types.js'
import type { OAuth2ErrorBody } from '../grants/token-context.js'
import { deviceCodeId, retainUntil, userCodeId, type DeviceCodeEntry, type UserCodeEntry } from '../internal/device-records.js'
import { isFormContentType, parseForm } from '../internal/form.js'
import { randomToken } from '../internal/random.js'
import { formatUserCode, generateUserCode } from '../internal/user-code.js'
import { scopeTokens } from '../schemas/common.js'
import { deviceAuthorizationRequestSchema } from '../schemas/device-authorization-request.js'
import { parseParams } from '../schemas/parse-params.js'
import type { OAuth2Request, OAuth2Result } from '../types.js'
import type { DeviceVerificationConfig } from './device-verification.js'
import type { Endpoint, EndpointRequest, ProviderRuntime } from './endpoint.js'
import { checkScope } from './token.js'

/**
 * What `generateCode` receives (kaapi's `OAuth2DeviceAuthorizationParams`, plus what the core
 * learnt while authenticating the client).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
 */
export interface OAuth2DeviceAuthorizationParams {
  /** The authenticated client. */
  clientId: string
  /** The requested `scope`, as sent. */
  scope?: string
  /** The requested scope tokens. */
  scopes: string[]
  /** The client authentication method the request used. */
  clientAuthMethod: ClientAuthMethodName
  /** `true` when the core verified the client (a client lookup is configured). */
  clientAuthenticated: boolean
  /** The registered client, when a client lookup is configured. */
  client?: ClientMetadata
}

/**
 * The device authorization response (RFC 8628 §3.2), kaapi's `DeviceCodeResponse`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.2
 */
export interface DeviceCodeResponse {
  /** The device verification code, which the device polls the token endpoint with. */
  device_code: string
  /** The end-user verification code, which the user types on the verification page. */
  user_code: string
  /** Where the user goes to type the code. */
  verification_uri: string
  /** The same, with the code in it (for QR codes and links). */
  verification_uri_complete?: string
  /** Lifetime of both codes, seconds. */
  expires_in: number
  /** Seconds the device must wait between polls (5 when absent, RFC 8628 §3.2). */
  interval?: number
}

/**
 * kaapi's `generateCode(fn)`: issues the codes itself. Returns the response, an
 * `{ error, error_description }`, or `null` (`invalid_client`).
 */
export type DeviceCodeGenerator = (
  params: OAuth2DeviceAuthorizationParams,
  request: OAuth2Request,
) => Promise<DeviceCodeResponse | OAuth2ErrorBody | null | undefined> | DeviceCodeResponse | OAuth2ErrorBody | null | undefined

/** The device flow's configuration, as the builder resolves it (the engine's input). */
export interface DeviceAuthorizationConfig {
  /** Device authorization endpoint path, relative to the issuer's path. */
  path: string
  /** The user's code issuer; `undefined` when the core issues and verifies the codes. */
  generateCode: DeviceCodeGenerator | undefined
  /** kaapi's `setClientId`: the one client allowed here, or `undefined` for any. */
  clientId: string | undefined
  /** Lifetime of device and user codes, seconds. */
  codeTtl: number
  /** Initial polling interval, seconds. */
  interval: number
  /**
   * The verification page the core serves, `undefined` with `generateCode` (the codes are then the
   * user's, and so is the page).
   */
  verification: DeviceVerificationConfig | undefined
}

/**
 * The device authorization endpoint (RFC 8628 §3.1, §3.2): POST, form-encoded; the client is
 * authenticated as at the token endpoint (RFC 8628 §3.1 → RFC 6749 §3.2.1); `scope` is validated;
 * the answer is a device code, a user code and where to enter it. Errors follow RFC 6749 §5.2.
 */
export function createDeviceAuthorizationEndpoint(pathname: string, flow: FlowConfig, device: DeviceAuthorizationConfig, runtime: ProviderRuntime): Endpoint {
  const { config } = runtime
  const endpointUrl = runtime.endpointUrl(device.path)
  const tokenPath = flow.grants.find((g) => g.grant.grantType === GrantType.DEVICE_CODE)?.path
  const policy: ClientAuthenticationPolicy = {
    methods: flow.authMethods,
    findClient: config.findClient,
    replay: config.replayStore,
    realm: config.issuer,
    // RFC 7523 §3: the assertion names the authorization server; this endpoint, the token endpoint and the issuer do.
    audiences: [endpointUrl, ...(tokenPath !== undefined ? [runtime.endpointUrl(tokenPath)] : []), config.issuer],
    maxAssertionLifetime: config.maxAssertionLifetime,
  }
  const verificationUri =
    device.verification === undefined ? undefined : (device.verification.verificationUri ?? runtime.endpointUrl(device.verification.path))

  return {
    pathname,
    methods: ['POST'],
    noStore: true,
    metadata: () => ({ device_authorization_endpoint: endpointUrl }),
    async handle(req: EndpointRequest): Promise<OAuth2Result> {
      // RFC 8628 §3.1: "the client makes an HTTP POST request ... using the application/x-www-form-urlencoded format".
      if (!isFormContentType(req.headers.get('content-type'))) {
        throw new OAuth2Error('invalid_request', 'The device authorization request must be sent as application/x-www-form-urlencoded.')
      }
      const params = parseForm(req.request.body, config.limits)
      const now = config.now()
      const client = await authenticateClient(req.headers.get('authorization'), params, policy, now)
      const registered = client.client
      // RFC 7591 §2 grant_types: a client registered without the device grant may not start one.
      if (registered !== undefined && !(registered.grant_types ?? ['authorization_code']).includes(GrantType.DEVICE_CODE)) {
        throw new OAuth2Error('unauthorized_client', `The client is not allowed to use the ${GrantType.DEVICE_CODE} grant.`)
      }
      if (device.clientId !== undefined && device.clientId !== client.clientId) {
        throw new OAuth2Error('unauthorized_client', 'The client is not allowed to use the device authorization endpoint.')
      }
      const { scope } = parseParams(deviceAuthorizationRequestSchema, params)
      const scopes = scopeTokens(scope)
      checkScope(scopes, flow, registered?.scope)

      if (device.generateCode !== undefined) {
        const result = await device.generateCode(
          {
            clientId: client.clientId,
            ...(scope !== undefined ? { scope } : {}),
            scopes,
            clientAuthMethod: client.method,
            clientAuthenticated: client.verified,
            ...(registered !== undefined ? { client: registered } : {}),
          },
          req.request,
        )
        return toDeviceResult(result ?? null, client, policy)
      }
      if (verificationUri === undefined) throw new Error('The device flow has neither generateCode nor a verification page.')
      requireVerifiedClient(client, flow, config.issuer)
      return jsonResult(200, await issueDeviceCodes(flow, client.clientId, scopes, device, verificationUri, runtime), NO_STORE_HEADERS)
    },
  }
}

/**
 * Issues and records a device code and a user code (RFC 8628 §3.2). The device code is 256 random
 * bits (RFC 8628 §5.2: it must not be guessable); the user code is drawn again if it collides with
 * a live one, which `setIfAbsent` detects atomically.
 */
async function issueDeviceCodes(
  flow: FlowConfig,
  clientId: string,
  scopes: string[],
  device: DeviceAuthorizationConfig,
  verificationUri: string,
  runtime: ProviderRuntime,
): Promise<DeviceCodeResponse> {
  const { store, now: clock } = runtime.config
  const now = clock()
  const deviceCode = randomToken(32)
  const id = deviceCodeId(deviceCode)
  const grantId = randomToken(16)
  const entry: DeviceCodeEntry = {
    grantId,
    clientId,
    flow: flow.name,
    scope: scopes,
    status: 'pending',
    interval: device.interval,
    issuedAt: now,
    expiresAt: now + device.codeTtl * 1000,
    userCodeId: '',
  }
  let userCode: string | undefined
  for (let attempt = 0; attempt < 10 && userCode === undefined; attempt++) {
    const candidate = generateUserCode()
    const candidateId = userCodeId(candidate)
    const userEntry: UserCodeEntry = { grantId, deviceCodeId: id }
    if (await runtime.config.store.setIfAbsent('user_code', candidateId, userEntry, entry.expiresAt)) {
      userCode = candidate
      entry.userCodeId = candidateId
    }
  }
  // With 2.6e10 codes, ten collisions in a row mean the store is full of live codes or broken.
  if (userCode === undefined) throw new Error('Could not allocate a unique user code after 10 attempts.')
  await store.set('device_code', id, entry, retainUntil(entry))
  const display = formatUserCode(userCode)
  const complete = new URL(verificationUri)
  complete.searchParams.set('user_code', display)
  return {
    device_code: deviceCode,
    user_code: display,
    verification_uri: verificationUri,
    verification_uri_complete: complete.href,
    expires_in: device.codeTtl,
    interval: device.interval,
  }
}

/** Maps what `generateCode` returned to the RFC 8628 §3.2 response, or an RFC 6749 §5.2 error. */
function toDeviceResult(
  result: DeviceCodeResponse | OAuth2ErrorBody | null,
  client: AuthenticatedClient,
  policy: ClientAuthenticationPolicy,
): OAuth2Result {
  if (result === null) {
    // kaapi: null means the client may not use the flow (`invalid_client`), sent as RFC 6749 §5.2 says.
    throw challengeInvalidClient(
      new OAuth2Error('invalid_client', 'The client is not allowed to start a device authorization.'),
      client.method === 'client_secret_basic',
      policy,
    )
  }
  if (typeof result !== 'object') throw new TypeError('generateCode returned something that is neither a device code response nor an error.')
  if ('error' in result && typeof result.error === 'string') {
    if (!/^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/.test(result.error)) {
      throw new TypeError(`generateCode returned an error code that is not valid RFC 6749 syntax: ${JSON.stringify(result.error)}`)
    }
    const description = typeof result.error_description === 'string' ? result.error_description : undefined
    const uri = typeof result.error_uri === 'string' ? { uri: result.error_uri } : {}
    let error = new OAuth2Error(result.error, description, { ...uri, ...(isRegisteredErrorCode(result.error) ? {} : { status: 400 }) })
    if (error.error === 'invalid_client') error = challengeInvalidClient(error, client.method === 'client_secret_basic', policy)
    return errorToResult(error)
  }
  const response = result as unknown as Record<string, unknown>
  for (const field of ['device_code', 'user_code', 'verification_uri'] as const) {
    if (typeof response[field] !== 'string' || response[field] === '') {
      throw new TypeError(`generateCode returned a device code response without a non-empty ${field} (RFC 8628 §3.2).`)
    }
  }
  const positive = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value > 0
  if (!positive(response['expires_in'])) throw new TypeError('generateCode returned an expires_in that is not a positive whole number of seconds.')
  if (response['interval'] !== undefined && !positive(response['interval'])) {
    throw new TypeError('generateCode returned an interval that is not a positive whole number of seconds.')
  }
  if (response['verification_uri_complete'] !== undefined && typeof response['verification_uri_complete'] !== 'string') {
    throw new TypeError('generateCode returned a verification_uri_complete that is not a string.')
  }
  return jsonResult(200, response, NO_STORE_HEADERS)
}
