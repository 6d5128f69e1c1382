/**
 * BGREWRITEAOF: starts a rewrite of the AOF (a new base from the dataset), or schedules one while
 * a BGSAVE runs. It works with the AOF off too: the AOF directory then gets a base and a
 * manifest, as in Redis.
 */
import type { Client } from '../../server/client';
import { aofOf } from './aof';

export function bgrewriteaof(c: Client): void {
  const aof = aofOf(c.server);
  const blocked = aof.canRewriteNow();
  if (blocked === 'in-progress') return c.reply.error('ERR Background append only file rewriting already in progress');
  if (blocked === 'busy') {
    aof.rewriteScheduled = true;
    return c.reply.status('Background append only file rewriting scheduled');
  }
  if (aof.startRewrite()) return c.reply.status('Background append only file rewriting started');
  c.reply.error("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");
}
