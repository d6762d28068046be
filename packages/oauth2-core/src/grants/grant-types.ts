/** The grant types the token endpoint knows, by wire name. */
export const GrantType = {
  AUTHORIZATION_CODE: 'authorization_code',
  CLIENT_CREDENTIALS: 'client_credentials',
  REFRESH_TOKEN: 'refresh_token',
  DEVICE_CODE: 'urn:ietf:params:oauth:grant-type:device_code',
} as const

/** One grant type's wire name. */
export type GrantType = (typeof GrantType)[keyof typeof GrantType]
