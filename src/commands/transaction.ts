/** Transaction commands: MULTI, EXEC, DISCARD, WATCH, UNWATCH (the state lives in server/transaction.ts). */
import type { CommandGroup } from './registry';
import type { Client } from '../server/client';

function multi(c: Client): void {
  c.server.transactions.multi(c);
}

function exec(c: Client): void {
  c.server.transactions.exec(c);
}

function discard(c: Client): void {
  if (!c.inTransaction) return c.reply.error('ERR DISCARD without MULTI');
  c.server.transactions.discard(c);
  c.reply.ok();
}

function watch(c: Client, argv: string[]): void {
  c.server.transactions.watch(c, argv.slice(1));
}

function unwatch(c: Client): void {
  c.server.transactions.unwatch(c);
}

export const transactionCommands: CommandGroup = {
  group: 'transactions',
  handlers: { multi, exec, discard, watch, unwatch },
};
