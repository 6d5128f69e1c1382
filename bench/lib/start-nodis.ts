/**
 * Starts a Nodis server in this process on the port given as the first argument (extra
 * `name value` pairs are redis.conf directives), prints "ready <port>" once it accepts
 * connections, and stops on SIGTERM/SIGINT. The benchmark runs it as a child process:
 *
 *   node dist/bench/lib/start-nodis.js 7000 [directive value ...]
 */
import { createServer } from '../../src/index';

async function main(): Promise<void> {
  const [portText, ...rest] = process.argv.slice(2);
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('usage: node dist/bench/lib/start-nodis.js <port> [directive value ...]');
    process.exit(2);
  }
  const config: Record<string, string> = {};
  for (let i = 0; i + 1 < rest.length; i += 2) config[rest[i]] = rest[i + 1];
  const server = await createServer({ port, bind: '127.0.0.1', config });
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  console.log(`ready ${server.port}`);
}

main().catch((e: unknown) => {
  console.error(`nodis failed to start: ${(e as Error).message}`);
  process.exit(1);
});
