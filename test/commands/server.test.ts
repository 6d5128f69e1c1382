/**
 * Server commands through the in-process server: INFO values against the live state, statistics
 * and their reset, COMMAND over the served table, SLOWLOG, MONITOR, SHUTDOWN and DEBUG (what the
 * compat tests cannot compare byte for byte).
 */
import * as os from 'node:os';
import { beforeEach, describe, expect, test } from 'vitest';
import { startNodis, useNodis } from '../helpers/nodis';
import { RawConnection } from '../helpers/raw-connection';
import { callParsed as call, textOf, type RespValue } from '../helpers/resp-value';
import { ManualClock } from '../../src/keyspace/clock';
import { NODIS_RELEASE } from '../../src/server/version';
import { buildInfo, bytesToHuman, lastSaveTime, resetStats, setInfoField } from '../../src/server/info';
import { LatencyHistogram } from '../../src/server/latency-histogram';
import { setShutdownSaver } from '../../src/commands/server/admin';
import { debugSettings } from '../../src/commands/server/debug';
import metadata from '../../src/commands/metadata/redis-commands.json';

/** INFO fields as a map (section headers and blank lines skipped). */
function infoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

async function info(raw: RawConnection, ...sections: string[]): Promise<Map<string, string>> {
  return infoFields(textOf(await call(raw, 'INFO', ...sections)));
}

describe('INFO', () => {
  const clock = new ManualClock();
  const nodis = useNodis({ clock });
  let raw: RawConnection;

  beforeEach(async () => {
    raw ??= await nodis.raw();
    await call(raw, 'FLUSHALL');
  });

  test('server section: identity, port, process and Nodis release', async () => {
    const fields = await info(raw, 'server');
    expect(fields.get('redis_version')).toBe('7.0.15');
    expect(fields.get('nodis_version')).toBe(NODIS_RELEASE);
    expect(fields.get('tcp_port')).toBe(String(nodis.port));
    expect(fields.get('run_id')).toBe(nodis.server.runId);
    expect(fields.get('run_id')).toMatch(/^[0-9a-f]{40}$/);
    expect(fields.get('process_id')).toBe(String(process.pid));
    expect(fields.get('os')).toBe(`${os.type()} ${os.release()} ${os.machine()}`);
    expect(fields.get('config_file')).toBe('');
    expect(fields.get('hz')).toBe('10');
    expect(fields.get('configured_hz')).toBe('10');
    expect(Number(fields.get('uptime_in_seconds'))).toBeGreaterThanOrEqual(0);
    expect(fields.get('executable')).toMatch(/^\//);
    const micros = Number(fields.get('server_time_usec'));
    expect(Math.abs(micros / 1000 - Date.now())).toBeLessThan(60_000);
  });

  test('clients and stats sections follow connections and commands', async () => {
    const before = await info(raw, 'clients', 'stats');
    const other = await nodis.raw();
    await call(other, 'PING');
    const after = await info(raw, 'clients', 'stats');
    expect(Number(after.get('connected_clients'))).toBe(Number(before.get('connected_clients')) + 1);
    expect(Number(after.get('total_connections_received'))).toBe(Number(before.get('total_connections_received')) + 1);
    // The PING and the INFO in between.
    expect(Number(after.get('total_commands_processed'))).toBe(Number(before.get('total_commands_processed')) + 2);
    expect(Number(after.get('total_net_input_bytes'))).toBeGreaterThan(Number(before.get('total_net_input_bytes')));
    expect(Number(after.get('total_reads_processed'))).toBeGreaterThan(Number(before.get('total_reads_processed')));
    expect(after.get('instantaneous_input_kbps')).toMatch(/^\d+\.\d\d$/);
    other.close();
  });

  test('keyspace section and counters follow the data', async () => {
    await call(raw, 'SET', 'a', '1');
    await call(raw, 'SET', 'b', '2', 'PX', '100000');
    await call(raw, 'SELECT', '2');
    await call(raw, 'SET', 'c', '3');
    await call(raw, 'SELECT', '0');
    const text = textOf(await call(raw, 'INFO', 'keyspace'));
    expect(text).toBe('# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=100000\r\ndb2:keys=1,expires=0,avg_ttl=0\r\n');

    const before = await info(raw, 'stats', 'persistence');
    await call(raw, 'GET', 'a');
    await call(raw, 'GET', 'missing');
    clock.advance(200_000);
    await call(raw, 'GET', 'b');
    const after = await info(raw, 'stats', 'persistence');
    expect(Number(after.get('keyspace_hits')) - Number(before.get('keyspace_hits'))).toBe(1);
    expect(Number(after.get('keyspace_misses')) - Number(before.get('keyspace_misses'))).toBe(2);
    expect(Number(after.get('expired_keys')) - Number(before.get('expired_keys'))).toBe(1);
    expect(Number(after.get('rdb_changes_since_last_save'))).toBe(nodis.server.keyspace.dirty);
    expect(after.get('rdb_last_save_time')).toBe(String(Math.floor(nodis.server.startedAt / 1000)));
    expect(await call(raw, 'LASTSAVE')).toBe(Math.floor(nodis.server.startedAt / 1000));
  });

  test('memory and cpu sections report the process', async () => {
    const fields = await info(raw, 'memory', 'cpu');
    const used = Number(fields.get('used_memory'));
    expect(used).toBeGreaterThan(0);
    expect(fields.get('used_memory_human')).toBe(bytesToHuman(used));
    expect(Number(fields.get('used_memory_peak'))).toBeGreaterThanOrEqual(used);
    expect(Number(fields.get('used_memory_rss'))).toBeGreaterThan(0);
    expect(fields.get('used_memory_peak_perc')).toMatch(/^\d+\.\d\d%$/);
    expect(fields.get('total_system_memory')).toBe(String(os.totalmem()));
    expect(fields.get('maxmemory')).toBe('0');
    expect(fields.get('maxmemory_human')).toBe('0B');
    expect(fields.get('used_cpu_user')).toMatch(/^\d+\.\d{6}$/);
    expect(Number(fields.get('used_cpu_user')) + Number(fields.get('used_cpu_sys'))).toBeGreaterThan(0);
  });

  test('commandstats, errorstats and latencystats count calls, failures and rejections', async () => {
    resetStats(nodis.server);
    await call(raw, 'SET', 'k', 'v');
    await call(raw, 'GET', 'k');
    await call(raw, 'GET');
    await call(raw, 'SELECT', 'x');
    await call(raw, 'CONFIG', 'GET', 'maxclients');
    await call(raw, 'nosuchcommand');
    const text = textOf(await call(raw, 'INFO', 'commandstats', 'errorstats', 'latencystats'));
    expect(text).toMatch(/\r\ncmdstat_get:calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=1,failed_calls=0\r\n/);
    expect(text).toMatch(/\r\ncmdstat_select:calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=1\r\n/);
    expect(text).toMatch(/\r\ncmdstat_config\|get:calls=1,/);
    expect(text).not.toContain('cmdstat_nosuchcommand');
    expect(text).toContain('\r\n# Errorstats\r\nerrorstat_ERR:count=3\r\n');
    expect(text).toMatch(/\r\nlatency_percentiles_usec_get:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}\r\n/);
    expect(text).toMatch(/\r\nlatency_percentiles_usec_config\|get:p50=/);
    const stats = await info(raw, 'stats');
    expect(stats.get('total_error_replies')).toBe('3');
  });

  test('resetStats clears counters and per-command statistics but keeps the slow log', async () => {
    nodis.server.stats.addSlowlogEntry(nodis.server.clients.values().next().value!, ['PING'], 1, 10);
    await call(raw, 'GET');
    resetStats(nodis.server);
    const fields = await info(raw, 'stats', 'commandstats', 'errorstats');
    expect(fields.get('total_error_replies')).toBe('0');
    expect(fields.get('total_connections_received')).toBe('0');
    expect(fields.get('keyspace_hits')).toBe('0');
    expect(fields.get('total_commands_processed')).toBe('0');
    expect([...fields.keys()].filter((k) => k.startsWith('cmdstat_') || k.startsWith('errorstat_'))).toEqual([]);
    expect(nodis.server.stats.slowlog.length).toBeGreaterThan(0);
    nodis.server.stats.resetSlowlog();
  });

  test('a capability can supply a field, and LASTSAVE follows rdb_last_save_time', async () => {
    setInfoField(nodis.server, 'rdb_last_save_time', () => 1234567890);
    setInfoField(nodis.server, 'blocked_clients', () => 7);
    const fields = await info(raw, 'persistence', 'clients');
    expect(fields.get('rdb_last_save_time')).toBe('1234567890');
    expect(fields.get('blocked_clients')).toBe('7');
    expect(await call(raw, 'LASTSAVE')).toBe(1234567890);
    expect(lastSaveTime(nodis.server)).toBe(1234567890);
  });

  test('section selection: default, all, everything, case and unknown names', () => {
    const titles = (args: string[]): string[] =>
      buildInfo(nodis.server, args)
        .split('\r\n')
        .filter((l) => l.startsWith('# '));
    const defaults = ['# Server', '# Clients', '# Memory', '# Persistence', '# Stats', '# Replication', '# CPU', '# Modules', '# Errorstats', '# Cluster', '# Keyspace'];
    expect(titles([])).toEqual(defaults);
    expect(titles(['DEFAULT'])).toEqual(defaults);
    const all = ['# Server', '# Clients', '# Memory', '# Persistence', '# Stats', '# Replication', '# CPU', '# Modules', '# Commandstats', '# Errorstats', '# Latencystats', '# Cluster', '# Keyspace'];
    expect(titles(['all'])).toEqual(all);
    expect(titles(['everything'])).toEqual(all);
    expect(titles(['keyspace', 'SERVER', 'server'])).toEqual(['# Server', '# Keyspace']);
    expect(buildInfo(nodis.server, ['nosuch'])).toBe('');
  });

  test('RESP3 INFO is a verbatim string', async () => {
    const conn = await nodis.raw();
    await conn.call('HELLO', '3');
    expect(await conn.call('INFO', 'cluster')).toBe('=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n');
    conn.close();
  });
});

describe('INFO helpers', () => {
  test('bytesToHuman formats like Redis', () => {
    expect(bytesToHuman(0)).toBe('0B');
    expect(bytesToHuman(1023)).toBe('1023B');
    expect(bytesToHuman(1024)).toBe('1.00K');
    expect(bytesToHuman(1536)).toBe('1.50K');
    expect(bytesToHuman(1024 * 1024 * 5.25)).toBe('5.25M');
    expect(bytesToHuman(1024 ** 3 * 2)).toBe('2.00G');
    expect(bytesToHuman(1024 ** 4)).toBe('1.00T');
    expect(bytesToHuman(1024 ** 5 * 3)).toBe('3.00P');
  });

  test('latency percentiles use HdrHistogram buckets with 2 significant digits', () => {
    const h = new LatencyHistogram();
    h.record(7000);
    expect(h.valueAtPercentile(50)).toBe(7007);
    expect(h.valueAtPercentile(0)).toBe(6976);
    for (let i = 1; i <= 100; i++) h.record(i * 1000);
    expect(h.total).toBe(101);
    expect(h.valueAtPercentile(50)).toBe(50175);
    expect(h.valueAtPercentile(99)).toBe(99327);
    expect(h.valueAtPercentile(100)).toBe(100351);
    const small = new LatencyHistogram();
    small.record(0);
    small.record(200);
    expect(small.valueAtPercentile(50)).toBe(1);
    expect(small.valueAtPercentile(99.9)).toBe(200);
    const huge = new LatencyHistogram();
    huge.record(5e9);
    expect(huge.valueAtPercentile(50)).toBeGreaterThanOrEqual(1e9);
  });
});

describe('COMMAND over the served table', () => {
  const nodis = useNodis();
  let raw: RawConnection;
  beforeEach(async () => {
    raw ??= await nodis.raw();
  });

  const served = (): string[] => [...nodis.server.commands.allWithSubcommands()].map((s) => s.fullName);

  test('COMMAND, COUNT and LIST list exactly the served commands', async () => {
    const table = nodis.server.commands;
    expect(await call(raw, 'COMMAND', 'COUNT')).toBe(table.all.length);
    const all = (await call(raw, 'COMMAND')) as RespValue[][];
    expect(all.map((entry) => entry[0]).sort()).toEqual(table.all.map((s) => s.fullName).sort());
    expect(((await call(raw, 'COMMAND', 'INFO')) as RespValue[]).length).toBe(table.all.length);
    const list = (await call(raw, 'COMMAND', 'LIST')) as string[];
    expect([...list].sort()).toEqual(served().sort());
    const unserved = Object.keys((metadata as { commands: object }).commands).find((name) => !table.lookup(name))!;
    expect(list).not.toContain(unserved);
    expect(await call(raw, 'COMMAND', 'INFO', unserved)).toEqual([null]);
    expect(await call(raw, 'COMMAND', 'DOCS', unserved)).toEqual([]);
    expect(await call(raw, 'COMMAND', 'GETKEYS', unserved, 'a', 'b', 'c')).toEqual({ error: 'ERR Invalid command specified' });
  });

  test('COMMAND LIST FILTERBY ACLCAT and PATTERN', async () => {
    const connection = (await call(raw, 'COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'Connection')) as string[];
    expect(connection).toContain('ping');
    expect(connection).toContain('client|setinfo');
    expect(connection).not.toContain('get');
    const pattern = (await call(raw, 'COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'CLIENT|*NAME')) as string[];
    expect(pattern.sort()).toEqual(['client|getname', 'client|setname']);
  });

  test('COMMAND DOCS and INFO of a container list the served subcommands, CLIENT SETINFO and TRACKING included', async () => {
    const [entry] = (await call(raw, 'COMMAND', 'INFO', 'client')) as RespValue[][];
    const subs = (entry[9] as RespValue[][]).map((s) => s[0]);
    expect(subs).toContain('client|setinfo');
    expect(subs).toContain('client|tracking');
    const setinfo = (await call(raw, 'COMMAND', 'INFO', 'client|setinfo')) as RespValue[][];
    expect(setinfo[0].slice(0, 2)).toEqual(['client|setinfo', 4]);
    const docs = (await call(raw, 'COMMAND', 'DOCS', 'client')) as RespValue[];
    const body = docs[1] as RespValue[];
    const subcommandDocs = body[body.indexOf('subcommands') + 1] as RespValue[];
    const names = subcommandDocs.filter((_, i) => i % 2 === 0);
    expect(names).toContain('client|setinfo');
    expect(names).toContain('client|tracking');
  });

  test('COMMAND GETKEYS on a container subcommand and on a command without key arguments', async () => {
    expect(await call(raw, 'COMMAND', 'GETKEYS', 'OBJECT', 'encoding', 'k')).toEqual(['k']);
    expect(await call(raw, 'COMMAND', 'GETKEYS', 'client', 'info')).toEqual({ error: 'ERR The command has no key arguments' });
    expect(await call(raw, 'COMMAND', 'GETKEYS', 'client', 'tracking', 'on')).toEqual({ error: 'ERR The command has no key arguments' });
    expect(await call(raw, 'COMMAND', 'GETKEYS', 'client', 'nosuch')).toEqual({ error: 'ERR Invalid command specified' });
  });
});

describe('SLOWLOG', () => {
  const nodis = useNodis({ config: { 'slowlog-log-slower-than': '0', 'slowlog-max-len': '3' } });
  let raw: RawConnection;
  beforeEach(async () => {
    raw ??= await nodis.raw();
    await call(raw, 'SLOWLOG', 'RESET');
  });

  test('keeps the newest slowlog-max-len entries, newest first, with growing ids', async () => {
    await call(raw, 'CLIENT', 'SETNAME', 'logger');
    for (const word of ['a', 'b', 'c', 'd']) await call(raw, 'ECHO', word);
    expect(await call(raw, 'SLOWLOG', 'LEN')).toBe(3);
    const entries = (await call(raw, 'SLOWLOG', 'GET')) as RespValue[][];
    expect(entries.map((e) => e[3])).toEqual([['SLOWLOG', 'LEN'], ['ECHO', 'd'], ['ECHO', 'c']]);
    expect(entries[0][0] as number).toBe((entries[1][0] as number) + 1);
    expect(entries[0][4]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(entries[0][5]).toBe('logger');
    expect(Math.abs((entries[0][1] as number) - Date.now() / 1000)).toBeLessThan(60);
    expect(typeof entries[0][2]).toBe('number');
  });

  test('slowlog-log-slower-than -1 logs nothing; a shorter max length trims the log', async () => {
    await call(raw, 'CONFIG', 'SET', 'slowlog-log-slower-than', '-1');
    await call(raw, 'SLOWLOG', 'RESET');
    await call(raw, 'PING');
    expect(await call(raw, 'SLOWLOG', 'LEN')).toBe(0);
    await call(raw, 'CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    for (let i = 0; i < 5; i++) await call(raw, 'PING');
    await call(raw, 'CONFIG', 'SET', 'slowlog-max-len', '1');
    expect(await call(raw, 'SLOWLOG', 'LEN')).toBe(1);
    await call(raw, 'CONFIG', 'SET', 'slowlog-max-len', '3');
  });
});

describe('MONITOR', () => {
  const nodis = useNodis();

  test('every monitor gets the commands, RESET stops it, and CLIENT LIST flags it', async () => {
    const m1 = await nodis.raw();
    const m2 = await nodis.raw();
    const worker = await nodis.raw();
    expect(await m1.call('MONITOR')).toBe('+OK\r\n');
    expect(await m2.call('MONITOR')).toBe('+OK\r\n');
    const list = textOf(await call(worker, 'CLIENT', 'LIST'));
    expect(list.split('\n').filter((l) => l.includes('flags=O')).length).toBe(2);
    await worker.call('SET', 'k', '\x01v');
    for (const m of [m1, m2]) expect((await m.readReply()).toString('latin1')).toMatch(/^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "k" "\\x01v"\r\n$/);
    expect(await m2.call('RESET')).toBe('+RESET\r\n');
    expect((await m1.readReply()).toString('latin1')).toMatch(/"RESET"\r\n$/);
    await worker.call('PING');
    expect((await m1.readReply()).toString('latin1')).toMatch(/"PING"\r\n$/);
    expect(await m2.call('ECHO', 'quiet')).toBe('$5\r\nquiet\r\n');
    expect(nodis.server.monitors.size).toBe(1);
    m1.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(nodis.server.monitors.size).toBe(0);
  });
});

describe('SHUTDOWN', () => {
  test('SHUTDOWN NOSAVE closes the server without a reply', async () => {
    const handle = await startNodis();
    let stopped = false;
    handle.server.onShutdown = () => {
      stopped = true;
    };
    const raw = await handle.raw();
    raw.send(['SHUTDOWN', 'NOSAVE']);
    expect(await raw.readUntilClose(3000)).toBe('');
    expect(raw.closed).toBe(true);
    await handle.stop();
    expect(stopped).toBe(true);
  });

  test('SHUTDOWN SAVE fails without a saver unless FORCE, and uses the saver when there is one', async () => {
    const handle = await startNodis();
    const raw = await handle.raw();
    setShutdownSaver(handle.server, null);
    expect(await raw.call('SHUTDOWN', 'SAVE')).toBe('-ERR Errors trying to SHUTDOWN. Check logs.\r\n');
    const saves: string[] = [];
    setShutdownSaver(handle.server, () => {
      saves.push('save');
      return false;
    });
    expect(await raw.call('SHUTDOWN', 'SAVE', 'NOW')).toBe('-ERR Errors trying to SHUTDOWN. Check logs.\r\n');
    expect(saves).toEqual(['save']);
    raw.send(['SHUTDOWN', 'SAVE', 'FORCE']);
    expect(await raw.readUntilClose(3000)).toBe('');
    expect(saves).toEqual(['save', 'save']);
    await handle.stop();
  });

  test('commands pipelined after SHUTDOWN are not run', async () => {
    const handle = await startNodis();
    const raw = await handle.raw();
    raw.write('*1\r\n$8\r\nSHUTDOWN\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n');
    await raw.readUntilClose(3000);
    expect(handle.server.keyspace.databases[0].size).toBe(0);
    await handle.stop();
  });
});

describe('DEBUG', () => {
  const clock = new ManualClock();
  const nodis = useNodis({ clock, config: { 'enable-debug-command': 'local' } });
  let raw: RawConnection;
  beforeEach(async () => {
    raw ??= await nodis.raw();
    await call(raw, 'FLUSHALL');
  });

  test('"local" allows loopback clients and refuses others, before authentication', () => {
    const guard = nodis.server.dispatcher.preAuthGuards[0];
    const debug = nodis.server.commands.lookup('debug')!;
    const fake = (address: string) => ({ server: nodis.server, socket: { remoteAddress: address } }) as never;
    expect(guard(fake('127.0.0.1'), debug, ['DEBUG', 'HELP'])).toBeNull();
    expect(guard(fake('::1'), debug, ['DEBUG', 'HELP'])).toBeNull();
    expect(guard(fake('::ffff:127.0.0.1'), debug, ['DEBUG', 'HELP'])).toBeNull();
    expect(guard(fake('10.1.2.3'), debug, ['DEBUG', 'HELP'])).toMatch(/^ERR DEBUG command not allowed\. If the enable-debug-command option is set to "local"/);
    expect(guard(fake('127.0.0.2'), debug, ['DEBUG', 'HELP'])).not.toBeNull();
    expect(guard(fake('10.1.2.3'), nodis.server.commands.lookup('ping')!, ['PING'])).toBeNull();
  });

  test('SET-ACTIVE-EXPIRE 0 stops the active expiry cycle; reads still expire keys', async () => {
    await call(raw, 'SET', 'a', '1', 'PX', '10');
    await call(raw, 'SET', 'b', '1', 'PX', '10');
    expect(await call(raw, 'DEBUG', 'SET-ACTIVE-EXPIRE', '0')).toEqual({ status: 'OK' });
    expect(nodis.server.cron.activeExpire.enabled).toBe(false);
    clock.advance(1000);
    nodis.server.cron.tick();
    expect(nodis.server.keyspace.databases[0].size).toBe(2);
    expect(await call(raw, 'GET', 'a')).toBeNull();
    expect(nodis.server.keyspace.databases[0].size).toBe(1);
    await call(raw, 'DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    nodis.server.cron.tick();
    expect(nodis.server.keyspace.databases[0].size).toBe(0);
  });

  test('DEBUG OBJECT shows idle time without touching the key', async () => {
    await call(raw, 'SET', 'k', 'hello');
    clock.advance(5000);
    const first = (await call(raw, 'DEBUG', 'OBJECT', 'k')) as { status: string };
    expect(first.status).toMatch(/^Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:6 lru:\d+ lru_seconds_idle:5$/);
    clock.advance(2000);
    const second = (await call(raw, 'DEBUG', 'OBJECT', 'k')) as { status: string };
    expect(second.status).toMatch(/lru_seconds_idle:7$/);
    await call(raw, 'GET', 'k');
    expect(((await call(raw, 'DEBUG', 'OBJECT', 'k')) as { status: string }).status).toMatch(/lru_seconds_idle:0$/);
  });

  test('DEBUG DIGEST does not depend on insertion order, and sees expired keys not yet removed', async () => {
    for (const k of ['a', 'b', 'c']) await call(raw, 'SET', k, k.toUpperCase());
    const digest1 = await call(raw, 'DEBUG', 'DIGEST');
    await call(raw, 'FLUSHALL');
    for (const k of ['c', 'a', 'b']) await call(raw, 'SET', k, k.toUpperCase());
    expect(await call(raw, 'DEBUG', 'DIGEST')).toEqual(digest1);
    await call(raw, 'SET', 'a', 'changed');
    expect(await call(raw, 'DEBUG', 'DIGEST')).not.toEqual(digest1);
    await call(raw, 'SET', 't', 'v', 'PX', '10');
    await call(raw, 'DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    clock.advance(1000);
    const [digest] = (await call(raw, 'DEBUG', 'DIGEST-VALUE', 't')) as { status: string }[];
    expect(digest.status).not.toBe('0'.repeat(40));
    await call(raw, 'DEBUG', 'SET-ACTIVE-EXPIRE', '1');
  });

  test('QUICKLIST-PACKED-THRESHOLD is kept for lists', async () => {
    await call(raw, 'DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1kb');
    expect(debugSettings(nodis.server).quicklistPackedThreshold).toBe(1024);
    await call(raw, 'DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0');
    expect(debugSettings(nodis.server).quicklistPackedThreshold).toBe(2 ** 30);
  });

  test('DEBUG POPULATE is not propagated and DEBUG ERROR is not counted as an error', async () => {
    const propagated: string[][] = [];
    nodis.server.dispatcher.sinks.push({ propagate: (_db, argv) => propagated.push(argv) });
    try {
      await call(raw, 'DEBUG', 'POPULATE', '10');
      expect(nodis.server.keyspace.databases[0].size).toBe(10);
      expect(propagated).toEqual([]);
    } finally {
      nodis.server.dispatcher.sinks.pop();
    }
    const before = nodis.server.stats.totalErrorReplies;
    expect(await raw.call('DEBUG', 'ERROR', 'boom')).toBe('-boom\r\n');
    expect(nodis.server.stats.totalErrorReplies).toBe(before);
  });

  test('DEBUG LOG writes to the server log', async () => {
    const lines: string[] = [];
    const handle = await startNodis({ config: { 'enable-debug-command': 'yes' }, logSink: (l) => lines.push(l) });
    const conn = await handle.raw();
    await conn.call('DEBUG', 'LOG', 'hello log');
    expect(lines.some((l) => l.includes('DEBUG LOG: hello log'))).toBe(true);
    await handle.stop();
  });
});
