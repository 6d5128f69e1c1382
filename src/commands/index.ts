/** Every command group Nodis serves, registered into the command table at start-up. */
import type { CommandGroup } from './registry';
import { connectionCommands } from './connection';

export const ALL_COMMAND_GROUPS: CommandGroup[] = [connectionCommands];
