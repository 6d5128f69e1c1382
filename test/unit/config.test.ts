import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Config, ConfigError } from '../../src/config/config';
import { loadConfigFromString } from '../../src/config/conf-file';
import { DIRECTIVES, findDirective, registerDirectives, type Directive } from '../../src/config/directives';
import { REWRITE_SIGNATURE, rewriteConfigContent, rewriteConfigFile } from '../../src/config/rewrite';
import {
  formatMemory, parseKeyspaceEvents, parseMemoryBytes, parsePercentiles, parseSave, quoteRepr,
} from '../../src/config/values';
import { configFrom } from '../../src/index';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-config-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const directive = (name: string): Directive => findDirective(name)!;

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return 'no error';
}

function set(config: Config, name: string, ...args: string[]): string {
  const d = directive(name);
  config.setNormalized(d, config.normalize(d, args));
  return config.get(name);
}

describe('memory values (memtoull)', () => {
  test('units', () => {
    expect(parseMemoryBytes('0')).toBe(0n);
    expect(parseMemoryBytes('1k')).toBe(1000n);
    expect(parseMemoryBytes('1Kb')).toBe(1024n);
    expect(parseMemoryBytes('3m')).toBe(3000000n);
    expect(parseMemoryBytes('3MB')).toBe(3n * 1024n ** 2n);
    expect(parseMemoryBytes('2g')).toBe(2000000000n);
    expect(parseMemoryBytes('2gB')).toBe(2n * 1024n ** 3n);
    expect(parseMemoryBytes('12b')).toBe(12n);
    expect(parseMemoryBytes('007')).toBe(7n);
  });

  test('quirks Redis 7.0 shows: empty and bare units are 0, huge values saturate or wrap', () => {
    expect(parseMemoryBytes('')).toBe(0n);
    expect(parseMemoryBytes('kb')).toBe(0n);
    expect(parseMemoryBytes('18446744073709551616')).toBe(18446744073709551615n);
    expect(parseMemoryBytes('99999999999999999999999')).toBe(18446744073709551615n);
    expect(parseMemoryBytes('20000000000gb')).toBe(3028092406290448384n);
    expect(parseMemoryBytes('17179869184gb')).toBe(0n);
  });

  test('invalid', () => {
    for (const bad of ['-1', '+1', ' 1', '1 ', '1.5gb', '1x', '1kk', 'abc', '0x10']) expect(parseMemoryBytes(bad)).toBeNull();
  });

  test('CONFIG REWRITE prints the largest exact unit', () => {
    expect(formatMemory('0')).toBe('0');
    expect(formatMemory('1000')).toBe('1000');
    expect(formatMemory('1024')).toBe('1kb');
    expect(formatMemory('3145728')).toBe('3mb');
    expect(formatMemory('2147483648')).toBe('2gb');
    expect(formatMemory('18446744073709551615')).toBe('18446744073709551615');
  });
});

describe('normalize by type, with Redis reasons', () => {
  const config = new Config();
  test('integers: string2ll and bounds', () => {
    expect(config.normalize(directive('timeout'), ['0'])).toBe('0');
    expect(reason(() => config.normalize(directive('timeout'), ['-1']))).toBe('argument must be between 0 and 2147483647 inclusive');
    expect(reason(() => config.normalize(directive('timeout'), ['01']))).toBe("argument couldn't be parsed into an integer");
    expect(reason(() => config.normalize(directive('timeout'), ['1.5']))).toBe("argument couldn't be parsed into an integer");
    expect(reason(() => config.normalize(directive('timeout'), ['']))).toBe("argument couldn't be parsed into an integer");
    expect(reason(() => config.normalize(directive('maxclients'), ['0']))).toBe('argument must be between 1 and 4294967295 inclusive');
    expect(reason(() => config.normalize(directive('slowlog-log-slower-than'), ['-5']))).toBe(
      'argument must be between -1 and 9223372036854775807 inclusive',
    );
    expect(config.normalize(directive('slowlog-log-slower-than'), ['9223372036854775807'])).toBe('9223372036854775807');
    expect(config.normalize(directive('list-max-listpack-size'), ['-6'])).toBe('-6');
  });

  test('memory bounds', () => {
    expect(config.normalize(directive('maxmemory'), ['18446744073709551615'])).toBe('18446744073709551615');
    expect(reason(() => config.normalize(directive('proto-max-bulk-len'), ['18446744073709551615']))).toBe(
      'argument must be between 1048576 and 9223372036854775807 inclusive',
    );
    expect(reason(() => config.normalize(directive('hash-max-listpack-value'), ['-1']))).toBe('argument must be a memory value');
  });

  test('yes/no, enums, wrong argument count', () => {
    expect(config.normalize(directive('protected-mode'), ['YES'])).toBe('yes');
    expect(reason(() => config.normalize(directive('protected-mode'), ['maybe']))).toBe("argument must be 'yes' or 'no'");
    expect(config.normalize(directive('appendfsync'), ['Always'])).toBe('always');
    expect(reason(() => config.normalize(directive('appendfsync'), ['x']))).toBe(
      'argument(s) must be one of the following: everysec, always, no',
    );
    expect(reason(() => config.normalize(directive('port'), ['1', '2']))).toBe('wrong number of arguments');
  });

  test('save', () => {
    expect(parseSave([''])).toBe('');
    expect(parseSave([])).toBe('');
    expect(parseSave(['100', ''])).toBe('100 0');
    expect(parseSave(['100', '+5'])).toBe('100 5');
    expect(parseSave([' 100', '5'])).toBe('100 5');
    expect(parseSave(['100', '99999999999'])).toBe('100 1215752191');
    for (const bad of [['1', '2', '3'], ['0', '1'], ['1', '-1'], ['', '5'], ['1x', '1'], ['+', '1'], [' ', '1']]) {
      expect(reason(() => parseSave(bad))).toBe('Invalid save parameters');
    }
  });

  test('bind', () => {
    expect(config.normalize(directive('bind'), [''])).toBe('');
    expect(config.normalize(directive('bind'), ['a', 'b'])).toBe('a b');
    expect(reason(() => config.normalize(directive('bind'), Array.from({ length: 17 }, (_, i) => `10.0.0.${i}`)))).toBe(
      'Too many bind addresses specified.',
    );
  });

  test('keyspace events, printed as Redis does', () => {
    expect(parseKeyspaceEvents('')).toBe('');
    expect(parseKeyspaceEvents('KEA')).toBe('AKE');
    expect(parseKeyspaceEvents('gxE')).toBe('gxE');
    expect(parseKeyspaceEvents('AA')).toBe('A');
    expect(parseKeyspaceEvents('$$')).toBe('$');
    expect(parseKeyspaceEvents('$lshzxetdnmAKE')).toBe('AKEm');
    expect(parseKeyspaceEvents('g$lshzxetdn')).toBe('A');
    expect(parseKeyspaceEvents('nKm')).toBe('nKm');
    expect(reason(() => parseKeyspaceEvents('Z'))).toBe("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  });

  test('latency percentiles', () => {
    expect(parsePercentiles(['99.999', '0.5'])).toBe('99.999 0.5');
    expect(parsePercentiles(['1e1', '0.1234567890123'])).toBe('10 0.123457');
    expect(parsePercentiles(['1e-7', '.5', '0x10'])).toBe('0 0.5 16');
    expect(parsePercentiles([''])).toBe('');
    expect(reason(() => parsePercentiles(['101']))).toBe('latency-tracking-info-percentiles parameters should sit between [0.0,100.0]');
    expect(reason(() => parsePercentiles(['abc']))).toBe('Invalid latency-tracking-info-percentiles parameters');
    expect(reason(() => parsePercentiles([' 50']))).toBe('Invalid latency-tracking-info-percentiles parameters');
  });

  test('hz is clamped to 1..500', () => {
    expect(config.normalize(directive('hz'), ['1000'])).toBe('500');
    expect(config.normalize(directive('hz'), ['0'])).toBe('1');
  });

  test('sdscatrepr quoting', () => {
    expect(quoteRepr('plain')).toBe('"plain"');
    expect(quoteRepr('a "b" \\ \n\r\t\x07\b\x00\xff')).toBe('"a \\"b\\" \\\\ \\n\\r\\t\\a\\b\\x00\\xff"');
  });
});

describe('Config', () => {
  test('defaults, dir is the working directory until set', () => {
    const config = new Config();
    expect(config.get('port')).toBe('6379');
    expect(config.get('dir')).toBe(process.cwd());
    expect(set(config, 'dir', tmp)).toBe(tmp);
    expect(config.getNumber('maxmemory')).toBe(0);
    expect(config.getBool('protected-mode')).toBe(true);
    expect(() => config.get('no-such-directive')).toThrow();
    expect(config.get('HZ')).toBe('10');
    expect(config.get('hash-max-ziplist-entries')).toBe('512');
  });

  test('set validates; unknown names fail like the config file', () => {
    const config = new Config();
    config.set('timeout', ['5']);
    expect(config.get('timeout')).toBe('5');
    expect(reason(() => config.set('timeout', ['x']))).toBe("argument couldn't be parsed into an integer");
    expect(reason(() => config.set('bogus', ['x']))).toBe('Bad directive or wrong number of arguments');
  });

  test('setMany is all or none: a listener refusing one value rolls every value back', () => {
    const config = new Config();
    const heard: string[] = [];
    config.onChange((name, value) => {
      heard.push(`${name}=${value}`);
      if (name === 'maxclients' && value === '7') throw new ConfigError('refused');
    });
    let error: unknown;
    try {
      config.setMany([[directive('timeout'), '9'], [directive('maxclients'), '7']]);
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).message).toBe('refused');
    expect((error as ConfigError).directive).toBe('maxclients');
    expect(config.get('timeout')).toBe('0');
    expect(config.get('maxclients')).toBe('10000');
    expect(heard).toEqual(['timeout=9', 'maxclients=7', 'timeout=0', 'maxclients=10000']);
  });

  test('getNumber follows every change, rolled-back ones included', () => {
    const config = new Config();
    expect(config.getNumber('hash-max-listpack-entries')).toBe(512);
    config.set('hash-max-listpack-entries', ['7']);
    expect(config.getNumber('hash-max-listpack-entries')).toBe(7);
    // Read while a change is being applied, then after the change is refused and undone.
    const seen: number[] = [];
    config.onChange((name) => {
      if (name !== 'hash-max-listpack-entries') return;
      seen.push(config.getNumber(name));
      if (config.get(name) === '9') throw new ConfigError('refused');
    });
    expect(reason(() => config.set('hash-max-listpack-entries', ['9']))).toBe('refused');
    expect(seen).toEqual([9, 7]);
    expect(config.getNumber('hash-max-listpack-entries')).toBe(7);
    expect(config.getNumber('hash-max-ziplist-entries')).toBe(7);
  });

  test('configFrom splits multi-argument values', () => {
    expect(configFrom({ save: '900 1 300 10', bind: '127.0.0.1 ::1', 'latency-tracking-info-percentiles': '50 99' }).entries()
      .filter(([d]) => ['save', 'bind', 'latency-tracking-info-percentiles'].includes(d.name))
      .map(([, v]) => v)).toEqual(['127.0.0.1 ::1', '50 99', '900 1 300 10']);
    expect(() => configFrom({ port: 'x' })).toThrow("port: argument couldn't be parsed into an integer");
  });
});

describe('the directive table', () => {
  test('names are unique, lower case, defaults valid', () => {
    const names = new Set<string>();
    const config = new Config();
    for (const d of DIRECTIVES) {
      for (const name of [d.name, ...(d.aliases ?? [])]) {
        expect(name).toBe(name.toLowerCase());
        expect(names.has(name)).toBe(false);
        names.add(name);
      }
      if (d.currentDefault) continue;
      const args = d.multiArg ? (d.defaultValue === '' ? [''] : d.defaultValue.split(' ')) : [d.defaultValue];
      expect(config.normalize(d, args), d.name).toBe(d.defaultValue);
    }
  });

  test('registerDirectives replaces a directive in place and adds new ones', () => {
    const before = DIRECTIVES.length;
    const original = directive('stream-node-max-entries');
    const at = DIRECTIVES.indexOf(original);
    try {
      registerDirectives([{ ...original, pending: undefined }, { name: 'nodis-test-directive', type: 'bool', defaultValue: 'no', mutable: true, help: 'test' }]);
      expect(DIRECTIVES.length).toBe(before + 1);
      expect(DIRECTIVES[at].pending).toBeUndefined();
      expect(findDirective('nodis-test-directive')!.name).toBe('nodis-test-directive');
      expect(new Config().get('nodis-test-directive')).toBe('no');
    } finally {
      DIRECTIVES.splice(DIRECTIVES.length - 1, 1);
      registerDirectives([original]);
    }
  });

  test('redis.conf.example documents every directive with its default and what is pending', () => {
    const example = fs.readFileSync(path.join(__dirname, '../../redis.conf.example'), 'latin1');
    const blocks = example.split('\n\n');
    for (const d of DIRECTIVES) {
      const block = blocks.find((b) => b.split('\n').some((line) => line.startsWith(`# ${d.name} `)));
      expect(block, d.name).toBeDefined();
      if (d.pending) expect(block, d.name).toContain(`accepted; takes effect when ${d.pending} lands`);
      if (d.noEffect) expect(block, d.name).toContain(`accepted; no effect: ${d.noEffect}`);
      for (const alias of d.aliases ?? []) expect(block).toContain(alias);
    }
    // Uncommented, the example loads, and gives every default.
    const active = example.split('\n').map((line) => {
      const m = /^# ([a-z-]+) (.*)$/.exec(line);
      return m && findDirective(m[1]) ? `${m[1]} ${m[2]}` : line;
    });
    const config = new Config();
    loadConfigFromString(config, active.join('\n'));
    for (const d of DIRECTIVES) {
      if (d.name === 'dir') expect(config.get('dir')).toBe(process.cwd());
      else expect(config.get(d.name), d.name).toBe(d.defaultValue);
    }
  });
});

describe('CONFIG REWRITE', () => {
  function configOf(text: string): Config {
    const config = new Config();
    loadConfigFromString(config, text);
    set(config, 'dir', tmp);
    return config;
  }

  test('keeps the layout: comments, order, includes; updates lines in place; appends the rest', () => {
    const inc = path.join(tmp, 'inc.conf');
    fs.writeFileSync(inc, 'timeout 7\n');
    const old = [
      '# top comment', '   # indented comment', 'port 7104', '', '', 'maxmemory 100mb', 'hash-max-ziplist-entries 100',
      'save 900 1', '# middle', 'save 300 10', 'timeout 5', 'timeout 6', `include ${inc}`, '   hz    20', 'requirepass foo',
      'notify-keyspace-events KEA', 'dbfilename "my dump.rdb"', 'unknown-directive 1', '',
    ].join('\n');
    const config = configOf(old.replace('unknown-directive 1', ''));
    set(config, 'maxmemory', '0');
    set(config, 'hz', '10');
    set(config, 'maxmemory-policy', 'allkeys-lru');
    set(config, 'requirepass', 'bar');
    expect(rewriteConfigContent(old, config)).toBe([
      '# top comment', '# indented comment', 'port 7104', '', 'maxmemory 0', 'hash-max-listpack-entries 100',
      'save 900 1', '# middle', 'save 300 10', 'timeout 7', '', `include ${inc}`, 'hz 10', 'requirepass "bar"',
      'notify-keyspace-events "AKE"', 'dbfilename "my dump.rdb"', '# ??? unknown-directive 1', '',
      REWRITE_SIGNATURE, `dir "${tmp}"`, 'maxmemory-policy allkeys-lru', 'latency-tracking-info-percentiles 50 99 99.9', '',
    ].join('\n'));
  });

  test('rewriting is stable, and save "" blanks the extra save lines', () => {
    const config = configOf('save 900 1\n# middle\nsave 300 10\n');
    const once = rewriteConfigContent('save 900 1\n# middle\nsave 300 10\n', config);
    // As in Redis, the file's last newline becomes one blank line at the end, once.
    const twice = rewriteConfigContent(once, config);
    expect(twice).toBe(`${once}\n`);
    expect(rewriteConfigContent(twice, config)).toBe(twice);
    set(config, 'save', '');
    expect(rewriteConfigContent(twice, config)).toBe(
      ['save ""', '# middle', '', REWRITE_SIGNATURE, `dir "${tmp}"`, 'latency-tracking-info-percentiles 50 99 99.9', '', ''].join('\n'),
    );
  });

  test('an empty file gets only what is always written', () => {
    const config = configOf('');
    expect(rewriteConfigContent('', config)).toBe(
      [REWRITE_SIGNATURE, `dir "${tmp}"`, 'latency-tracking-info-percentiles 50 99 99.9', 'save 3600 1', 'save 300 100', 'save 60 10000', ''].join('\n'),
    );
  });

  test('values are written as Redis writes them', () => {
    const config = configOf('');
    set(config, 'client-query-buffer-limit', '2gb');
    set(config, 'proto-max-bulk-len', '1000000000');
    set(config, 'bind', '127.0.0.1', '::1');
    set(config, 'latency-tracking-info-percentiles', '');
    set(config, 'save', '900', '1', '300', '10');
    set(config, 'requirepass', 'p"w d');
    set(config, 'notify-keyspace-events', '');
    const out = rewriteConfigContent('requirepass x\nnotify-keyspace-events Ex\npidfile /tmp/p\n', config).split('\n');
    expect(out).toEqual([
      'requirepass "p\\"w d"', 'notify-keyspace-events ""', '', REWRITE_SIGNATURE,
      'bind 127.0.0.1 ::1', `dir "${tmp}"`, 'proto-max-bulk-len 1000000000', 'client-query-buffer-limit 2gb',
      'latency-tracking-info-percentiles ""', 'save 900 1', 'save 300 10', '',
    ]);
  });

  test('an unset password or pidfile leaves no line', () => {
    const config = configOf('requirepass x');
    set(config, 'requirepass', '');
    expect(rewriteConfigContent('requirepass x\npidfile ""\nport 6379\n', config).split('\n').slice(0, 3)).toEqual(['', 'port 6379', '']);
  });

  test('rewriteConfigFile replaces the file atomically and keeps its mode', () => {
    const file = path.join(tmp, 'nodis.conf');
    fs.writeFileSync(file, '# mine\nport 7000\n', { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    const config = configOf('port 7000');
    set(config, 'timeout', '3');
    rewriteConfigFile(file, config);
    expect(fs.readFileSync(file, 'latin1')).toContain('# mine\nport 7000\n\n# Generated by CONFIG REWRITE\ntimeout 3\n');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(tmp).filter((f) => f.includes('rewrite'))).toEqual([]);
    const missing = path.join(tmp, 'created.conf');
    rewriteConfigFile(missing, config);
    expect(fs.readFileSync(missing, 'latin1').startsWith(REWRITE_SIGNATURE)).toBe(true);
    expect(() => rewriteConfigFile('/nonexistent/dir/nodis.conf', config)).toThrow(/ENOENT/);
  });
});
