/**
 * `@x/oauth2-core`: a pure, framework-agnostic core for OAuth 2.0 and OpenID Connect authorization
 * servers. Design a server with the fluent builders; `build()` gives an {@link OAuth2Provider} whose
 * `handle(request)` turns a plain request into a plain result.
 *
 * @module
 */

// Builders
export { OAuth2AuthorizationCodeBuilder, OIDCAuthorizationCodeBuilder } from './builders/authorization-code.js'
export { OAuth2ClientCredentialsBuilder, OIDCClientCredentialsBuilder } from './builders/client-credentials.js'
export { OAuth2DeviceAuthorizationBuilder, OIDCDeviceAuthorizationBuilder } from './builders/device-authorization.js'
export { MultipleFlowsBuilder } from './builders/multiple-flows.js'
export { FlowBuilder } from './builders/flow-builder.js'
export { RefreshableFlowBuilder } from './builders/refreshable-flow-builder.js'
export { ProviderSettingsBuilder } from './builders/provider-settings.js'
export { OAuth2TokenRoute, OAuth2RefreshTokenRoute, JwksRoute } from './builders/routes.js'
export { BearerToken } from './builders/token-types.js'

// The provider
export { OAuth2Provider } from './server.js'
export type { OAuth2Request, OAuth2RequestHeaders, OAuth2Result } from './types.js'
export type { ErrorHook, TokenType } from './config.js'
export type { SecurityEvent, SecurityEventHook } from './security-events.js'

// Token handlers
export type {
  GenerateToken,
  OAuth2ACTokenParams,
  OAuth2ClientCredentialsTokenParams,
  OAuth2DeviceAuthTokenParams,
  OAuth2ErrorBody,
  OAuth2RefreshTokenParams,
  OAuth2TokenParams,
  TokenHandlerResult,
  TokenHelpers,
} from './grants/token-context.js'
export { GrantType } from './grants/grant-types.js'
export { OAuth2TokenResponse, type OAuth2TokenResponseBody } from './tokens/token-response.js'
export type { JwtAccessTokenClaims, SignedToken } from './tokens/jwt-access-token.js'
export type { RegisteredClaims } from './tokens/registered-claims.js'
export type { IdTokenClaims, IdTokenOptions } from './tokens/id-token.js'
export type { VerifyJwtOptions } from './tokens/verify-jwt.js'
export { verifyCodeVerifier, type CodeChallengeMethod } from './internal/pkce.js'

// Errors
export { OAuth2ErrorCode, DeviceFlowOAuth2ErrorCode } from './errors/codes.js'
export { OAuth2Error, type OAuth2ErrorOptions } from './errors/oauth2-error.js'

// Client authentication
export { NoneAuthMethod } from './client-auth/none.js'
export { ClientSecretBasic } from './client-auth/client-secret-basic.js'
export { ClientSecretPost } from './client-auth/client-secret-post.js'
export { ClientSecretJwt, type GetClientSecret } from './client-auth/client-secret-jwt.js'
export { PrivateKeyJwt, type ClientPublicKey, type GetPublicKeyForClient } from './client-auth/private-key-jwt.js'
export type { ClientAuthMethod, ClientAuthContext, AuthenticatedClient } from './client-auth/client-auth-method.js'
export type { ClientAuthMethodName, ClientMetadata, FindClient } from './client-auth/client-metadata.js'

// Keys and stores
export { InMemoryKeyStore, createInMemoryKeyStore, type KeyStore, type SigningAlgorithm, type StoredSigningKey } from './tokens/key-store.js'
export type { KeyRotationOptions } from './tokens/key-manager.js'
export { MemoryReplayStore, replayStoreFrom, type ReplayStore } from './stores/replay-store.js'
export { MemoryStore, type MemoryStoreOptions } from './stores/memory-store.js'
export type { OAuth2Store, StoreKind, StoredEntry } from './stores/oauth2-store.js'

// Resource servers
export type { AuthenticateResourceOptions, ResourceAuthentication, ResourceRequest } from './resource/protect-resource.js'
export type { ValidAccessToken } from './tokens/validate-access-token.js'

// Adapters
export { bodyTooLargeResult } from './errors/to-result.js'

// Device authorization (RFC 8628)
export { OAuth2DeviceAuthorizationRoute, DeviceVerificationRoute } from './builders/device-authorization.js'
export type { DeviceCodeGenerator, DeviceCodeResponse, OAuth2DeviceAuthorizationParams } from './endpoints/device-authorization.js'
export type { DeviceAuthorizationData } from './grants/device-code.js'
export type {
  DeviceAttemptLimits,
  DeviceCodePageContext,
  DeviceCodePageRenderer,
  DeviceDonePageContext,
  DeviceDonePageRenderer,
  DeviceVerificationParams,
} from './endpoints/device-verification.js'

// Secure defaults on the store: refresh rotation (RFC 9700), revocation (RFC 7009), introspection (RFC 7662)
export { RevocationRoute, IntrospectionRoute } from './builders/token-management-routes.js'
export { MAX_REFRESH_TOKEN_GRACE_PERIOD } from './builders/refreshable-flow-builder.js'
export { defaultCanIntrospect, type CanIntrospect, type IntrospectionCaller, type IntrospectionResponse } from './endpoints/introspection.js'
export type { IssueTokensInput, AccessTokenEntry, RefreshTokenEntry } from './tokens/issue-tokens.js'

// Authorization code flow (RFC 6749 §4.1, RFC 7636), OpenID Connect (UserInfo, Discovery), RFC 8414 metadata
export { OAuth2ACAuthorizationRoute } from './builders/authorization-route.js'
export type { InteractionRoute } from './builders/interaction-route.js'
export { UserInfoRoute } from './builders/userinfo-route.js'
export type {
  AuthCodeResult,
  ErrorPageContext,
  ErrorPageRenderer,
  FinalizeAuthorization,
  FinalizeAuthorizationContext,
  GenerateCode,
  OAuth2ACAuthorizationParams,
  PkceSettings,
  ResponseMode,
} from './endpoints/authorization/types.js'
export type { AuthorizationCodeData } from './grants/authorization-code.js'
export { STANDARD_SCOPE_CLAIMS, type GetUserInfo, type UserInfoContext } from './endpoints/userinfo.js'
export { oauthMetadataPathname, openidConfigurationPathname } from './endpoints/discovery.js'
export type {
  AuthenticateUser,
  AuthenticatedUser,
  ConsentDecision,
  ConsentPageContext,
  ConsentPageRenderer,
  ConsentRequest,
  FindSession,
  GetConsent,
  InteractionClient,
  LoginPageContext,
  LoginPageRenderer,
  PageContext,
  PageRenderResult,
  SignedInUser,
  UserCredentials,
} from './interaction/types.js'
export { escapeHtml, html, rawHtml, SafeHtml } from './interaction/html.js'

// Hardening: request limits (RFC 9700, docs/security.md)
export { DEFAULT_REQUEST_LIMITS, LIMITED_PARAMETERS, type RequestLimits } from './schemas/limits.js'
