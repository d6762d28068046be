import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK, type JWSHeaderParameters } from 'jose'
import type { KeyStore, SigningAlgorithm, StoredSigningKey } from './key-store.js'

/** Key rotation settings. */
export interface KeyRotationOptions {
  /** How long each key signs, in ms. Default 30 days. */
  intervalMs?: number
  /** How long before it signs a new key is published in the JWKS, in ms. Default 1 day (at most half the interval). */
  prepublishMs?: number
  /** How long a superseded key stays published and verifiable, in ms. Default: the interval. */
  retentionMs?: number
}

/** A key ready to sign with. */
export interface ActiveSigningKey {
  kid: string
  alg: SigningAlgorithm
  key: CryptoKey
}

interface LoadedKey extends StoredSigningKey {
  /** When the key leaves the JWKS (epoch ms); `Infinity` while no successor is active. */
  expiresAt: number
}

const DAY = 24 * 60 * 60 * 1000
/** How long a loaded key set is trusted before the store is read again (other instances may rotate). */
const RELOAD_AFTER_MS = 30_000

/**
 * Keeps one signing-key chain per algorithm in a {@link KeyStore}, with automatic rotation:
 * a successor is generated and published `prepublishMs` before it starts signing (so caches of the
 * JWKS learn it first), and a superseded key stays published for `retentionMs`, so tokens it signed
 * remain verifiable. Rotation happens lazily when keys are used: the core runs no timers.
 */
export class KeyManager {
  readonly #store: KeyStore
  readonly #algorithms: readonly SigningAlgorithm[]
  readonly #interval: number
  readonly #prepublish: number
  readonly #retention: number
  readonly #now: () => number
  #keys: LoadedKey[] = []
  #loadedAt = -Infinity
  #loading: Promise<void> | undefined
  readonly #cryptoKeys = new Map<string, Promise<CryptoKey>>()

  constructor(options: { store: KeyStore; algorithms: readonly SigningAlgorithm[]; rotation?: KeyRotationOptions; now: () => number }) {
    this.#store = options.store
    this.#algorithms = options.algorithms
    this.#interval = options.rotation?.intervalMs ?? 30 * DAY
    this.#prepublish = Math.min(options.rotation?.prepublishMs ?? DAY, this.#interval / 2)
    this.#retention = options.rotation?.retentionMs ?? this.#interval
    this.#now = options.now
    if (!(this.#interval > 0)) throw new TypeError('Key rotation intervalMs must be a positive number of milliseconds.')
  }

  /** The algorithms this manager keeps keys for. */
  get algorithms(): readonly SigningAlgorithm[] {
    return this.#algorithms
  }

  /** The key that signs now with `alg`. */
  async signingKey(alg: SigningAlgorithm): Promise<ActiveSigningKey> {
    await this.#fresh()
    const now = this.#now()
    let active = this.#active(alg, now)
    if (active === undefined) {
      await this.#reload(true)
      active = this.#active(alg, now)
    }
    if (active === undefined) throw new Error(`No signing key for ${alg}; add it to the provider's signing algorithms.`)
    return { kid: active.kid, alg, key: await this.#cryptoKey(active) }
  }

  /** The public keys to publish (RFC 7517 JWK Set), newest first, including pre-published ones. */
  async jwks(): Promise<{ keys: JWK[] }> {
    await this.#fresh()
    const now = this.#now()
    return {
      keys: this.#keys
        .filter((k) => k.expiresAt > now)
        .sort((a, b) => b.activatesAt - a.activatesAt)
        .map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.alg, use: 'sig' })),
    }
  }

  /** jose key resolver for verifying tokens this provider signed (any published key). */
  readonly getVerificationKey = async (header: JWSHeaderParameters): Promise<CryptoKey> => {
    await this.#fresh()
    const now = this.#now()
    let key = this.#keys.find((k) => k.kid === header.kid && k.expiresAt > now)
    if (key === undefined) {
      await this.#reload(false)
      key = this.#keys.find((k) => k.kid === header.kid && k.expiresAt > now)
    }
    if (key === undefined || key.alg !== header.alg) throw new Error('no matching key')
    return this.#cryptoKey(key)
  }

  /**
   * Rotates now: each chain's pending key (or a new one) starts signing at once.
   * Scheduled rotation needs no call; this is for a suspected key compromise.
   */
  async rotateNow(): Promise<void> {
    await this.#reload(false)
    const now = this.#now()
    for (const alg of this.#algorithms) {
      const pending = this.#keys.find((k) => k.alg === alg && k.activatesAt > now)
      if (pending !== undefined) await this.#store.put({ ...stored(pending), activatesAt: now })
      else await this.#store.put(await generate(alg, now, now))
    }
    await this.#reload(true)
  }

  /** Runs due rotation work (kaapi's `checkAndRotateKeys`); signing and publishing run it on their own. */
  async checkAndRotateKeys(): Promise<void> {
    await this.#reload(true)
  }

  #active(alg: SigningAlgorithm, now: number): LoadedKey | undefined {
    let best: LoadedKey | undefined
    for (const k of this.#keys) {
      if (k.alg !== alg || k.activatesAt > now || k.expiresAt <= now) continue
      if (best === undefined || k.activatesAt > best.activatesAt || (k.activatesAt === best.activatesAt && k.kid > best.kid)) best = k
    }
    return best
  }

  async #fresh(): Promise<void> {
    const now = this.#now()
    if (now - this.#loadedAt < RELOAD_AFTER_MS && this.#algorithms.every((alg) => !this.#dueForSuccessor(alg, now))) return
    await this.#reload(true)
  }

  #dueForSuccessor(alg: SigningAlgorithm, now: number): boolean {
    const active = this.#active(alg, now)
    if (active === undefined) return true
    const hasPending = this.#keys.some((k) => k.alg === alg && k.activatesAt > now)
    return !hasPending && now >= active.activatesAt + this.#interval - this.#prepublish
  }

  /** Reads the store and, when `maintain`, generates missing or due keys and drops expired ones. Single-flight. */
  #reload(maintain: boolean): Promise<void> {
    this.#loading ??= this.#doReload(maintain).finally(() => {
      this.#loading = undefined
    })
    return this.#loading
  }

  async #doReload(maintain: boolean): Promise<void> {
    let keys = withExpiry(await this.#store.list(), this.#retention)
    if (maintain) {
      const now = this.#now()
      let changed = false
      for (const key of keys) {
        if (key.expiresAt <= now) {
          await this.#store.delete(key.kid)
          this.#cryptoKeys.delete(key.kid)
          changed = true
        }
      }
      keys = keys.filter((k) => k.expiresAt > now)
      for (const alg of this.#algorithms) {
        const chain = keys.filter((k) => k.alg === alg)
        const active = chain.filter((k) => k.activatesAt <= now).sort((a, b) => b.activatesAt - a.activatesAt)[0]
        const pending = chain.some((k) => k.activatesAt > now)
        if (active === undefined && !pending) {
          // The very first key signs at once: nobody can have cached a JWKS without it.
          await this.#store.put(await generate(alg, now, now))
          changed = true
        } else if (active !== undefined && !pending && now >= active.activatesAt + this.#interval - this.#prepublish) {
          const activatesAt = Math.max(active.activatesAt + this.#interval, now + this.#prepublish)
          await this.#store.put(await generate(alg, now, activatesAt))
          changed = true
        }
      }
      if (changed) keys = withExpiry(await this.#store.list(), this.#retention).filter((k) => k.expiresAt > now)
    }
    this.#keys = keys
    this.#loadedAt = this.#now()
  }

  #cryptoKey(key: LoadedKey): Promise<CryptoKey> {
    let promise = this.#cryptoKeys.get(key.kid)
    if (promise === undefined) {
      promise = importJWK(key.privateJwk, key.alg) as Promise<CryptoKey>
      this.#cryptoKeys.set(key.kid, promise)
    }
    return promise
  }
}

/** A superseded key expires `retention` after its successor starts signing. */
function withExpiry(keys: StoredSigningKey[], retention: number): LoadedKey[] {
  return keys.map((key) => {
    let successor = Infinity
    for (const other of keys) {
      if (other.alg === key.alg && other.kid !== key.kid && other.activatesAt > key.activatesAt && other.activatesAt < successor) {
        successor = other.activatesAt
      }
    }
    return { ...key, expiresAt: successor + retention }
  })
}

function stored(key: LoadedKey): StoredSigningKey {
  const { expiresAt: _expiresAt, ...rest } = key
  return rest
}

async function generate(alg: SigningAlgorithm, now: number, activatesAt: number): Promise<StoredSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) })
  const publicJwk = await exportJWK(publicKey)
  const privateJwk = await exportJWK(privateKey)
  const kid = await calculateJwkThumbprint(publicJwk)
  return { kid, alg, privateJwk, publicJwk, createdAt: now, activatesAt }
}
