/**
 * Server commands: INFO, COMMAND, DEBUG, SLOWLOG, TIME, MONITOR, SHUTDOWN. Each family
 * lives in its own file under ./server/.
 */
import type { CommandGroup } from './registry';
import { adminHandlers } from './server/admin';
import { commandHandlers } from './server/command';
import { debugHandlers, installDebugGuard } from './server/debug';
import { slowlogHandlers } from './server/slowlog';
import { initInfoState } from '../server/info';

export const serverCommands: CommandGroup = {
  group: 'server',
  handlers: { ...adminHandlers, ...commandHandlers, ...debugHandlers, ...slowlogHandlers },
  install(server) {
    initInfoState(server);
    installDebugGuard(server);
  },
};
