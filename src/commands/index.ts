/** Every command group Nodis serves, registered into the command table at start-up. */
import type { CommandGroup } from './registry';
import { connectionCommands } from './connection';
import { clientCommands } from './client';
import { stringCommands } from './string';
import { bitmapCommands } from './bitmap';
import { genericCommands } from './generic';
import { serverCommands } from './server';
import { configCommands } from './config';
import { listCommands } from './list';
import { hashCommands } from './hash';
import { setCommands } from './set';
import { sortCommands } from './sort';
import { zsetCommands } from './zset';
import { persistenceCommands } from './persistence';
import { memoryCommands } from './memory';
import { streamCommands } from './stream';
import { pubsubCommands } from './pubsub';
import { transactionCommands } from './transaction';
import { scriptingCommands } from './scripting';
import { functionCommands } from './function';
import { latencyCommands } from './latency';

export const ALL_COMMAND_GROUPS: CommandGroup[] = [
  connectionCommands,
  clientCommands,
  stringCommands,
  bitmapCommands,
  genericCommands,
  serverCommands,
  configCommands,
  listCommands,
  hashCommands,
  setCommands,
  sortCommands,
  zsetCommands,
  persistenceCommands,
  memoryCommands,
  streamCommands,
  pubsubCommands,
  transactionCommands,
  scriptingCommands,
  functionCommands,
  latencyCommands,
];
