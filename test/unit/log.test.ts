import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Logger, legacyLine, redisTimestamp, type LogFormat, type LogLevel } from '../../src/log';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-log-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function capture(level: LogLevel, format: LogFormat = 'legacy'): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = new Logger({ level, format, file: '', sink: (line) => lines.push(line) });
  return { log, lines };
}

function logAll(log: Logger): void {
  log.debug('d');
  log.verbose('v');
  log.notice('n');
  log.warning('w');
}

describe('legacy format, as Redis prints it', () => {
  test('timestamp', () => {
    const ms = new Date(2026, 10, 27, 1, 2, 3, 45).getTime();
    expect(redisTimestamp(ms)).toBe('27 Nov 2026 01:02:03.045');
  });

  test('line: pid, role, time, level mark, message', () => {
    const ms = new Date(2026, 0, 5, 13, 4, 5, 6).getTime();
    expect(legacyLine(1234, 'notice', ms, 'Ready to accept connections tcp')).toBe(
      '1234:M 05 Jan 2026 13:04:05.006 * Ready to accept connections tcp\n',
    );
    expect(legacyLine(1, 'warning', ms, 'x', 'C')).toBe('1:C 05 Jan 2026 13:04:05.006 # x\n');
    expect(legacyLine(1, 'debug', ms, 'x')).toContain(' . x');
    expect(legacyLine(1, 'verbose', ms, 'x')).toContain(' - x');
  });

  test('each level has its mark; the role letter follows the logger', () => {
    const { log, lines } = capture('debug');
    logAll(log);
    log.role = 'C';
    log.warning('starting');
    const pattern = (mark: string, role: string, msg: string): RegExp =>
      new RegExp(`^${process.pid}:${role} \\d\\d [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\${mark} ${msg}\\n$`);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(pattern('.', 'M', 'd'));
    expect(lines[1]).toMatch(pattern('-', 'M', 'v'));
    expect(lines[2]).toMatch(pattern('*', 'M', 'n'));
    expect(lines[3]).toMatch(pattern('#', 'M', 'w'));
    expect(lines[4]).toMatch(pattern('#', 'C', 'starting'));
  });

  test('messages keep quotes, backslashes and non-ASCII text', () => {
    const { log, lines } = capture('notice');
    log.notice('say "hi" \\ caf\u00e9 {}');
    expect(lines[0].endsWith('* say "hi" \\ caf\u00e9 {}\n')).toBe(true);
  });
});

describe('levels', () => {
  test.each([
    ['debug', ['d', 'v', 'n', 'w']],
    ['verbose', ['v', 'n', 'w']],
    ['notice', ['n', 'w']],
    ['warning', ['w']],
    ['nothing', []],
  ] as [LogLevel, string[]][])('loglevel %s', (level, expected) => {
    const { log, lines } = capture(level);
    logAll(log);
    expect(lines.map((l) => l.trimEnd().slice(-1))).toEqual(expected);
  });

  test('setLevel applies at once', () => {
    const { log, lines } = capture('warning');
    log.notice('hidden');
    log.setLevel('debug');
    expect(log.level).toBe('debug');
    log.debug('shown');
    log.setLevel('nothing');
    log.warning('hidden too');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('shown');
  });
});

describe('json format', () => {
  test('pino lines with the level by name, pid, role and message', () => {
    const { log, lines } = capture('verbose', 'json');
    log.verbose('hello');
    log.warning('careful');
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries[0]).toMatchObject({ level: 'verbose', pid: process.pid, role: 'M', msg: 'hello' });
    expect(entries[1]).toMatchObject({ level: 'warning', msg: 'careful' });
    expect(typeof entries[0].time).toBe('number');
  });

  test('setFormat switches between formats', () => {
    const { log, lines } = capture('notice', 'legacy');
    log.notice('a');
    log.setFormat('json');
    log.notice('b');
    log.setFormat('legacy');
    log.notice('c');
    expect(lines[0]).toMatch(/\* a\n$/);
    expect(JSON.parse(lines[1]).msg).toBe('b');
    expect(lines[2]).toMatch(/\* c\n$/);
  });
});

test('logfile: lines are appended to the file; nothing is written after close', () => {
  const file = path.join(tmp, 'nodis.log');
  fs.writeFileSync(file, 'earlier\n');
  const log = new Logger({ level: 'notice', format: 'legacy', file });
  log.notice('first');
  log.warning('second');
  log.close();
  log.warning('after close');
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  expect(lines[0]).toBe('earlier');
  expect(lines[1]).toMatch(/\* first$/);
  expect(lines[2]).toMatch(/# second$/);
  expect(lines[3]).toBe('');
});
