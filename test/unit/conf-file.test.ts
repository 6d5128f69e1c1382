import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Config } from '../../src/config/config';
import {
  ConfigFileOpenError, FatalConfigError, checkLoadedConfig, loadConfigFromString, readConfigFile,
} from '../../src/config/conf-file';
import { configText, parseCommandLine } from '../../src/config/command-line';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-conf-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function load(text: string): Config {
  const config = new Config();
  loadConfigFromString(config, text);
  return config;
}

/** The FATAL text a configuration produces, or null when it loads. */
function fatal(text: string): string | null {
  try {
    load(text);
    return null;
  } catch (e) {
    if (e instanceof FatalConfigError) return e.format();
    throw e;
  }
}

function fatalAt(line: number, shown: string, reason: string): string {
  return `\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line ${line}\n>>> '${shown}'\n${reason}\n`;
}

function write(name: string, content: string): string {
  const file = path.join(tmp, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, 'latin1');
  return file;
}

describe('lines', () => {
  test('comments, blank lines, indentation, any case, last value wins', () => {
    const c = load('# a comment\n\n   # indented comment\n  PORT   7000  \r\ntimeout 5\nTimeOut 6\n\t\n');
    expect(c.get('port')).toBe('7000');
    expect(c.get('timeout')).toBe('6');
  });

  test('quoted and escaped arguments', () => {
    const c = load('requirepass "a b\\x41\\n"\ndbfilename \'it\\\'s.rdb\'\nlogfile ""');
    expect(c.get('requirepass')).toBe('a bA\n');
    expect(c.get('dbfilename')).toBe("it's.rdb");
    expect(c.get('logfile')).toBe('');
  });

  test('binary bytes survive (latin1)', () => {
    expect(load('requirepass "\\x00\\xff"').get('requirepass')).toBe('\x00\xff');
    expect(load('requirepass \xe9t\xe9').get('requirepass')).toBe('\xe9t\xe9');
  });

  test('an empty text and a text of comments change nothing', () => {
    expect(load('').get('port')).toBe('6379');
    expect(load('#\n#\n').get('port')).toBe('6379');
  });
});

describe('values', () => {
  test('memory units', () => {
    expect(load('maxmemory 256mb').get('maxmemory')).toBe(String(256 * 1024 * 1024));
    expect(load('maxmemory 1gb').get('maxmemory')).toBe(String(1024 ** 3));
    expect(load('maxmemory 1GB').get('maxmemory')).toBe(String(1024 ** 3));
    expect(load('maxmemory 100k').get('maxmemory')).toBe('100000');
    expect(load('maxmemory 100kb').get('maxmemory')).toBe('102400');
    expect(load('maxmemory 5m').get('maxmemory')).toBe('5000000');
    expect(load('maxmemory 2g').get('maxmemory')).toBe('2000000000');
    expect(load('maxmemory 7b').get('maxmemory')).toBe('7');
    expect(load('proto-max-bulk-len 1mb').get('proto-max-bulk-len')).toBe('1048576');
  });

  test('save lines accumulate; save "" clears; a single quoted argument is split', () => {
    expect(load('save 900 1\nsave 300 10').get('save')).toBe('900 1 300 10');
    expect(load('save 900 1 300 10 60 10000').get('save')).toBe('900 1 300 10 60 10000');
    expect(load('save "900 1 300 10"').get('save')).toBe('900 1 300 10');
    expect(load('save 900 1\nsave ""').get('save')).toBe('');
    expect(load('save ""\nsave 60 5').get('save')).toBe('60 5');
    expect(load('save 900 1\nsave ""\nsave 60 5').get('save')).toBe('60 5');
    expect(load('save 0900 +1').get('save')).toBe('900 1');
  });

  test('multi-argument bind and percentiles', () => {
    expect(load('bind 127.0.0.1 ::1').get('bind')).toBe('127.0.0.1 ::1');
    expect(load('bind "127.0.0.1 ::1"').get('bind')).toBe('127.0.0.1 ::1');
    expect(load('latency-tracking-info-percentiles 50 99.90 1e1').get('latency-tracking-info-percentiles')).toBe('50 99.9 10');
  });

  test('aliases set the directive', () => {
    expect(load('hash-max-ziplist-entries 100').get('hash-max-listpack-entries')).toBe('100');
    expect(load('lua-time-limit 100').get('busy-reply-threshold')).toBe('100');
  });

  test('normalization: yes/no and enums in any case, keyspace events, hz clamped', () => {
    const c = load('protected-mode NO\nmaxmemory-policy ALLKEYS-LRU\nnotify-keyspace-events KEA\nhz 1000');
    expect(c.get('protected-mode')).toBe('no');
    expect(c.get('maxmemory-policy')).toBe('allkeys-lru');
    expect(c.get('notify-keyspace-events')).toBe('AKE');
    expect(c.get('hz')).toBe('500');
    expect(load('hz 0').get('hz')).toBe('1');
  });

  test('deprecated directives are accepted and ignored', () => {
    expect(fatal('list-max-ziplist-entries 5\nlist-max-ziplist-value 10\nlua-replicate-commands yes')).toBeNull();
    expect(fatal('list-max-ziplist-entries 5 6')).toBe(fatalAt(1, 'list-max-ziplist-entries 5 6', 'Bad directive or wrong number of arguments'));
  });

  test('dir resolves to an absolute existing directory', () => {
    expect(load(`dir ${tmp}`).get('dir')).toBe(tmp);
    expect(fatal('dir /nonexistent/nodis')).toBe(fatalAt(1, 'dir /nonexistent/nodis', 'No such file or directory'));
    const file = write('not-a-dir', '');
    expect(fatal(`dir ${file}`)).toBe(fatalAt(1, `dir ${file}`, 'Not a directory'));
  });
});

describe('errors, as redis-server words them', () => {
  test.each([
    ['foo bar', 'foo bar', 'Bad directive or wrong number of arguments'],
    ['port 7104 7105', 'port 7104 7105', 'wrong number of arguments'],
    ['port', 'port', 'wrong number of arguments'],
    ['maxmemory 10xb', 'maxmemory 10xb', 'argument must be a memory value'],
    ['maxmemory -1', 'maxmemory -1', 'argument must be a memory value'],
    ['save 900', 'save 900', 'Invalid save parameters'],
    ['save 0 1', 'save 0 1', 'Invalid save parameters'],
    ['timeout "abc', 'timeout "abc', 'Unbalanced quotes in configuration line'],
    ['timeout "a"b', 'timeout "a"b', 'Unbalanced quotes in configuration line'],
    ['loglevel loud', 'loglevel loud', 'argument(s) must be one of the following: debug, verbose, notice, warning, nothing'],
    ['port 99999', 'port 99999', 'argument must be between 0 and 65535 inclusive'],
    ['hz abc', 'hz abc', "argument couldn't be parsed into an integer"],
    ['timeout 1k', 'timeout 1k', "argument couldn't be parsed into an integer"],
    ['timeout 99999999999999999999', 'timeout 99999999999999999999', "argument couldn't be parsed into an integer"],
    ['daemonize maybe', 'daemonize maybe', "argument must be 'yes' or 'no'"],
    ['notify-keyspace-events Z', 'notify-keyspace-events Z', "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."],
    ['databases 0', 'databases 0', 'argument must be between 1 and 2147483647 inclusive'],
    ['  PORT   abc  ', 'PORT   abc', "argument couldn't be parsed into an integer"],
    ['include', 'include', 'Bad directive or wrong number of arguments'],
    ['rename-command FLUSHALL ""', 'rename-command FLUSHALL ""', 'Bad directive or wrong number of arguments'],
  ])('%j', (text, shown, reason) => {
    expect(fatal(`${text}\n`)).toBe(fatalAt(1, shown, reason));
  });

  test('the line number counts comments and blank lines', () => {
    expect(fatal('# c\n\nport 7104 7105\n')).toBe(fatalAt(3, 'port 7104 7105', 'wrong number of arguments'));
  });

  test('daemonize yes is refused: Nodis runs in the foreground', () => {
    expect(fatal('daemonize yes')).toContain('Nodis does not daemonize: it always runs in the foreground');
    expect(load('daemonize no').get('daemonize')).toBe('no');
  });

  test('a password never appears in the error', () => {
    const text = fatal('requirepass sec ret')!;
    expect(text).toBe(fatalAt(1, 'requirepass (redacted)', 'wrong number of arguments'));
    expect(text).not.toContain('sec');
  });

  test('nothing is applied after the bad line', () => {
    const config = new Config();
    expect(() => loadConfigFromString(config, 'port 7000\nbogus\nport 7001')).toThrow(FatalConfigError);
    expect(config.get('port')).toBe('7000');
  });
});

describe('include', () => {
  test('an included file is read in place; later lines override it', () => {
    const inc = write('inc.conf', 'timeout 7\nmaxmemory 1mb\n');
    const c = load(`timeout 5\ninclude ${inc}\nmaxmemory 2mb`);
    expect(c.get('timeout')).toBe('7');
    expect(c.get('maxmemory')).toBe(String(2 * 1024 * 1024));
  });

  test('save lines in an included file add up with the main file', () => {
    const inc = write('save.conf', 'save 300 10\n');
    expect(load(`save 900 1\ninclude ${inc}`).get('save')).toBe('900 1 300 10');
  });

  test('an error in an included file reports its own line', () => {
    const inc = write('bad.conf', 'timeout 5\n\nbogus 1\n');
    expect(fatal(`port 7104\ninclude ${inc}\n`)).toBe(fatalAt(3, 'bogus 1', 'Bad directive or wrong number of arguments'));
  });

  test('a missing file cannot be opened', () => {
    expect(() => load('include /nonexistent/nodis.conf')).toThrow(
      new ConfigFileOpenError('/nonexistent/nodis.conf', Object.assign(new Error(), { code: 'ENOENT' })),
    );
    expect(() => readConfigFile('/nonexistent/nodis.conf')).toThrow(
      "Fatal error, can't open config file '/nonexistent/nodis.conf': No such file or directory",
    );
  });

  test('wildcards read every match in name order, hidden files only when asked, none is fine', () => {
    write('conf.d/b.conf', 'timeout 2\n');
    write('conf.d/a.conf', 'timeout 1\nmaxclients 5\n');
    write('conf.d/.hidden.conf', 'maxclients 6\n');
    write('conf.d/c.txt', 'bogus\n');
    const c = load(`include ${tmp}/conf.d/*.conf`);
    expect(c.get('timeout')).toBe('2');
    expect(c.get('maxclients')).toBe('5');
    expect(load(`include ${tmp}/conf.d/.*.conf`).get('maxclients')).toBe('6');
    expect(load(`include ${tmp}/empty.d/*.conf`).get('timeout')).toBe('0');
  });

  test('an include loop stops', () => {
    const self = path.join(tmp, 'loop.conf');
    write('loop.conf', `include ${self}\n`);
    expect(fatal(`include ${self}`)).toContain('include nesting is too deep');
  });
});

test('checkLoadedConfig: the log file must be writable', () => {
  const config = load('logfile /nonexistent/dir/nodis.log');
  let error: unknown;
  try {
    checkLoadedConfig(config);
  } catch (e) {
    error = e;
  }
  expect((error as FatalConfigError).format()).toBe(
    "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: No such file or directory\n",
  );
  expect(() => checkLoadedConfig(load(`logfile ${path.join(tmp, 'ok.log')}`))).not.toThrow();
});

describe('command line, as redis-server main()', () => {
  test('a first argument not starting with "-" is the config file, made absolute', () => {
    expect(parseCommandLine(['nodis.conf', '--port', '7000'], '/etc')).toEqual({
      configFile: '/etc/nodis.conf',
      fromStdin: false,
      options: 'port "7000" ',
    });
    expect(parseCommandLine([]).configFile).toBeNull();
  });

  test('arguments after a --name up to the next --name are its value', () => {
    expect(parseCommandLine(['--save', '900', '1', '--save', '300', '10', '--port', '7000']).options).toBe(
      'save "900" "1" \nsave "300" "10" \nport "7000" ',
    );
  });

  test('a bare --name takes the next argument even when it starts with --', () => {
    expect(parseCommandLine(['--port', '7104', '--maxmemory', '--pidfile', 'x']).options).toBe(
      'port "7104" \nmaxmemory "--pidfile" "x" ',
    );
  });

  test('--save followed by a flag, or last, means save ""', () => {
    expect(parseCommandLine(['--save', '--port', '1']).options).toBe('save ""\nport "1" ');
    expect(parseCommandLine(['--port', '1', '--save']).options).toBe('port "1" \nsave ""');
    expect(parseCommandLine(['--save', '']).options).toBe('save "" ');
  });

  test('a name and value in one argument', () => {
    expect(parseCommandLine(['--port 7000', '--timeout', '5']).options).toBe('port 7000 \ntimeout "5" ');
  });

  test('"-" first or last reads stdin; elsewhere it is a value', () => {
    expect(parseCommandLine(['-', '--port', '1']).fromStdin).toBe(true);
    expect(parseCommandLine(['a.conf', '--port', '1', '-']).fromStdin).toBe(true);
    const middle = parseCommandLine(['--port', '-', '--timeout', '1']);
    expect(middle).toMatchObject({ fromStdin: false, options: 'port "-" \ntimeout "1" ' });
  });

  test('values are quoted as sdscatrepr; UTF-8 becomes its bytes', () => {
    expect(parseCommandLine(['--requirepass', 'a "b"\n\u00e9']).options).toBe('requirepass "a \\"b\\"\\n\\xc3\\xa9" ');
    expect(load(configText('', '', parseCommandLine(['--requirepass', '\u00e9']).options)).get('requirepass')).toBe('\xc3\xa9');
  });

  test('flags come after the file and stdin, so they win; error lines count the whole text', () => {
    const options = parseCommandLine(['a.conf', '--port', '7001', '--timeout', 'x']).options;
    const text = configText('port 7000\n# x\n', 'timeout 3\n', options);
    let error: unknown;
    try {
      load(text);
    } catch (e) {
      error = e;
    }
    expect((error as FatalConfigError).format()).toBe(fatalAt(6, 'timeout "x"', "argument couldn't be parsed into an integer"));
    expect(load(configText('port 7000\n', '', parseCommandLine(['a.conf', '--port', '7001']).options)).get('port')).toBe('7001');
  });
});
