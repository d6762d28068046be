import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK, type JWSHeaderParameters } from 'jose'
import { SIGNING_ALGORITHMS, type KeyStore, type SigningAlgorithm, type StoredSigningKey } from './key-store.js'
import { checkStoredKeys, type CheckedKey } from './stored-keys.js'

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

interface LoadedKey extends CheckedKey {
  /** When the key leaves the JWKS (epoch ms); `Infinity` while no successor is active. */
  expiresAt: number
}

/** One read of the key store: the one in flight, or the one queued to start after it. */
interface StoreRead {
  maintain: boolean
  promise: Promise<void>
}

/** An imported key, with the JWK it came from (a store repaired under the same kid is imported again). */
interface Imported {
  alg: SigningAlgorithm
  jwk: JWK
  key: Promise<CryptoKey>
}

const DAY = 24 * 60 * 60 * 1000
/** How long a loaded key set is trusted before the store is read again (other instances may rotate). */
const RELOAD_AFTER_MS = 30_000
/** A token naming a kid we do not know re-reads the store at most this often (jose's createRemoteJWKSet cooldown). */
const UNKNOWN_KID_COOLDOWN_MS = 30_000
/**
 * How long after a key starts signing without full pre-publication (a chain's first key, rotateKeys())
 * the key set is unsettled: other instances sharing the store may have started a key of their own at
 * the same moment, or learn of this one only at their next read (within RELOAD_AFTER_MS).
 */
const SETTLE_MS = 2 * RELOAD_AFTER_MS
/** While unsettled, the store is re-read this often, so instances converge on one signing key quickly. */
const SETTLE_RELOAD_AFTER_MS = 1_000
/** The longest a JWKS response may be cached, in seconds. */
const MAX_JWKS_MAX_AGE = 300
/** The public members of each key type (RFC 7518 §6): nothing else is ever published. */
const PUBLIC_MEMBERS: Readonly<Record<string, readonly (keyof JWK)[]>> = {
  RSA: ['kty', 'n', 'e'],
  EC: ['kty', 'crv', 'x', 'y'],
  OKP: ['kty', 'crv', 'x'],
}

/**
 * Keeps one signing-key chain per algorithm in a {@link KeyStore}, with automatic rotation:
 * a successor is generated and published `prepublishMs` before it starts signing (so caches of the
 * JWKS learn it first), and a superseded key stays published for `retentionMs`, so tokens it signed
 * remain verifiable. Rotation happens lazily when keys are used: the core runs no timers.
 */
export class KeyManager {
  readonly #store: KeyStore
  /** Configured algorithms, plus any a client's registration asked for since (ID tokens). */
  readonly #algorithms: SigningAlgorithm[]
  readonly #interval: number
  readonly #prepublish: number
  readonly #retention: number
  readonly #now: () => number
  #keys: LoadedKey[] = []
  /** When the read that gave `#keys` started: it saw every key put before then. */
  #loadedAt = -Infinity
  #reading: StoreRead | undefined
  #queued: StoreRead | undefined
  #unknownKidReadAt = -Infinity
  #unknownKidRead: Promise<void> | undefined
  readonly #signingKeys = new Map<string, Imported>()
  /** The last answer of signingKey() per algorithm, for as long as it stays the answer (see there). */
  readonly #ready = new Map<SigningAlgorithm, { answer: Promise<ActiveSigningKey>; key: ActiveSigningKey; keys: LoadedKey[]; from: number; until: number }>()
  readonly #verificationKeys = new Map<string, Imported>()

  constructor(options: { store: KeyStore; algorithms: readonly SigningAlgorithm[]; rotation?: KeyRotationOptions; now: () => number }) {
    this.#store = options.store
    this.#algorithms = [...new Set(options.algorithms)]
    this.#interval = options.rotation?.intervalMs ?? 30 * DAY
    if (!(this.#interval > 0)) throw new TypeError('Key rotation intervalMs must be a positive number of milliseconds.')
    const prepublish = options.rotation?.prepublishMs ?? DAY
    if (!(prepublish >= 0)) throw new TypeError('Key rotation prepublishMs must be zero or a positive number of milliseconds.')
    this.#prepublish = Math.min(prepublish, this.#interval / 2)
    this.#retention = options.rotation?.retentionMs ?? this.#interval
    if (!(this.#retention >= 0)) throw new TypeError('Key rotation retentionMs must be zero or a positive number of milliseconds.')
    this.#now = options.now
  }

  /** The algorithms this manager keeps keys for. */
  get algorithms(): readonly SigningAlgorithm[] {
    return this.#algorithms
  }

  /**
   * How long (seconds) a copy of the JWKS may be cached so that every copy lists a new key before
   * it starts signing: at most the pre-publication window (a successor is published at least that
   * long before it signs), and at most 300 s. 0 while the key set is unsettled (see {@link SETTLE_MS}):
   * another instance may sign with a key this copy lacks, so no cache may keep it.
   */
  get jwksMaxAge(): number {
    if (this.#unsettled(this.#now())) return 0
    return Math.min(MAX_JWKS_MAX_AGE, Math.floor(this.#prepublish / 1000))
  }

  /**
   * The key that signs now with `alg`. Every token request with a JWT asks: until the key set next
   * needs looking at (a reload is due, a pending key activates, a successor is due), the answer is
   * the same settled promise, with no store read and nothing allocated.
   */
  signingKey(alg: SigningAlgorithm): Promise<ActiveSigningKey> {
    return this.#readyFor(alg)?.answer ?? this.#resolveSigningKey(alg)
  }

  /**
   * {@link signingKey}'s answer when it is known without waiting, else `undefined`: a signature can
   * then start at once (it runs on the thread pool while the caller goes on with its store writes).
   */
  currentSigningKey(alg: SigningAlgorithm): ActiveSigningKey | undefined {
    return this.#readyFor(alg)?.key
  }

  #readyFor(alg: SigningAlgorithm): { answer: Promise<ActiveSigningKey>; key: ActiveSigningKey } | undefined {
    const ready = this.#ready.get(alg)
    if (ready === undefined || ready.keys !== this.#keys) return undefined
    const now = this.#now()
    return now >= ready.from && now < ready.until ? ready : undefined
  }

  async #resolveSigningKey(alg: SigningAlgorithm): Promise<ActiveSigningKey> {
    if (!SIGNING_ALGORITHMS.includes(alg)) throw new Error(`Unsupported signing algorithm ${String(alg)}; use one of ${SIGNING_ALGORITHMS.join(', ')}.`)
    // A client registered for another algorithm (id_token_signed_response_alg): start a chain for it.
    if (!this.#algorithms.includes(alg)) this.#algorithms.push(alg)
    await this.#fresh()
    const now = this.#now()
    let active = this.#active(alg, now)
    if (active === undefined) {
      await this.#reload(true)
      active = this.#active(alg, now)
    }
    if (active === undefined) throw new Error(`No signing key for ${alg} could be loaded from the key store.`)
    const answer: ActiveSigningKey = { kid: active.kid, alg, key: await this.#signingCryptoKey(active) }
    // Valid while #fresh() would not reload and #active() would pick the same key.
    const keys = this.#keys
    let until = this.#loadedAt + this.#reloadAfter(now)
    for (const chain of this.#algorithms) until = Math.min(until, this.#nextChange(chain, now))
    if (until > now) this.#ready.set(alg, { answer: Promise.resolve(answer), key: answer, keys, from: now, until })
    return answer
  }

  /** When a successor of `active` must be generated: `prepublish` before `active` has signed for `interval`. */
  #successorDueAt(active: StoredSigningKey): number {
    return active.activatesAt + this.#interval - this.#prepublish
  }

  /** When the signing key of `alg` may change or its chain needs maintenance: a pending key activates, or a successor is due. */
  #nextChange(alg: SigningAlgorithm, now: number): number {
    const active = this.#active(alg, now)
    if (active === undefined) return now
    let next = active.expiresAt
    let pending = false
    for (const k of this.#keys) {
      if (k.alg !== alg || k.activatesAt <= now) continue
      pending = true
      next = Math.min(next, k.activatesAt)
    }
    return pending ? next : Math.min(next, this.#successorDueAt(active))
  }

  /** The public keys to publish (RFC 7517 JWK Set), newest first, including pre-published ones. */
  async jwks(): Promise<{ keys: JWK[] }> {
    await this.#fresh()
    const now = this.#now()
    return {
      keys: this.#keys
        .filter((k) => k.publishable && k.expiresAt > now)
        .sort((a, b) => b.activatesAt - a.activatesAt)
        .map((k) => ({ ...publicMembers(k.publicJwk), kid: k.kid, alg: k.alg, use: 'sig' })),
    }
  }

  /** jose key resolver for verifying tokens this provider signed (any published key). */
  readonly getVerificationKey = async (header: JWSHeaderParameters): Promise<CryptoKey> => {
    await this.#fresh()
    let key = this.#published(header.kid)
    if (key === undefined && typeof header.kid === 'string') {
      // Maybe a key another instance just created; anyone can send a made-up kid, hence the cooldown.
      await this.#readForUnknownKid()
      key = this.#published(header.kid)
    }
    if (key === undefined || key.alg !== header.alg) throw new Error('no matching key')
    return this.#verificationCryptoKey(key)
  }

  #published(kid: unknown): LoadedKey | undefined {
    if (typeof kid !== 'string') return undefined
    const now = this.#now()
    return this.#keys.find((k) => k.kid === kid && k.publishable && k.expiresAt > now)
  }

  /** At most one store read per UNKNOWN_KID_COOLDOWN_MS for unknown kids; requests meanwhile share it. */
  #readForUnknownKid(): Promise<void> {
    if (this.#unknownKidRead !== undefined) return this.#unknownKidRead
    const now = this.#now()
    if (now - this.#unknownKidReadAt < UNKNOWN_KID_COOLDOWN_MS) return Promise.resolve()
    this.#unknownKidReadAt = now
    const read = this.#reload(false).finally(() => {
      this.#unknownKidRead = undefined
    })
    this.#unknownKidRead = read
    return read
  }

  /**
   * Rotates now: each chain's pending key (or a new one) starts signing at once.
   * Scheduled rotation needs no call; this is for a suspected key compromise.
   */
  async rotateNow(): Promise<void> {
    await this.#reload(false)
    const now = this.#now()
    for (const alg of this.#algorithms) {
      // Keys already active since this very millisecond would tie with the new one (the newest
      // activation signs), so they are moved one millisecond back: the new key wins at once.
      for (const key of this.#keys) {
        if (key.alg === alg && key.activatesAt === now) {
          await this.#store.put({ ...stored(key), activatesAt: now - 1, createdAt: Math.min(key.createdAt, now - 1) })
        }
      }
      const pending = this.#keys.filter((k) => k.alg === alg && k.activatesAt > now).sort((a, b) => a.activatesAt - b.activatesAt)[0]
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
    if (now - this.#loadedAt < this.#reloadAfter(now) && this.#algorithms.every((alg) => !this.#dueForSuccessor(alg, now))) return
    await this.#reload(true, true)
  }

  #reloadAfter(now: number): number {
    return this.#unsettled(now) ? SETTLE_RELOAD_AFTER_MS : RELOAD_AFTER_MS
  }

  /** Whether a key started signing less than SETTLE_MS ago without being published for the whole prepublish window first. */
  #unsettled(now: number): boolean {
    return this.#keys.some((k) => k.activatesAt <= now && now < k.activatesAt + SETTLE_MS && k.activatesAt - k.createdAt < this.#prepublish)
  }

  #dueForSuccessor(alg: SigningAlgorithm, now: number): boolean {
    const active = this.#active(alg, now)
    if (active === undefined) return true
    const hasPending = this.#keys.some((k) => k.alg === alg && k.activatesAt > now)
    return !hasPending && now >= this.#successorDueAt(active)
  }

  /**
   * Reads the store and, when `maintain`, generates missing or due keys and drops expired ones.
   * One read at a time, and the caller gets one that starts after its call: a read begun before
   * may predate the caller's own `put` (rotateKeys()) or skip the maintenance it asked for. Callers
   * that arrive during a read share the one queued after it. Only `joinInFlight` callers (a copy
   * that is merely old) may share the read in flight.
   */
  #reload(maintain: boolean, joinInFlight = false): Promise<void> {
    const reading = this.#reading
    if (joinInFlight && reading !== undefined && (reading.maintain || !maintain)) return reading.promise
    const queued = this.#queued
    if (queued !== undefined) {
      queued.maintain ||= maintain
      return queued.promise
    }
    if (reading === undefined) return this.#startRead(maintain)
    const next: StoreRead = { maintain, promise: Promise.resolve() }
    next.promise = reading.promise.then(noop, noop).then(() => {
      this.#queued = undefined
      return this.#startRead(next.maintain)
    })
    this.#queued = next
    return next.promise
  }

  #startRead(maintain: boolean): Promise<void> {
    const read: StoreRead = { maintain, promise: Promise.resolve() }
    read.promise = this.#doReload(maintain).finally(() => {
      if (this.#reading === read) this.#reading = undefined
    })
    this.#reading = read
    return read.promise
  }

  #withExpiry(keys: CheckedKey[]): LoadedKey[] {
    return withExpiry(keys, this.#retention, this.#interval, this.#algorithms)
  }

  async #doReload(maintain: boolean): Promise<void> {
    const startedAt = this.#now()
    let keys = this.#withExpiry(checkStoredKeys(await this.#store.list()))
    if (maintain) {
      const now = this.#now()
      let changed = false
      for (const key of keys) {
        if (key.expiresAt <= now) {
          await this.#store.delete(key.kid)
          this.#signingKeys.delete(key.kid)
          this.#verificationKeys.delete(key.kid)
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
        } else if (active !== undefined && !pending && now >= this.#successorDueAt(active)) {
          const activatesAt = Math.max(active.activatesAt + this.#interval, now + this.#prepublish)
          await this.#store.put(await generate(alg, now, activatesAt))
          changed = true
        }
      }
      if (changed) keys = this.#withExpiry(checkStoredKeys(await this.#store.list())).filter((k) => k.expiresAt > now)
    }
    this.#keys = keys
    this.#loadedAt = startedAt
  }

  #signingCryptoKey(key: LoadedKey): Promise<CryptoKey> {
    return cached(this.#signingKeys, key, key.privateJwk, (jwk) => importJWK(jwk, key.alg) as Promise<CryptoKey>)
  }

  /** jose verifies only with a public key: a private `CryptoKey` is refused for verification. */
  #verificationCryptoKey(key: LoadedKey): Promise<CryptoKey> {
    return cached(this.#verificationKeys, key, key.publicJwk, (jwk) => importJWK(publicMembers(jwk), key.alg) as Promise<CryptoKey>)
  }
}

function noop(): void {}

/** The imported `jwk` of `key`, imported once per kid, again when the store's JWK for it changed. */
function cached(map: Map<string, Imported>, key: LoadedKey, jwk: JWK, load: (jwk: JWK) => Promise<CryptoKey>): Promise<CryptoKey> {
  const hit = map.get(key.kid)
  if (hit !== undefined && hit.alg === key.alg && (hit.jwk === jwk || JSON.stringify(hit.jwk) === JSON.stringify(jwk))) return hit.key
  const entry: Imported = { alg: key.alg, jwk, key: load(jwk) }
  map.set(key.kid, entry)
  // A failed import is not remembered: once the store entry is repaired, the next use imports it again.
  entry.key.catch(() => {
    if (map.get(key.kid) === entry) map.delete(key.kid)
  })
  return entry.key
}

/** Only the public members of a JWK, whatever a store returned (RFC 7517 §4, RFC 7518 §6). */
function publicMembers(jwk: JWK): JWK {
  const members = PUBLIC_MEMBERS[jwk.kty ?? ''] ?? []
  const result: Record<string, unknown> = {}
  for (const name of members) if (jwk[name] !== undefined) result[name] = jwk[name]
  return result as JWK
}

/**
 * A superseded key expires `retention` after its successor starts signing. A key's successor is
 * any key that wins over it in `#active`: a later activation, or the same one with a greater kid
 * (two instances that started a chain at the same moment). The newest key of a chain no longer
 * maintained here (its algorithm was configured off) counts as superseded when its successor
 * would have started, `interval` after it did: any instance still maintaining the chain has put
 * that successor by then.
 */
function withExpiry(keys: CheckedKey[], retention: number, interval: number, maintained: readonly SigningAlgorithm[]): LoadedKey[] {
  return keys.map((key) => {
    let successor = Infinity
    for (const other of keys) {
      if (other.alg !== key.alg || other.kid === key.kid) continue
      if (other.activatesAt > key.activatesAt || (other.activatesAt === key.activatesAt && other.kid > key.kid)) successor = Math.min(successor, other.activatesAt)
    }
    if (successor === Infinity && !maintained.includes(key.alg)) successor = key.activatesAt + interval
    return { ...key, expiresAt: successor + retention }
  })
}

function stored(key: LoadedKey): StoredSigningKey {
  const { expiresAt: _expiresAt, publishable: _publishable, ...rest } = key
  return rest
}

async function generate(alg: SigningAlgorithm, now: number, activatesAt: number): Promise<StoredSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) })
  const publicJwk = await exportJWK(publicKey)
  const privateJwk = await exportJWK(privateKey)
  const kid = await calculateJwkThumbprint(publicJwk)
  return { kid, alg, privateJwk, publicJwk, createdAt: now, activatesAt }
}
