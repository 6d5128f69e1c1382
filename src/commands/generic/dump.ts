/**
 * DUMP and RESTORE (cluster.c): a value serialized as in an RDB file (its type byte and
 * rdbSaveObject's bytes), followed by the RDB version (2 bytes, little endian) and the CRC-64 of
 * everything before it (8 bytes, little endian).
 */
import type { Client } from '../../server/client';
import type { RedisValue } from '../../keyspace/value';
import { Errors } from '../../protocol/errors';
import { isCOption, parseLong } from '../arguments';
import { liveValue, lookupForRead } from './access';
import { RdbWriter } from '../../persistence/rdb/writer';
import { RdbInput } from '../../persistence/rdb/rdb-input';
import { RDB_VERSION } from '../../persistence/rdb/rdb-constants';
import { Crc64 } from '../../persistence/rdb/crc64';
import { isObjectType, loadLimitsFrom, readObject } from '../../persistence/rdb/value-loader';
import { lruMetaFor } from '../../persistence/rdb-file';
import { lfuInitialMeta } from '../../keyspace/access-clock';
import { latin1Slice } from '../../persistence/rdb/latin1';

const BUSY_KEY = 'BUSYKEY Target key name already exists.';
const BAD_PAYLOAD = 'ERR DUMP payload version or checksum are wrong';
const BAD_FORMAT = 'ERR Bad data format';

/** The DUMP payload of a value (createDumpPayload). */
export function dumpPayload(value: RedisValue, compression: boolean): Buffer {
  const chunks: Buffer[] = [];
  new RdbWriter((chunk) => chunks.push(chunk), { compression, checksum: false }).typedObject(value);
  const body = Buffer.concat([...chunks, Buffer.from([RDB_VERSION & 0xff, RDB_VERSION >> 8])]);
  return Buffer.concat([body, new Crc64().update(body).toBuffer()]);
}

/** verifyDumpPayload: at least the 10-byte footer, a version we read, a matching CRC. */
function payloadValid(payload: Buffer): boolean {
  if (payload.length < 10) return false;
  const footer = payload.length - 10;
  const version = payload[footer] | (payload[footer + 1] << 8);
  if (version > RDB_VERSION) return false;
  return new Crc64().update(payload, 0, payload.length - 8).matches(payload, payload.length - 8);
}

/** The value a payload holds, or null when it does not parse (or is an empty collection). */
function loadPayload(c: Client, payload: Buffer): RedisValue | null {
  const input = new RdbInput(payload, 0, payload.length - 10);
  try {
    const type = input.byte();
    if (!isObjectType(type)) return null;
    return readObject(input, type, loadLimitsFrom(c.server.config));
  } catch {
    return null;
  }
}

function dump(c: Client, argv: string[]): void {
  const value = lookupForRead(c, argv[1]);
  if (value === undefined) return c.reply.nullBulk();
  const payload = dumpPayload(value, c.server.config.getBool('rdbcompression'));
  c.reply.bulk(latin1Slice(payload, 0, payload.length));
}

interface RestoreOptions {
  replace: boolean;
  absTtl: boolean;
  lruIdle: number;
  lfuFreq: number;
}

/** REPLACE, ABSTTL, IDLETIME seconds, FREQ frequency (IDLETIME and FREQ exclude each other). */
function parseRestoreOptions(c: Client, argv: string[]): RestoreOptions | null {
  const options: RestoreOptions = { replace: false, absTtl: false, lruIdle: -1, lfuFreq: -1 };
  for (let j = 4; j < argv.length; j++) {
    const more = argv.length - j - 1;
    if (isCOption(argv[j], 'REPLACE')) {
      options.replace = true;
    } else if (isCOption(argv[j], 'ABSTTL')) {
      options.absTtl = true;
    } else if (isCOption(argv[j], 'IDLETIME') && more >= 1 && options.lfuFreq === -1) {
      const idle = parseLong(argv[++j]);
      if (idle === null) return c.reply.error(Errors.notInteger), null;
      if (idle < 0) return c.reply.error('ERR Invalid IDLETIME value, must be >= 0'), null;
      options.lruIdle = idle;
    } else if (isCOption(argv[j], 'FREQ') && more >= 1 && options.lruIdle === -1) {
      const freq = parseLong(argv[++j]);
      if (freq === null) return c.reply.error(Errors.notInteger), null;
      if (freq < 0 || freq > 255) return c.reply.error('ERR Invalid FREQ value, must be >= 0 and <= 255'), null;
      options.lfuFreq = freq;
    } else {
      return c.reply.error(Errors.syntax), null;
    }
  }
  return options;
}

/** objectSetLRUOrLFU: the key's access metadata from IDLETIME or FREQ, when the policy uses it. */
function applyAccessMeta(c: Client, key: string, options: RestoreOptions): void {
  const keyspace = c.server.keyspace;
  const now = keyspace.now();
  if (keyspace.lfuMode) {
    if (options.lfuFreq >= 0) c.db.table.setMeta(key, ((lfuInitialMeta(now) & ~0xff) | options.lfuFreq) >>> 0);
  } else if (options.lruIdle >= 0) {
    c.db.table.setMeta(key, lruMetaFor(options.lruIdle, now));
  }
}

function restore(c: Client, argv: string[]): void {
  const key = argv[1];
  const options = parseRestoreOptions(c, argv);
  if (options === null) return;
  const db = c.db;
  if (!options.replace && liveValue(db, key) !== undefined) return c.reply.error(BUSY_KEY);
  let ttl = parseLong(argv[2]);
  if (ttl === null) return c.reply.error(Errors.notInteger);
  if (ttl < 0) return c.reply.error('ERR Invalid TTL value, must be >= 0');
  const payload = Buffer.from(argv[3], 'latin1');
  if (!payloadValid(payload)) return c.reply.error(BAD_PAYLOAD);
  const value = loadPayload(c, payload);
  if (value === null) return c.reply.error(BAD_FORMAT);

  const deleted = options.replace && db.delete(key);
  const now = c.server.keyspace.now();
  if (ttl !== 0 && !options.absTtl) ttl += now;
  if (ttl !== 0 && ttl <= now) {
    // Already expired: the key is not created (a replaced one is gone, as a DEL).
    if (deleted) {
      c.server.dispatcher.alsoPropagate([c.server.config.getBool('lazyfree-lazy-server-del') ? 'UNLINK' : 'DEL', key]);
      c.server.notify('g', 'del', key, db.id);
    }
    return c.reply.ok();
  }
  db.set(key, value);
  if (ttl !== 0) {
    db.setExpire(key, ttl);
    if (!options.absTtl) c.server.dispatcher.alsoPropagate([argv[0], key, String(ttl), ...argv.slice(3), 'ABSTTL']);
  }
  applyAccessMeta(c, key, options);
  c.server.notify('g', 'restore', key, db.id);
  c.reply.ok();
}

export const dumpHandlers = { dump, restore };
