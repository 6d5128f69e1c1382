/**
 * Reading AOF commands from a file as loadSingleAppendOnlyFile does: complete commands, "#"
 * annotations, the end of file inside a command (truncated) told apart from bytes that are not
 * an AOF (format), arguments bigger than the read chunk, and the offset after each command.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CommandReader, type ReadOutcome } from '../../src/persistence/aof/command-reader';
import { encodeCommand } from '../../src/persistence/aof/aof-format';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-aof-reader-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Every outcome of reading `content`, up to and including the first non-command one. */
function readAll(content: string | Buffer): { outcomes: ReadOutcome[]; offsets: number[] } {
  const file = path.join(dir, 'f.aof');
  fs.writeFileSync(file, typeof content === 'string' ? Buffer.from(content, 'latin1') : content);
  const fd = fs.openSync(file, 'r');
  try {
    const reader = new CommandReader(fd);
    const outcomes: ReadOutcome[] = [];
    const offsets: number[] = [];
    for (;;) {
      const o = reader.next();
      outcomes.push(o);
      offsets.push(reader.offset);
      if (o.kind !== 'command') return { outcomes, offsets };
    }
  } finally {
    fs.closeSync(fd);
  }
}

const commands = (outcomes: ReadOutcome[]): string[][] => outcomes.flatMap((o) => (o.kind === 'command' ? [o.argv] : []));
const last = (outcomes: ReadOutcome[]): string => outcomes[outcomes.length - 1].kind;

describe('CommandReader', () => {
  test('commands, binary arguments, empty arguments, annotations, and the offset after each', () => {
    const a = encodeCommand(['SET', 'k\r\n\x00', '\xff']);
    const b = encodeCommand(['SET', '', '']);
    const { outcomes, offsets } = readAll(`#TS:1700000000\r\n${a}${b}`);
    expect(commands(outcomes)).toEqual([['SET', 'k\r\n\x00', '\xff'], ['SET', '', '']]);
    expect(last(outcomes)).toBe('end');
    const start = '#TS:1700000000\r\n'.length;
    expect(offsets).toEqual([start + a.length, start + a.length + b.length, start + a.length + b.length]);
  });

  test('an empty file ends at once', () => {
    expect(readAll('').outcomes).toEqual([{ kind: 'end' }]);
  });

  test('every proper prefix of a command is "truncated", never "format"', () => {
    const text = encodeCommand(['RPUSH', 'list', 'a', 'bcdef']);
    for (let cut = 1; cut < text.length; cut++) {
      const { outcomes } = readAll(encodeCommand(['PING']) + text.slice(0, cut));
      expect(commands(outcomes), `cut ${cut}`).toEqual([['PING']]);
      expect(last(outcomes), `cut ${cut}`).toBe('truncated');
    }
  });

  test('what is not an AOF is "format"', () => {
    for (const bad of ['SET k v\r\n', '*0\r\n', '*-1\r\n', '*\r\n', '*x\r\n', '*1\r\nSET\r\n', '*1\r\n$-1\r\n']) {
      expect(last(readAll(bad).outcomes), JSON.stringify(bad)).toBe('format');
    }
  });

  test('like Redis, the two bytes after a bulk are taken as its CRLF without looking at them', () => {
    expect(commands(readAll('*1\r\n$4\r\nPINGxx').outcomes)).toEqual([['PING']]);
  });

  test('a length beyond the end of the file is "truncated" without allocating it', () => {
    expect(last(readAll('*1\r\n$999999999999\r\nab').outcomes)).toBe('truncated');
  });

  test('arguments and commands bigger than the 1 MB read chunk', () => {
    const big = 'x'.repeat(3 * 1024 * 1024 + 7);
    const many = Array.from({ length: 30000 }, (_, i) => `element-${i}`);
    const text = encodeCommand(['SET', 'big', big]) + encodeCommand(['RPUSH', 'l', ...many]) + encodeCommand(['PING']);
    const { outcomes, offsets } = readAll(text);
    expect(commands(outcomes)).toEqual([['SET', 'big', big], ['RPUSH', 'l', ...many], ['PING']]);
    expect(offsets[2]).toBe(text.length);
  });
});
