/**
 * config commands. (Being filled in: handlers are added to the map below.)
 */
import type { CommandGroup } from './registry';

export const configCommands: CommandGroup = {
  group: 'server',
  handlers: {},
};
