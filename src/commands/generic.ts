/**
 * generic commands. (Being filled in: handlers are added to the map below.)
 */
import type { CommandGroup } from './registry';

export const genericCommands: CommandGroup = {
  group: 'generic',
  handlers: {},
};
