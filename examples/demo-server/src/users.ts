import { randomBytes, scrypt, timingSafeEqual, type BinaryLike } from 'node:crypto'
import type { DemoUser } from './config.js'

/** The demo's user directory: password checks and the users' OpenID Connect claims. */
export interface UserDirectory {
  /** The user with this username and password, or `undefined`; takes the same time either way. */
  verifyPassword(username: string, password: string): Promise<DemoUser | undefined>
  /** The OIDC standard claims of the user with this `sub` (without `sub`), or `undefined`. */
  claimsOf(sub: string): Record<string, unknown> | undefined
}

interface StoredUser {
  user: DemoUser
  salt: Buffer
  hash: Buffer
}

const KEY_LENGTH = 32

function scryptAsync(password: BinaryLike, salt: BinaryLike): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, KEY_LENGTH, (error, key) => (error ? reject(error) : resolve(key))))
}

/**
 * Keeps only a salted scrypt hash of each password. A check always derives one hash and compares in
 * constant time, an unknown username against a dummy hash, so the answer's timing tells nothing
 * about which usernames exist.
 */
export async function createUserDirectory(users: readonly DemoUser[]): Promise<UserDirectory> {
  const byUsername = new Map<string, StoredUser>()
  const bySub = new Map<string, DemoUser>()
  for (const user of users) {
    const salt = randomBytes(16)
    byUsername.set(user.username, { user, salt, hash: await scryptAsync(user.password, salt) })
    bySub.set(user.sub, user)
  }
  const dummySalt = randomBytes(16)
  const dummyHash = await scryptAsync(randomBytes(16), dummySalt)

  return {
    async verifyPassword(username, password) {
      const stored = byUsername.get(username)
      const hash = await scryptAsync(password, stored?.salt ?? dummySalt)
      const matches = timingSafeEqual(hash, stored?.hash ?? dummyHash)
      return matches && stored !== undefined ? stored.user : undefined
    },
    claimsOf(sub) {
      const user = bySub.get(sub)
      if (user === undefined) return undefined
      const { username: _username, password: _password, sub: _sub, ...claims } = user
      return claims
    },
  }
}
