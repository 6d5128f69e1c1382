/**
 * Regenerates src/commands/metadata/redis-commands.json from a running redis-server 7.0.15:
 * the COMMAND INFO and COMMAND DOCS replies of every command, read in RESP3 so that sets, maps
 * and simple strings keep their kinds. Nodis answers COMMAND from this file, so its replies match
 * the reference server's shapes exactly.
 *
 * Usage: node dist/bin/generate-command-metadata.js [port]   (redis-server must listen on port)
 */
import * as net from 'node:net';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RespNode } from '../src/protocol/resp-node';

function parseResp3(buf: Buffer): RespNode[] {
  let pos = 0;
  const line = (): string => {
    const end = buf.indexOf('\r\n', pos, 'latin1');
    if (end < 0) throw new RangeError('incomplete');
    const s = buf.toString('latin1', pos, end);
    pos = end + 2;
    return s;
  };
  const node = (): RespNode => {
    if (pos >= buf.length) throw new RangeError('incomplete');
    const type = String.fromCharCode(buf[pos++]);
    const head = line();
    switch (type) {
      case '+': return { status: head };
      case '-': return { error: head };
      case ':': return Number(head);
      case '_': return null;
      case '$': case '=': {
        const len = Number(head);
        if (len < 0) return null;
        if (pos + len + 2 > buf.length) throw new RangeError('incomplete');
        const s = buf.toString('latin1', pos, pos + len);
        pos += len + 2;
        return s;
      }
      case '*': case '~': {
        const items: RespNode[] = [];
        for (let i = 0, n = Number(head); i < n; i++) items.push(node());
        return type === '*' ? items : { set: items };
      }
      case '%': {
        const pairs: [RespNode, RespNode][] = [];
        for (let i = 0, n = Number(head); i < n; i++) pairs.push([node(), node()]);
        return { map: pairs };
      }
      default: throw new Error(`unexpected RESP type ${type}`);
    }
  };
  const out: RespNode[] = [];
  while (pos < buf.length) out.push(node());
  return out;
}

function request(port: number, commands: string[][]): Promise<RespNode[]> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    sock.on('data', (d) => {
      chunks.push(d);
      try {
        const replies = parseResp3(Buffer.concat(chunks));
        if (replies.length === commands.length) { sock.end(); resolve(replies); }
      } catch (e) { if (!(e instanceof RangeError)) reject(e); }
    });
    sock.on('error', reject);
    for (const argv of commands) {
      sock.write(`*${argv.length}\r\n` + argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''));
    }
  });
}

async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? 6379);
  const [, info, docs] = await request(port, [['HELLO', '3'], ['COMMAND', 'INFO'], ['COMMAND', 'DOCS']]);
  const docsByName = new Map<string, RespNode>();
  for (const [name, doc] of (docs as { map: [RespNode, RespNode][] }).map) docsByName.set(name as string, doc);
  const commands: Record<string, { info: RespNode; docs: RespNode }> = {};
  for (const entry of (info as RespNode[]).sort((a, b) => ((a as RespNode[])[0] as string).localeCompare((b as RespNode[])[0] as string))) {
    const name = (entry as RespNode[])[0] as string;
    commands[name] = { info: entry, docs: docsByName.get(name) ?? { map: [] } };
  }
  const file = path.join(__dirname, '..', '..', 'src', 'commands', 'metadata', 'redis-commands.json');
  fs.writeFileSync(file, JSON.stringify({ source: 'redis-server 7.0.15', commands }) + '\n');
  console.log(`wrote ${Object.keys(commands).length} commands to ${file}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
