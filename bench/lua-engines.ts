/**
 * Which Lua engine for EVAL: lua-redis-wasm (Redis's own Lua 5.1 compiled to WebAssembly) against
 * wasmoon (Lua 5.4, WebAssembly) and fengari (Lua 5.3, JavaScript).
 *
 *   npm run build && node dist/bench/lua-engines.js [--port 6379] [--calls 1000000] [--runs 20000]
 *
 * 1. Fidelity: each probe runs in redis-server (EVAL) and in each engine; a cell is "=" when the
 *    engine's reply is the one Redis gives, else the engine's reply. The other engines' replies
 *    are read with Redis's Lua-to-RESP rules (numbers truncated to integers, true -> 1,
 *    false -> nil), the minimum any host does, so what differs is the Lua itself.
 * 2. Binary safety: bytes 00 ff 41 into Lua as ARGV and out as a reply, and both ways through
 *    redis.call.
 * 3. Cost: a loop of `--calls` redis.call's into a JavaScript function (ns per iteration), and
 *    `return 1` run `--runs` times (microseconds per script).
 * Without --port it starts redis-server on a free port (needs redis-server on the PATH).
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { Command } from 'commander';
import { missingTool, startRedis, type RunningServer } from './lib/servers';
import { RespConnection } from './lib/resp-connection';
import { markdownTable } from './lib/stats';
import {
  createFengari,
  createLuaRedisWasm,
  createWasmoon,
  replyOfResp,
  sameReply,
  showReply,
  type HostCall,
  type LuaEngineUnderTest,
  type ScriptReply,
} from './lib/lua-engines';

/** [what it shows, script]. Every script returns one scalar, so RESP2 replies compare directly. */
const PROBES: [string, string][] = [
  ['float reply', 'return 3.99'],
  ['negative float reply', 'return -3.99'],
  ['division reply', 'return 10/3'],
  ['tostring(10/3)', 'return tostring(10/3)'],
  ['tostring(10/2)', 'return tostring(10/2)'],
  ['2^53 reply', 'return 2^53'],
  ['tostring(2^53)', 'return tostring(2^53)'],
  ['tostring(2^31)', 'return tostring(2^31)'],
  ['2^63 reply (out of range)', 'return 2^63'],
  ['integer literal 2^53+1', 'return tostring(9007199254740993)'],
  ['2147483647 + 1', 'return tostring(2147483647 + 1)'],
  ['tostring(math.floor(3.7))', 'return tostring(math.floor(3.7))'],
  ['math.floor(-3.5)', 'return math.floor(-3.5)'],
  ['tostring(1e15)', 'return tostring(1e15)'],
  ['tostring(-0.0)', 'return tostring(-0.0)'],
  ['tostring(0/0)', 'return tostring(0/0)'],
  ["string.format('%d', 3.7)", "return string.format('%d', 3.7)"],
  ["string.format('%.3f', 1/3)", "return string.format('%.3f', 1/3)"],
  ['"10" + 1 reply', 'return "10" + 1'],
  ['tostring("10" + 1)', 'return tostring("10" + 1)'],
  ['tostring("3.0" + 1)', 'return tostring("3.0" + 1)'],
  ['1.5 .. ""', 'return 1.5 .. ""'],
  ['"0x10" + 0', 'return tostring("0x10" + 0)'],
  ['# of {1, 2, nil, 4}', 'local t = {1, 2, nil, 4} return #t'],
  ['# with a hole at 3', 'local t = {} t[1] = 1 t[2] = 2 t[4] = 4 return #t'],
  ['7 // 2', 'return 7 // 2'],
  ['5 & 3', 'return 5 & 3'],
  ['1 << 4', 'return 1 << 4'],
  ['math.maxinteger', 'return math.maxinteger'],
  ['unpack', 'return select("#", unpack({1, 2, 3}))'],
  ['table.unpack', 'return type(table.unpack)'],
  ['loadstring', 'return loadstring("return 1 + 1")()'],
  ['setfenv', 'return type(rawget(_G, "setfenv"))'],
  ['getfenv', 'return type(rawget(_G, "getfenv"))'],
  ['math.pow(2, 10)', 'return math.pow(2, 10)'],
  ['table.getn', 'return table.getn({1, 2, 3})'],
  ['utf8 library', 'return type(rawget(_G, "utf8"))'],
  ['("x"):rep(3, ",")', 'return ("x"):rep(3, ",")'],
  ['string.rep with NUL', 'return string.rep("a\\0", 3)'],
  ['string.format %q with NUL', 'return string.format("%q", "a\\0b")'],
  ['cjson.encode', 'return cjson.encode({1, "a", true})'],
  ['cjson.decode', 'return cjson.decode("[1,2,3]")[3]'],
  ['cmsgpack.pack', 'return cmsgpack.pack(1, "a")'],
  ['struct.pack', 'return struct.pack(">I2", 258)'],
  ['bit.band', 'return bit.band(12, 10)'],
  ['bit.tohex', 'return bit.tohex(255)'],
  ['global write', 'x = 1 return x'],
  ['print', 'return type(rawget(_G, "print"))'],
  ['os', 'return type(rawget(_G, "os"))'],
  ['io', 'return type(rawget(_G, "io"))'],
  ['require', 'return type(rawget(_G, "require"))'],
  ['dofile', 'return type(rawget(_G, "dofile"))'],
  ['_VERSION', 'return _VERSION'],
];

const BINARY = '\x00\xffA';
/** Describes a Lua string as its length and bytes, e.g. "3:0,255,65". */
const DESCRIBE_ARG = "local s = ARGV[1] return #s .. ':' .. table.concat({string.byte(s, 1, -1)}, ',')";

/** [check, script, what a binary-safe engine returns]. The host echoes redis.call('ECHO', x). */
const BINARY_CHECKS: [string, string, ScriptReply][] = [
  ['ARGV in (00 ff 41)', DESCRIBE_ARG, { type: 'bulk', value: '3:0,255,65' }],
  ['reply out', "return '\\0\\255A'", { type: 'bulk', value: BINARY }],
  ['redis.call argument and reply', "return redis.call('ECHO', '\\0\\255A')", { type: 'bulk', value: BINARY }],
  ['redis.call reply into Lua', "local s = redis.call('ECHO', ARGV[1]) return #s .. ':' .. table.concat({string.byte(s, 1, -1)}, ',')", { type: 'bulk', value: '3:0,255,65' }],
];

interface Options {
  port?: string;
  calls: string;
  runs: string;
}

const host: HostCall = (args) => (args[0] === 'ECHO' ? (args[1] ?? '') : 1);

function nanoseconds(work: () => void): number {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start);
}

function ensureOk(engine: LuaEngineUnderTest, script: string): void {
  const reply = engine.run(script);
  if (reply.type !== 'integer') throw new Error(`${engine.label}: ${script.slice(0, 40)}... gave ${showReply(reply)}: ${'value' in reply ? reply.value : ''}`);
}

/** ns per iteration of a Lua loop making one redis.call, and µs per `return 1` script. */
function measureCosts(engine: LuaEngineUnderTest, calls: number, runs: number): { perCall: number; perScript: number } {
  const loop = `for i = 1, ${calls} do redis.call('INCR', 'counter') end return 1`;
  ensureOk(engine, `for i = 1, 1000 do redis.call('INCR', 'counter') end return 1`); // warm-up
  const perCall = nanoseconds(() => ensureOk(engine, loop)) / calls;
  for (let i = 0; i < 1000; i++) engine.run('return 1');
  const perScript = nanoseconds(() => {
    for (let i = 0; i < runs; i++) engine.run('return 1');
  }) / runs / 1000;
  return { perCall, perScript };
}

async function main(): Promise<void> {
  const o = new Command()
    .name('lua-engines')
    .description('Lua engines for EVAL: fidelity to Redis 7.0, binary safety, call and script costs')
    .option('--port <n>', 'a running redis-server to compare with (default: start one on a free port)')
    .option('--calls <n>', 'redis.call round trips timed per engine', '1000000')
    .option('--runs <n>', '`return 1` scripts timed per engine', '20000')
    .parse()
    .opts<Options>();
  const calls = Number(o.calls);
  const runs = Number(o.runs);
  if (!Number.isInteger(calls) || calls <= 0 || !Number.isInteger(runs) || runs <= 0) throw new Error('--calls and --runs must be positive integers');

  let server: RunningServer | null = null;
  let port = Number(o.port);
  if (o.port === undefined) {
    const missing = missingTool('redis-server');
    if (missing) throw new Error(missing);
    server = await startRedis();
    port = server.port;
  }
  const redis = await RespConnection.connect(port);
  try {
    const redisVersion = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.trim().split(' ').slice(0, 3).join(' ');
    const engines = [await createLuaRedisWasm(host), await createWasmoon(host), await createFengari(host)];
    console.log(`# Lua engines against ${redisVersion} (EVAL on port ${port})`);
    console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'})\n`);
    console.log(markdownTable(['engine', 'Lua'], engines.map((e) => [e.label, e.luaVersion])) + '\n');

    const differences = new Map(engines.map((e) => [e.label, 0]));
    const probeRows: string[][] = [];
    for (const [name, script] of PROBES) {
      const expected = replyOfResp(await redis.call(['EVAL', script, '0']));
      const cells = engines.map((engine) => {
        const reply = engine.run(script);
        if (sameReply(reply, expected)) return '=';
        differences.set(engine.label, differences.get(engine.label)! + 1);
        return showReply(reply);
      });
      probeRows.push([`\`${name}\``, showReply(expected), ...cells]);
    }
    probeRows.push(['**probes differing from Redis**', '', ...engines.map((e) => `${differences.get(e.label)} of ${PROBES.length}`)]);
    console.log('## Fidelity to Redis 7.0 (`=`: same reply as redis-server)\n');
    console.log(markdownTable(['probe', 'redis-server', ...engines.map((e) => e.label)], probeRows) + '\n');

    console.log('## Binary safety (bytes 00 ff 41 through the JavaScript <-> Lua boundary)\n');
    const binaryRows = BINARY_CHECKS.map(([name, script, expected]) => [
      name,
      ...engines.map((engine) => {
        const reply = engine.run(script, [BINARY]);
        return sameReply(reply, expected) ? 'ok' : `broken: ${showReply(reply)}`;
      }),
    ]);
    console.log(markdownTable(['check', ...engines.map((e) => e.label)], binaryRows) + '\n');

    console.log(`## Cost (${calls.toLocaleString('en-US')} redis.call round trips; \`return 1\` run ${runs.toLocaleString('en-US')} times)\n`);
    const costRows: string[][] = [];
    for (const engine of engines) {
      const { perCall, perScript } = measureCosts(engine, calls, runs);
      costRows.push([engine.label, Math.round(perCall).toLocaleString('en-US'), perScript.toFixed(1)]);
      console.error(`${engine.label}: ${perCall.toFixed(0)} ns per redis.call, ${perScript.toFixed(1)} µs per script`);
    }
    console.log(markdownTable(['engine', 'ns per redis.call', 'µs per `return 1`'], costRows));
  } finally {
    redis.close();
    await server?.stop();
  }
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});
