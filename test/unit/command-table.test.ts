import { describe, expect, test } from 'vitest';
import { CommandTable, hasMetadata, type CommandGroup } from '../../src/commands/registry';
import { ALL_COMMAND_GROUPS } from '../../src/commands';

describe('command table', () => {
  test('every handler of every group has Redis metadata', () => {
    const missing: string[] = [];
    for (const group of ALL_COMMAND_GROUPS) {
      for (const name of Object.keys(group.handlers)) if (!hasMetadata(name)) missing.push(name);
    }
    expect(missing).toEqual([]);
  });

  test('lookups are case-insensitive and resolve subcommands', () => {
    const table = new CommandTable();
    const noop = (): void => undefined;
    table.register({ group: 'test', handlers: { get: noop, 'config|get': noop } });
    expect(table.lookup('GET')?.fullName).toBe('get');
    expect(table.lookup('gEt')?.fullName).toBe('get');
    expect(table.lookupArgv(['CONFIG', 'GET', 'x'])?.fullName).toBe('config|get');
    // An unknown subcommand resolves to the container, which has no handler of its own.
    expect(table.lookupArgv(['config', 'nope'])?.handler).toBeNull();
    expect(table.lookup('nosuchcommand')).toBeUndefined();
  });

  test('specs carry arity, key positions and flags from Redis 7.0.15', () => {
    const table = new CommandTable();
    table.register({ group: 'string', handlers: { set: () => undefined, mget: () => undefined } });
    const set = table.lookup('set')!;
    expect([set.arity, set.firstKey, set.lastKey, set.keyStep]).toEqual([-3, 1, 1, 1]);
    expect(set.aclCategories).toEqual(['write', 'string', 'slow']);
    const mget = table.lookup('mget')!;
    expect([mget.arity, mget.firstKey, mget.lastKey]).toEqual([-2, 1, -1]);
  });

  test('a command without metadata is refused at registration', () => {
    const table = new CommandTable();
    const bogus: CommandGroup = { group: 'x', handlers: { notacommand: () => undefined } };
    expect(() => table.register(bogus)).toThrow('no Redis metadata for command notacommand');
  });
});
