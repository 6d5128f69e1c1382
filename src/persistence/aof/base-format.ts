/**
 * The two forms of an AOF base file, behind one interface the rewrite writes through:
 * - RDB (aof-use-rdb-preamble yes, the default): an RDB file with the aof-base aux field;
 * - AOF commands (aof-use-rdb-preamble no), as rewriteAppendOnlyFileRio writes them: per
 *   database a SELECT, then per key SET / RPUSH / SADD / ZADD / HMSET in batches of 64 items
 *   (AOF_REWRITE_ITEMS_PER_CMD), streams as stream-rewrite.ts writes them, and a PEXPIREAT for
 *   a key with a TTL.
 */
import { formatDouble } from '../../protocol/format-double';
import { isStringValue, stringOf, type RedisValue } from '../../keyspace/value';
import type { Quicklist } from '../../types/quicklist';
import type { SetValue } from '../../types/set';
import type { HashValue } from '../../types/hash';
import type { SortedSet } from '../../types/zset';
import type { Stream } from '../../types/stream';
import { rewriteStreamCommands } from './stream-rewrite';
import type { Server } from '../../server/server';
import { RdbWriter, type EntryMeta, type RdbWriterOptions } from '../rdb/writer';
import { writerOptionsFor } from '../rdb-file';
import { encodeCommand, timestampAnnotation } from './aof-format';
import { functionLoadCommands, libraryCodes } from '../../scripting/functions-persistence';

/** A base file being written: the header, the databases and their entries, then the end. */
export interface BaseFormat {
  /** "rdb" or "aof": the base file's extension. */
  readonly extension: 'rdb' | 'aof';
  begin(): void;
  beginDb(dbIndex: number, keyCount: number, expiresCount: number): void;
  /** `meta`: the eviction data an RDB keeps with the key (commands have no place for it). */
  entry(key: string, value: RedisValue, expireAtMs: number | undefined, meta?: EntryMeta): void;
  finish(): void;
}

/** The base format the server's configuration asks for (aof-use-rdb-preamble). */
export function createBaseFormat(server: Server, write: (chunk: Buffer) => void): BaseFormat {
  const config = server.config;
  if (config.getBool('aof-use-rdb-preamble')) return new RdbBase(write, writerOptionsFor(server, true), libraryCodes(server));
  return new CommandBase(write, config.getBool('aof-timestamp-enabled'), functionLoadCommands(server));
}

class RdbBase implements BaseFormat {
  readonly extension = 'rdb';
  private readonly writer: RdbWriter;

  constructor(
    write: (chunk: Buffer) => void,
    options: RdbWriterOptions,
    /** Function libraries, written after the header. */
    private readonly libraries: string[] = [],
  ) {
    this.writer = new RdbWriter(write, options);
  }

  begin(): void {
    this.writer.header();
    for (const code of this.libraries) this.writer.functionLibrary(code);
  }

  beginDb(dbId: number, keyCount: number, expiresCount: number): void {
    this.writer.selectDb(dbId, keyCount, expiresCount);
  }

  entry(key: string, value: RedisValue, expireAtMs: number | undefined, meta?: EntryMeta): void {
    this.writer.entry(key, value, expireAtMs, meta);
  }

  finish(): void {
    this.writer.finish();
  }
}

/** Items per command in the command form (AOF_REWRITE_ITEMS_PER_CMD). */
const ITEMS_PER_COMMAND = 64;

/** Flush the text built so far to the file once it is this long. */
const CHUNK_CHARS = 64 * 1024;

class CommandBase implements BaseFormat {
  readonly extension = 'aof';
  private text = '';

  constructor(
    private readonly write: (chunk: Buffer) => void,
    private readonly timestamp: boolean,
    /** FUNCTION LOAD commands, written before the first SELECT. */
    private readonly functionLoads: string[][] = [],
  ) {}

  begin(): void {
    if (this.timestamp) this.text += timestampAnnotation(Math.floor(Date.now() / 1000));
    for (const argv of this.functionLoads) this.command(argv);
  }

  beginDb(dbId: number): void {
    this.command(['SELECT', String(dbId)]);
  }

  entry(key: string, value: RedisValue, expireAtMs: number | undefined): void {
    if (isStringValue(value)) {
      this.command(['SET', key, stringOf(value)]);
    } else {
      switch (value.type) {
        case 'list': {
          const items: string[] = [];
          (value as Quicklist).forEach((v) => items.push(v));
          this.batches('RPUSH', key, items, 1);
          break;
        }
        case 'set':
          this.batches('SADD', key, (value as SetValue).members(), 1);
          break;
        case 'zset': {
          const zset = value as SortedSet;
          const items: string[] = [];
          for (let i = 0; i < zset.size; i++) items.push(formatDouble(zset.scoreAt(i)), zset.memberAt(i));
          this.batches('ZADD', key, items, 2);
          break;
        }
        case 'hash': {
          const hash = value as HashValue;
          const items: string[] = [];
          for (let i = 0; i < hash.size; i++) items.push(hash.fieldAt(i), hash.valueAt(i));
          this.batches('HMSET', key, items, 2);
          break;
        }
        case 'stream':
          rewriteStreamCommands(key, value as Stream, (argv) => {
            this.command(argv);
            if (this.text.length >= CHUNK_CHARS) this.drain();
          });
          break;
        default:
          throw new Error(`Unknown object type ${value.type} in the AOF rewrite`);
      }
    }
    if (expireAtMs !== undefined) this.command(['PEXPIREAT', key, String(expireAtMs)]);
    if (this.text.length >= CHUNK_CHARS) this.drain();
  }

  finish(): void {
    this.drain();
  }

  /** `name key item...` commands of at most 64 items (an item is `width` arguments). */
  private batches(name: string, key: string, args: string[], width: number): void {
    const perCommand = ITEMS_PER_COMMAND * width;
    for (let i = 0; i < args.length; i += perCommand) {
      this.command([name, key, ...args.slice(i, i + perCommand)]);
    }
  }

  private command(argv: string[]): void {
    this.text += encodeCommand(argv);
  }

  private drain(): void {
    if (this.text === '') return;
    this.write(Buffer.from(this.text, 'latin1'));
    this.text = '';
  }
}
