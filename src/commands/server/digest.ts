/**
 * DEBUG DIGEST and DEBUG DIGEST-VALUE: Redis's SHA1-based signature of the dataset, computed the
 * same way so that the same data gives the same hex string on Nodis and on redis-server.
 *
 * A key's digest mixes (order-dependent) its name, its type and its value, and xors in a marker
 * when the key has a TTL; the dataset digest xors (order-independent) every key's digest, after
 * mixing in each non-empty database's number.
 *
 * Collection types add their own content by registering a ValueDigester (list elements are mixed
 * in order, set members xored, hash fields and zset members digested as pairs and xored; see
 * xorObjectDigest in Redis's debug.c).
 */
import { createHash } from 'node:crypto';
import type { Database } from '../../keyspace/database';
import type { Keyspace } from '../../keyspace/keyspace';
import { isStringValue, stringOf, typeOf, type RedisType, type RedisValue, type StringValue } from '../../keyspace/value';

export const DIGEST_LENGTH = 20;

/** Redis's object type numbers (OBJ_STRING ...), hashed into each key's digest. */
const TYPE_NUMBER: Record<RedisType, number> = { string: 0, list: 1, set: 2, zset: 3, hash: 4, stream: 6 };

function sha1(data: Buffer): Buffer {
  return createHash('sha1').update(data).digest();
}

const bytes = (s: string | Buffer): Buffer => (typeof s === 'string' ? Buffer.from(s, 'latin1') : s);

/** xorDigest: digest ^= SHA1(data). */
export function xorDigest(digest: Buffer, data: string | Buffer): void {
  const hash = sha1(bytes(data));
  for (let i = 0; i < DIGEST_LENGTH; i++) digest[i] ^= hash[i];
}

/** mixDigest: digest = SHA1(digest ^ SHA1(data)), so the order of mixing matters. */
export function mixDigest(digest: Buffer, data: string | Buffer): void {
  xorDigest(digest, data);
  sha1(digest).copy(digest);
}

/** Adds a collection value's content to its key's digest. */
export type ValueDigester = (digest: Buffer, value: RedisValue) => void;

const digesters = new Map<RedisType, ValueDigester>([
  ['string', (digest, value) => mixDigest(digest, stringOf(value as StringValue))],
]);

export function registerValueDigester(type: RedisType, digester: ValueDigester): void {
  digesters.set(type, digester);
}

function uint32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** xorObjectDigest: the type, the value and the TTL marker, added to `digest`. */
function addValueDigest(digest: Buffer, db: Database, key: string, value: RedisValue): void {
  const type = isStringValue(value) ? 'string' : typeOf(value);
  mixDigest(digest, uint32be(TYPE_NUMBER[type]));
  digesters.get(type)?.(digest, value);
  if (db.getExpire(key) !== undefined) xorDigest(digest, '!!expire!!');
}

/** DEBUG DIGEST-VALUE for one key: zeros when it does not exist (expired keys still count). */
export function valueDigest(db: Database, key: string): Buffer {
  const digest = Buffer.alloc(DIGEST_LENGTH);
  const value = db.peek(key);
  if (value !== undefined) addValueDigest(digest, db, key, value);
  return digest;
}

/** DEBUG DIGEST: the whole dataset; zeros when it is empty. */
export function datasetDigest(keyspace: Keyspace): Buffer {
  const final = Buffer.alloc(DIGEST_LENGTH);
  for (const db of keyspace.databases) {
    if (db.size === 0) continue;
    mixDigest(final, uint32be(db.id));
    db.table.forEach((key, value) => {
      const digest = Buffer.alloc(DIGEST_LENGTH);
      mixDigest(digest, key);
      addValueDigest(digest, db, key, value);
      xorDigest(final, digest);
    });
  }
  return final;
}
