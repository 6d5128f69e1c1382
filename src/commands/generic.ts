/**
 * Generic (keyspace) commands: they work on keys whatever their type. The handlers live in
 * generic/, one file per theme.
 */
import type { CommandGroup } from './registry';
import { keyHandlers } from './generic/keys';
import { databaseHandlers } from './generic/databases';
import { relocateHandlers } from './generic/relocate';
import { expireHandlers } from './generic/expire';
import { objectHandlers } from './generic/object';
import { dumpHandlers } from './generic/dump';

export const genericCommands: CommandGroup = {
  group: 'generic',
  handlers: {
    ...keyHandlers,
    ...databaseHandlers,
    ...relocateHandlers,
    ...expireHandlers,
    ...objectHandlers,
    ...dumpHandlers,
  },
};
