/**
 * SORT through the in-process server: propagation, keyspace events and the keys read through
 * BY and GET patterns (expiry, keyspace hits), which the wire cannot show against redis-server.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { useNodis, type NodisHandle } from '../helpers/nodis';
import type { RawConnection } from '../helpers/raw-connection';
import { callParsed } from '../helpers/resp-value';
import { ManualClock } from '../../src/index';

const NOW = 1_700_000_000_000;

describe('SORT', () => {
  const clock = new ManualClock(NOW);
  const nodis: NodisHandle = useNodis({ clock });
  let raw: RawConnection;
  const propagated: string[][] = [];
  const events: string[][] = [];
  const db = () => nodis.server.keyspace.databases[0];
  const call = (...argv: string[]) => callParsed(raw, ...argv);

  beforeEach(async () => {
    raw ??= await nodis.raw();
    clock.set(NOW);
    db().clear();
    const server = nodis.server;
    server.dispatcher.sinks.length = 0;
    server.keyspaceEventListeners.length = 0;
    propagated.length = 0;
    events.length = 0;
    server.dispatcher.sinks.push({ propagate: (_db, argv) => propagated.push([...argv]) });
    server.keyspaceEventListeners.push((kind, event, key) => {
      if (kind === 'l' || kind === 'g') events.push([kind, event, key]);
    });
  });

  test('STORE propagates as sent and fires sortstore; an empty result deletes and fires del', async () => {
    await call('SADD', 's', '2', '1');
    await call('SORT', 's', 'STORE', 'dst');
    await call('SORT', 's', 'LIMIT', '0', '0', 'STORE', 'dst');
    await call('SORT', 's', 'LIMIT', '0', '0', 'STORE', 'dst');
    expect(propagated.map((argv) => argv.join(' '))).toEqual([
      'SADD s 2 1',
      'SORT s STORE dst',
      'SORT s LIMIT 0 0 STORE dst',
    ]);
    expect(events).toEqual([
      ['l', 'sortstore', 'dst'],
      ['g', 'del', 'dst'],
    ]);
  });

  test('without STORE nothing is propagated', async () => {
    await call('RPUSH', 'l', '2', '1');
    propagated.length = 0;
    expect(await call('SORT', 'l')).toEqual(['1', '2']);
    expect(await call('SORT_RO', 'l', 'DESC')).toEqual(['2', '1']);
    expect(propagated).toEqual([]);
  });

  test('expired BY and GET keys count as missing', async () => {
    await call('RPUSH', 'l', 'a', 'b');
    await call('SET', 'w_a', '2');
    await call('SET', 'w_b', '1');
    await call('SET', 'o_b', 'bee');
    expect(await call('SORT', 'l', 'BY', 'w_*', 'GET', 'o_*')).toEqual(['bee', null]);
    await call('PEXPIRE', 'w_b', '10');
    await call('PEXPIRE', 'o_b', '10');
    clock.advance(11);
    expect(await call('SORT', 'l', 'BY', 'w_*', 'GET', 'o_*')).toEqual([null, null]);
    expect(await call('SORT', 'l', 'BY', 'w_*', 'GET', '#')).toEqual(['b', 'a']);
    expect(db().peek('w_b')).toBeUndefined();
  });

  test('a sorted list of a million numbers', async () => {
    const values = Array.from({ length: 10000 }, (_, i) => (i * 7919) % 10007);
    for (let i = 0; i < 100; i++) await call('RPUSH', 'l', ...values.map(String));
    const max = String(Math.max(...values));
    expect(await call('SORT', 'l', 'DESC', 'LIMIT', '0', '3')).toEqual([max, max, max]);
    expect(await call('SORT', 'l', 'STORE', 'dst')).toBe(1_000_000);
    expect(await call('LINDEX', 'dst', '0')).toBe(String(Math.min(...values)));
  });
});
