/**
 * Stream entry commands: XADD, XTRIM, XDEL, XLEN, XRANGE, XREVRANGE and XSETID, as Redis 7.0's
 * t_stream.c parses, replies, notifies and propagates them.
 */
import type { Client } from '../../server/client';
import { Errors } from '../../protocol/errors';
import { isCOption, parseInt64, parseLong } from '../arguments';
import { readOfType } from '../lookup';
import { Stream, type TrimArgs } from '../../types/stream';
import { MAX_ID, MIN_ID, formatId, idFromHalves, idHalf, nextId, type ParsedId, type StreamId } from '../../types/stream-id';
import {
  cString,
  isReplayClient,
  nodeLimits,
  parseAddIdOrReply,
  parseIdOrReply,
  parseRangeBoundOrReply,
  replyRange,
  writeStream,
} from './common';

const MAXLEN_AND_MINID = 'ERR syntax error, MAXLEN and MINID options at the same time are not compatible';

interface AddTrimArgs {
  trim: TrimArgs | null;
  /** Index of the MAXLEN/MINID threshold argument (rewritten for propagation). */
  thresholdIndex: number;
  /** XADD: the ID argument's index and the parsed ID (null for "*"). */
  idIndex: number;
  id: ParsedId | null;
  noMkstream: boolean;
}

function parseLongLongOrReply(c: Client, arg: string): number | null {
  const n = parseLong(arg);
  if (n === null) c.reply.error(Errors.notInteger);
  return n;
}

/** streamParseAddOrTrimArgsOrReply: the options of XADD (up to the ID) or XTRIM. */
function parseAddOrTrimArgsOrReply(c: Client, argv: string[], xadd: boolean): AddTrimArgs | null {
  const args: AddTrimArgs = { trim: null, thresholdIndex: 0, idIndex: 0, id: null, noMkstream: false };
  let limit = 0;
  let limitGiven = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const moreArgs = argv.length - 1 - i;
    const opt = argv[i];
    if (xadd && cString(opt) === '*') break;
    if ((isCOption(opt, 'MAXLEN') || isCOption(opt, 'MINID')) && moreArgs > 0) {
      if (args.trim !== null) {
        c.reply.error(MAXLEN_AND_MINID);
        return null;
      }
      const byLength = isCOption(opt, 'MAXLEN');
      let approx = false;
      const next = cString(argv[i + 1]);
      if (moreArgs >= 2 && next === '~') {
        approx = true;
        i++;
      } else if (moreArgs >= 2 && next === '=') {
        i++;
      }
      const threshold = argv[i + 1];
      if (byLength) {
        const maxLen = parseLongLongOrReply(c, threshold);
        if (maxLen === null) return null;
        if (maxLen < 0) {
          c.reply.error('ERR The MAXLEN argument must be >= 0.');
          return null;
        }
        args.trim = { maxLen, approx, limit: 0 };
      } else {
        const minId = parseIdOrReply(c, threshold, false, true);
        if (minId === null) return null;
        args.trim = { minId, approx, limit: 0 };
      }
      i++;
      args.thresholdIndex = i;
    } else if (isCOption(opt, 'LIMIT') && moreArgs > 0) {
      const parsed = parseLongLongOrReply(c, argv[i + 1]);
      if (parsed === null) return null;
      if (parsed < 0) {
        c.reply.error('ERR The LIMIT argument must be >= 0.');
        return null;
      }
      limit = parsed;
      limitGiven = true;
      i++;
    } else if (xadd && isCOption(opt, 'NOMKSTREAM')) {
      args.noMkstream = true;
    } else if (xadd) {
      const id = parseAddIdOrReply(c, opt);
      if (id === null) return null;
      args.id = id;
      break;
    } else {
      c.reply.error(Errors.syntax);
      return null;
    }
  }
  args.idIndex = i;
  if (limit && args.trim === null) {
    c.reply.error('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
    return null;
  }
  if (!xadd && args.trim === null) {
    c.reply.error('ERR syntax error, XTRIM must be called with a trimming strategy');
    return null;
  }
  if (args.trim !== null && !isReplayClient(c)) {
    if (limitGiven) {
      if (!args.trim.approx) {
        c.reply.error('ERR syntax error, LIMIT cannot be used without the special ~ option');
        return null;
      }
      args.trim.limit = limit;
    } else if (args.trim.approx) {
      // At most 100 nodes' worth of work by default, capped both ways.
      const maxEntries = c.server.config.getNumber('stream-node-max-entries');
      let defaultLimit = 100 * maxEntries;
      if (defaultLimit <= 0) defaultLimit = 10000;
      if (defaultLimit > 1000000) defaultLimit = 1000000;
      args.trim.limit = defaultLimit;
    }
  }
  return args;
}

/**
 * The argv to propagate after an approximate trim: `~` becomes `=` and the threshold the
 * stream's resulting length (MAXLEN) or first ID (MINID), so replicas trim exactly as we did.
 */
function rewriteApproxTrim(argv: string[], args: AddTrimArgs, stream: Stream): string[] {
  const rewritten = argv.slice();
  rewritten[args.thresholdIndex - 1] = '=';
  rewritten[args.thresholdIndex] =
    args.trim!.maxLen !== undefined ? String(stream.length) : formatId(stream.firstIdIncludingDeleted());
  return rewritten;
}

/**
 * newEntryId's answer when "<ms>-*" names the last ID's ms and that ms has no sequence left
 * (Redis then replies "Elements are too large to be stored"). Never a StreamId: those have 16 chars.
 */
const SEQUENCE_EXHAUSTED = 'no sequence left';

/**
 * The ID streamAppendItem would give the new entry, null (EDOM: not above the top item) or
 * SEQUENCE_EXHAUSTED.
 */
function newEntryId(stream: Stream, given: ParsedId | null, now: number): StreamId | null {
  const last = stream.lastId;
  let id: StreamId | null;
  if (given === null) {
    // streamNextID: the clock's ms, or the last ID's successor if the clock is not past it.
    const lastMsHi = idHalf(last, 0);
    const nowHi = Math.floor(now / 0x100000000);
    const nowLo = now >>> 0;
    const clockAhead = nowHi > lastMsHi || (nowHi === lastMsHi && nowLo > idHalf(last, 1));
    id = clockAhead ? idFromHalves(nowHi, nowLo, 0, 0) : nextSeqId(last);
  } else if (!given.seqGiven) {
    // "<ms>-*": the next sequence within the last ID's ms, or 0 in a new ms.
    if (given.id.slice(0, 8) !== last.slice(0, 8)) {
      id = given.id;
    } else if (idHalf(last, 2) === 0xffffffff && idHalf(last, 3) === 0xffffffff) {
      return SEQUENCE_EXHAUSTED;
    } else {
      id = nextSeqId(last);
    }
  } else {
    id = given.id;
  }
  return id !== null && id > last ? id : null;
}

/** The ID after `id` (wrapping to 0-0 after the last possible one, which then fails the check). */
function nextSeqId(id: StreamId): StreamId {
  return nextId(id) ?? MIN_ID;
}

function xadd(c: Client, argv: string[]): void {
  const args = parseAddOrTrimArgsOrReply(c, argv, true);
  if (args === null) return;
  const fieldsFrom = args.idIndex + 1;
  const fieldArgs = argv.length - fieldsFrom;
  if (fieldArgs < 2 || fieldArgs % 2 === 1) return c.reply.error(Errors.wrongArgs('xadd'));
  if (args.id !== null && args.id.seqGiven && args.id.id === MIN_ID) {
    return c.reply.error('ERR The ID specified in XADD must be greater than 0-0');
  }
  const key = argv[1];
  const found = writeStream(c, key);
  if (found === null) return;
  if (found === undefined && args.noMkstream) return c.reply.nullBulk();
  const stream = found ?? new Stream();
  if (stream.lastId === MAX_ID) {
    return c.reply.error('ERR The stream has exhausted the last possible ID, unable to add more items');
  }
  const id = newEntryId(stream, args.id, c.server.keyspace.now());
  if (id === SEQUENCE_EXHAUSTED) return c.reply.error('ERR Elements are too large to be stored');
  if (id === null) {
    // Redis has created the key already (an empty stream stays).
    if (found === undefined) c.db.set(key, stream);
    return c.reply.error('ERR The ID specified in XADD is equal or smaller than the target stream top item');
  }
  stream.append(id, argv, fieldsFrom, nodeLimits(c));
  const idText = formatId(id);
  c.reply.bulk(idText);
  if (found === undefined) c.db.set(key, stream);
  c.server.notify('t', 'xadd', key, c.db.id);
  let propagated = argv;
  if (args.trim !== null) {
    if (stream.trim(args.trim) > 0) c.server.notify('t', 'xtrim', key, c.db.id);
    if (args.trim.approx) propagated = rewriteApproxTrim(argv, args, stream);
  }
  if (found !== undefined) c.db.modified(key);
  // A generated ID propagates as the ID itself (only built when something listens: AOF, replicas).
  if ((args.id === null || !args.id.seqGiven) && c.server.dispatcher.propagates) {
    if (propagated === argv) propagated = argv.slice();
    propagated[args.idIndex] = idText;
  }
  if (propagated !== argv) c.server.dispatcher.alsoPropagate(propagated);
}

function xtrim(c: Client, argv: string[]): void {
  const args = parseAddOrTrimArgsOrReply(c, argv, false);
  if (args === null) return;
  const key = argv[1];
  const stream = writeStream(c, key);
  if (stream === null) return;
  if (stream === undefined) return c.reply.integer(0);
  const deleted = stream.trim(args.trim!);
  if (deleted > 0) {
    c.server.notify('t', 'xtrim', key, c.db.id);
    if (args.trim!.approx) c.server.dispatcher.alsoPropagate(rewriteApproxTrim(argv, args, stream));
    c.db.modified(key);
    c.server.keyspace.dirty += deleted - 1;
  }
  c.reply.integer(deleted);
}

function xdel(c: Client, argv: string[]): void {
  const key = argv[1];
  const stream = writeStream(c, key);
  if (stream === null) return;
  if (stream === undefined) return c.reply.integer(0);
  // All IDs are checked first, so that the command is not executed half-way.
  const ids: StreamId[] = [];
  for (let i = 2; i < argv.length; i++) {
    const id = parseIdOrReply(c, argv[i], false, true);
    if (id === null) return;
    ids.push(id);
  }
  let deleted = 0;
  for (const id of ids) if (stream.deleteEntry(id)) deleted++;
  if (deleted > 0) {
    c.db.modified(key);
    c.server.notify('t', 'xdel', key, c.db.id);
    c.server.keyspace.dirty += deleted - 1;
  }
  c.reply.integer(deleted);
}

function xlen(c: Client, argv: string[]): void {
  const stream = readOfType<Stream>(c, argv[1], 'stream');
  if (stream === null) return;
  c.reply.integer(stream === undefined ? 0 : stream.length);
}

/** XRANGE key start end [COUNT n] and XREVRANGE key end start [COUNT n]. */
function rangeGeneric(c: Client, argv: string[], reverse: boolean): void {
  const start = parseRangeBoundOrReply(c, reverse ? argv[3] : argv[2], false);
  if (start === null) return;
  const end = parseRangeBoundOrReply(c, reverse ? argv[2] : argv[3], true);
  if (end === null) return;
  let count = -1;
  for (let i = 4; i < argv.length; i++) {
    if (isCOption(argv[i], 'COUNT') && i + 1 < argv.length) {
      const parsed = parseLongLongOrReply(c, argv[++i]);
      if (parsed === null) return;
      count = parsed < 0 ? 0 : parsed;
    } else {
      return c.reply.error(Errors.syntax);
    }
  }
  const stream = readOfType<Stream>(c, argv[1], 'stream');
  if (stream === null) return;
  if (stream === undefined) return c.reply.array(0);
  if (count === 0) return c.reply.nullArray();
  replyRange(c, stream, start, end, count === -1 ? 0 : count, reverse);
}

function xsetid(c: Client, argv: string[]): void {
  const id = parseIdOrReply(c, argv[2], false, true);
  if (id === null) return;
  let entriesAdded = -1;
  let maxDeletedId = MIN_ID;
  for (let i = 3; i < argv.length; i += 2) {
    const moreArgs = argv.length - 1 - i;
    if (isCOption(argv[i], 'ENTRIESADDED') && moreArgs > 0) {
      const parsed = parseInt64(argv[i + 1]);
      if (parsed === null) return c.reply.error(Errors.notInteger);
      if (parsed < 0n) return c.reply.error('ERR entries_added must be positive');
      entriesAdded = Number(parsed);
    } else if (isCOption(argv[i], 'MAXDELETEDID') && moreArgs > 0) {
      const parsed = parseIdOrReply(c, argv[i + 1], false, true);
      if (parsed === null) return;
      if (id < parsed) return c.reply.error('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
      maxDeletedId = parsed;
    } else {
      return c.reply.error(Errors.syntax);
    }
  }
  const key = argv[1];
  const stream = writeStream(c, key);
  if (stream === null) return;
  if (stream === undefined) return c.reply.error(Errors.noSuchKey);
  if (id < stream.maxDeletedId) {
    return c.reply.error('ERR The ID specified in XSETID is smaller than current max_deleted_entry_id');
  }
  if (stream.length > 0) {
    if (id < stream.edgeId(true)!) {
      return c.reply.error('ERR The ID specified in XSETID is smaller than the target stream top item');
    }
    if (entriesAdded !== -1 && stream.length > entriesAdded) {
      return c.reply.error('ERR The entries_added specified in XSETID is smaller than the target stream length');
    }
  }
  stream.lastId = id;
  if (entriesAdded !== -1) stream.entriesAdded = entriesAdded;
  if (maxDeletedId !== MIN_ID) stream.maxDeletedId = maxDeletedId;
  c.reply.ok();
  // Redis changes the stream without signalModifiedKey here.
  c.db.resized(key);
  c.server.keyspace.dirty++;
  c.server.notify('t', 'xsetid', key, c.db.id);
}

export const entryHandlers = {
  xadd,
  xtrim,
  xdel,
  xlen,
  xrange: (c: Client, argv: string[]) => rangeGeneric(c, argv, false),
  xrevrange: (c: Client, argv: string[]) => rangeGeneric(c, argv, true),
  xsetid,
};
