/**
 * bitmap commands. (Being filled in: handlers are added to the map below.)
 */
import type { CommandGroup } from './registry';

export const bitmapCommands: CommandGroup = {
  group: 'bitmap',
  handlers: {},
};
