import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { startNodis, useNodis } from '../helpers/nodis';
import { ConfigError } from '../../src/config/config';
import { directiveNames } from '../../src/config/directives';

const logLines: string[] = [];
const nodis = useNodis({ config: { loglevel: 'debug' }, logSink: (line) => logLines.push(line) });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-config-cmd-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('CONFIG GET', () => {
  test('* lists every directive and alias once, in table order', async () => {
    const reply = (await nodis.client().call('CONFIG', 'GET', '*')) as string[];
    const names = reply.filter((_, i) => i % 2 === 0);
    expect(names).toEqual([...directiveNames()].map(([name]) => name));
    expect(reply[names.indexOf('databases') * 2 + 1]).toBe('16');
  });

  test('a map in RESP3, a flat array in RESP2', async () => {
    const raw = await nodis.raw();
    expect(await raw.call('CONFIG', 'GET', 'timeout', 'databases')).toBe('*4\r\n$7\r\ntimeout\r\n$1\r\n0\r\n$9\r\ndatabases\r\n$2\r\n16\r\n');
    await raw.call('HELLO', '3');
    expect(await raw.call('CONFIG', 'GET', 'timeout', 'databases')).toBe('%2\r\n$7\r\ntimeout\r\n$1\r\n0\r\n$9\r\ndatabases\r\n$2\r\n16\r\n');
    expect(await raw.call('CONFIG', 'GET', 'nothing-matches*')).toBe('%0\r\n');
  });

  test('dir is shown as an absolute path', async () => {
    const [name, dir] = (await nodis.client().call('CONFIG', 'GET', 'dir')) as string[];
    expect(name).toBe('dir');
    expect(path.isAbsolute(dir)).toBe(true);
    expect(fs.statSync(dir).isDirectory()).toBe(true);
  });

  test('binary and huge patterns do not break it', async () => {
    const client = nodis.client();
    expect(await client.call('CONFIG', 'GET', '\x00\xff*')).toEqual([]);
    expect(await client.call('CONFIG', 'GET', '*'.repeat(10000) + 'x')).toEqual([]);
    expect(await client.call('CONFIG', 'GET', `${'*a'.repeat(200)}`)).toEqual([]);
  });
});

describe('CONFIG SET takes effect', () => {
  test('limits, log level and hz apply at once', async () => {
    const client = nodis.client();
    expect(await client.call('CONFIG', 'SET', 'timeout', '30', 'maxclients', '50', 'loglevel', 'warning', 'hz', '100')).toBe('OK');
    const server = nodis.server;
    expect(server.limits.timeoutSeconds).toBe(30);
    expect(server.limits.maxClients).toBe(50);
    expect(server.log.level).toBe('warning');
    expect(server.cron.hz).toBe(100);
    await client.call('CONFIG', 'SET', 'timeout', '0', 'maxclients', '10000', 'loglevel', 'debug', 'hz', '10');
    expect(server.limits.timeoutSeconds).toBe(0);
  });

  test('slowlog-max-len trims the slow log', async () => {
    const client = nodis.client();
    await client.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    for (let i = 0; i < 5; i++) await client.call('PING');
    expect(nodis.server.stats.slowlog.length).toBeGreaterThanOrEqual(5);
    await client.call('CONFIG', 'SET', 'slowlog-max-len', '2');
    expect(nodis.server.stats.slowlog.length).toBeLessThanOrEqual(2);
    await client.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000', 'slowlog-max-len', '128');
  });

  test('all or none: when applying one value fails, every value goes back', async () => {
    const client = nodis.client();
    const config = nodis.server.config;
    config.onChange((name, value) => {
      if (name === 'maxmemory-samples' && value === '77') throw new ConfigError('refused by a test');
    });
    await expect(client.call('CONFIG', 'SET', 'timeout', '9', 'maxmemory-samples', '77')).rejects.toThrow(
      "ERR CONFIG SET failed (possibly related to argument 'maxmemory-samples') - refused by a test",
    );
    expect(config.get('timeout')).toBe('0');
    expect(config.get('maxmemory-samples')).toBe('5');
    expect(nodis.server.limits.timeoutSeconds).toBe(0);
    expect(logLines.some((l) => l.includes('Failed applying new configuration. Possibly related to new maxmemory-samples setting.'))).toBe(true);
  });

  test('port and bind cannot change at runtime yet', async () => {
    const client = nodis.client();
    await expect(client.call('CONFIG', 'SET', 'port', '7000')).rejects.toThrow(
      "ERR CONFIG SET failed (possibly related to argument 'port') - changing the listening port at runtime is not supported yet",
    );
    await expect(client.call('CONFIG', 'SET', 'bind', '0.0.0.0')).rejects.toThrow(/possibly related to argument 'bind'/);
    expect(await client.call('CONFIG', 'GET', 'port')).toEqual(['port', '0']);
    // The value they already have is accepted.
    expect(await client.call('CONFIG', 'SET', 'port', '0', 'bind', nodis.server.config.get('bind'))).toBe('OK');
  });

  test('the password is redacted from the slow log and never logged', async () => {
    const client = nodis.client();
    await client.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await client.call('CONFIG', 'SET', 'requirepass', 'hunter2-secret', 'timeout', '0');
    const entry = nodis.server.stats.slowlog.find((e) => e.argv[0].toLowerCase() === 'config' && e.argv[2] === 'requirepass');
    expect(entry!.argv).toEqual(['CONFIG', 'SET', 'requirepass', '(redacted)', 'timeout', '0']);
    await client.call('AUTH', 'hunter2-secret');
    const other = nodis.client({ password: 'wrong' });
    await expect(other.call('PING')).rejects.toThrow();
    expect(await client.call('CONFIG', 'GET', 'requirepass')).toEqual(['requirepass', 'hunter2-secret']);
    await client.call('CONFIG', 'SET', 'requirepass', '', 'slowlog-log-slower-than', '10000');
    expect(logLines.join('')).not.toContain('hunter2');
  });
});

describe('protected configs', () => {
  test('refused by default, allowed with enable-protected-configs yes', async () => {
    await expect(nodis.client().call('CONFIG', 'SET', 'dir', tmp)).rejects.toThrow(
      "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config",
    );
    for (const setting of ['yes', 'local']) {
      const other = await startNodis({ config: { 'enable-protected-configs': setting } });
      try {
        const client = other.client();
        expect(await client.call('CONFIG', 'SET', 'dir', tmp, 'dbfilename', 'x.rdb')).toBe('OK');
        expect(await client.call('CONFIG', 'GET', 'dir')).toEqual(['dir', tmp]);
        expect(await client.call('CONFIG', 'GET', 'dbfilename')).toEqual(['dbfilename', 'x.rdb']);
        await expect(client.call('CONFIG', 'SET', 'dir', path.join(tmp, 'missing'))).rejects.toThrow(
          "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory",
        );
        // The embedded server never changes the process's working directory.
        expect(process.cwd()).not.toBe(tmp);
      } finally {
        await other.stop();
      }
    }
  });
});

describe('CONFIG RESETSTAT', () => {
  test('clears command, error and keyspace statistics', async () => {
    const client = nodis.client();
    await client.call('SET', 'k', 'v');
    await client.call('GET', 'k');
    await client.call('GET', 'missing');
    await expect(client.call('INCR', 'k')).rejects.toThrow();
    const server = nodis.server;
    expect(server.commands.lookup('get')!.stats.calls).toBeGreaterThan(0);
    expect(server.stats.errorCounts.size).toBeGreaterThan(0);
    expect(server.keyspace.keyspaceHits + server.keyspace.keyspaceMisses).toBeGreaterThan(0);
    expect(await client.call('CONFIG', 'RESETSTAT')).toBe('OK');
    expect(server.commands.lookup('get')!.stats.calls).toBe(0);
    expect(server.commands.lookup('incr')!.stats.failedCalls).toBe(0);
    expect(server.stats.errorCounts.size).toBe(0);
    expect(server.stats.totalErrorReplies).toBe(0);
    expect(server.keyspace.keyspaceHits).toBe(0);
    expect(server.keyspace.keyspaceMisses).toBe(0);
    // The RESETSTAT itself is counted after the reset, as in Redis.
    expect(server.stats.totalCommandsProcessed).toBe(1);
    expect(await client.get('k')).toBe('v');
  });
});

describe('CONFIG REWRITE', () => {
  test('without a config file', async () => {
    await expect(nodis.client().call('CONFIG', 'REWRITE')).rejects.toThrow('ERR The server is running without a config file');
  });

  test('rewrites the file the server started with', async () => {
    const file = path.join(tmp, 'nodis.conf');
    fs.writeFileSync(file, '# my settings\ntimeout 5\n\nmaxmemory 1mb\n');
    const server = nodis.server;
    server.configFile = file;
    try {
      const client = nodis.client();
      await client.call('CONFIG', 'SET', 'timeout', '7', 'maxmemory-policy', 'allkeys-lru');
      expect(await client.call('CONFIG', 'REWRITE')).toBe('OK');
      const content = fs.readFileSync(file, 'latin1');
      expect(content.startsWith('# my settings\ntimeout 7\n\nmaxmemory 0\n\n# Generated by CONFIG REWRITE\n')).toBe(true);
      expect(content).toContain('\nmaxmemory-policy allkeys-lru\n');
      const [, dir] = (await client.call('CONFIG', 'GET', 'dir')) as string[];
      expect(content).toContain(`\ndir "${dir}"\n`);
      expect(logLines.some((l) => l.includes('CONFIG REWRITE executed with success.'))).toBe(true);
      await client.call('CONFIG', 'SET', 'timeout', '0', 'maxmemory-policy', 'noeviction');
    } finally {
      server.configFile = '';
    }
  });

  test('a file that cannot be written', async () => {
    nodis.server.configFile = path.join(tmp, 'no-such-dir', 'nodis.conf');
    try {
      await expect(nodis.client().call('CONFIG', 'REWRITE')).rejects.toThrow('ERR Rewriting config file: No such file or directory');
      expect(logLines.some((l) => l.includes('CONFIG REWRITE failed: No such file or directory'))).toBe(true);
    } finally {
      nodis.server.configFile = '';
    }
  });
});
