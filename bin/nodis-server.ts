#!/usr/bin/env -S node --max-semi-space-size=2
/**
 * nodis-server: the command line of redis-server.
 *
 *   nodis-server [/path/to/redis.conf] [--directive value ...] [-]
 *
 * Any redis.conf directive is also a flag; flags are applied after the file (and after standard
 * input with `-`), so they override it. Start-up, signals and exit follow redis-server: the same
 * log lines, a pidfile while running, exit status 0 after SIGINT/SIGTERM and 1 on a bad
 * configuration (with Redis's FATAL CONFIG FILE ERROR text on stderr).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { Config, ConfigError } from '../src/config/config';
import { parseCommandLine, configText } from '../src/config/command-line';
import {
  ConfigFileOpenError, FatalConfigError, checkLoadedConfig, loadConfigFromString, readConfigFile,
} from '../src/config/conf-file';
import { strerror } from '../src/config/values';
import { Logger, type LogFormat, type LogLevel } from '../src/log';
import type { Server } from '../src/server/server';
import { heapLimitSetLine, heapTooSmallLine, type HeapPlan } from '../src/memory/node-flags';
import { followParent, planHeapForThisProcess, relaunch, takeRelaunchMarker } from '../src/memory/relaunch';
import { NODIS_RELEASE, NODIS_VERSION } from '../src/server/version';

const BITS = /64/.test(process.arch) ? 64 : 32;

export function versionLine(): string {
  return `Nodis server v=${NODIS_RELEASE} redis_version=${NODIS_VERSION} node=${process.version} bits=${BITS}`;
}

const EXAMPLES = `
Directives are those of redis.conf (see redis.conf.example); each can be given as a flag,
and the arguments after --name up to the next --name are its value. Flags override the file.

Examples:
  nodis-server                                  (run with the default configuration)
  echo 'maxmemory 128mb' | nodis-server -
  nodis-server /etc/nodis/nodis.conf
  nodis-server --port 7777
  nodis-server --port 7777 --save 900 1 --save 300 10
  nodis-server /etc/nodis/nodis.conf --loglevel verbose -
`;

/** Arguments after the program name, once --help and --version are handled by commander. */
function commandLineArgs(argv: string[]): string[] {
  const program = new Command('nodis-server')
    .usage('[/path/to/redis.conf] [--directive value ...] [-]')
    .description('A Redis-compatible in-memory server.')
    .argument('[config-and-directives...]', 'a config file, then --directive value pairs; "-" reads the config from stdin')
    // Like redis-server, only a first argument can be --help or --version: commander's own help
    // option would be found anywhere, so it is declared as a plain option and acted on here.
    .helpOption(false)
    .option('-h, --help', 'print this help')
    .version(versionLine(), '-v, --version', 'print the version')
    .addHelpText('after', EXAMPLES)
    .allowUnknownOption()
    .allowExcessArguments()
    .passThroughOptions()
    .action(() => undefined);
  program.parse(argv, { from: 'user' });
  if ((program.opts() as { help?: boolean }).help) program.help();
  return program.args;
}

interface LoadedConfiguration {
  config: Config;
  configFile: string | null;
  /** The text read from standard input (with `-`), else null. */
  stdinText: string | null;
}

/**
 * Reads the file, stdin and flags into a Config; exits with status 1 on a bad configuration.
 * `quiet`: the process was relaunched, and its parent already said it read stdin.
 */
function loadConfiguration(args: string[], early: Logger, quiet: boolean): LoadedConfiguration {
  const config = new Config();
  const commandLine = parseCommandLine(args);
  let stdinText: string | null = null;
  if (args.length === 0) return { config, configFile: null, stdinText };
  try {
    const fileText = commandLine.configFile !== null ? readConfigFile(commandLine.configFile) : '';
    if (commandLine.fromStdin) {
      if (!quiet) early.warning('Reading config from stdin');
      stdinText = fs.readFileSync(0, 'latin1');
    }
    loadConfigFromString(config, configText(fileText, stdinText ?? '', commandLine.options));
    // Like Redis's `dir`, which chdir()s: relative paths (logfile, pidfile, persistence files) start there.
    process.chdir(config.get('dir'));
    checkLoadedConfig(config);
  } catch (e) {
    if (e instanceof FatalConfigError) {
      process.stderr.write(e.format());
      process.exit(1);
    }
    if (e instanceof ConfigFileOpenError) {
      early.warning(e.message);
      process.exit(1);
    }
    throw e;
  }
  return { config, configFile: commandLine.configFile, stdinText };
}

/** Writes the pidfile, removed when the process exits. */
function createPidFile(server: Server): void {
  const pidfile = server.config.get('pidfile');
  if (pidfile === '') return;
  const file = path.resolve(pidfile);
  try {
    fs.writeFileSync(file, `${process.pid}\n`);
  } catch (e) {
    server.log.warning(`Failed to write PID file: ${strerror(e)}`);
    return;
  }
  process.on('exit', () => fs.rmSync(file, { force: true }));
}

/** What start-up says about the heap limit (see src/memory/node-flags.ts). */
interface HeapReport {
  plan: HeapPlan;
  /** The limit this process was relaunched with (MB), or null. */
  relaunchedWith: number | null;
}

function logStartup(server: Server, hadArgs: boolean, heap: HeapReport): void {
  const log = server.log;
  const port = server.config.get('port');
  log.role = 'C';
  log.warning('oO0OoO0OoO0Oo Nodis is starting oO0OoO0OoO0Oo');
  log.warning(`Nodis version=${NODIS_RELEASE}, redis_version=${NODIS_VERSION}, bits=${BITS}, pid=${process.pid}, just started`);
  if (hadArgs) log.warning('Configuration loaded');
  else log.warning('Warning: no config file specified, using the default config. In order to specify a config file use nodis-server /path/to/redis.conf');
  log.role = 'M';
  log.notice(`Nodis ${NODIS_RELEASE} (Redis ${NODIS_VERSION} compatible) on Node.js ${process.version}, ${BITS} bit, standalone mode, port ${port}, PID: ${process.pid}`);
  log.notice(`Running mode=standalone, port=${port}.`);
  const maxmemory = server.config.getNumber('maxmemory');
  if (heap.relaunchedWith !== null) log.notice(heapLimitSetLine(heap.relaunchedWith, maxmemory));
  if (heap.plan.action === 'warn') log.warning(heapTooSmallLine(heap.plan, maxmemory));
}

/**
 * SIGINT and SIGTERM shut down cleanly (saving first when save points are set); a second SIGINT
 * while stopping exits at once.
 */
function handleSignals(server: Server): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      if (signal === 'SIGINT') {
        server.log.warning('You insist... exiting now.');
        process.exit(1);
      }
      return;
    }
    stopping = true;
    server.log.warning(`Received ${signal} scheduling shutdown...`);
    void server.shutdown(`Received ${signal}`, true).then((exiting) => {
      if (exiting) return;
      // The final save failed: the server keeps running, and a later signal tries again.
      server.log.warning(`${signal} received but errors trying to shut down the server, check the logs for more information`);
      stopping = false;
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

async function main(argv: string[]): Promise<void> {
  const launchDir = process.cwd();
  const args = commandLineArgs(argv);
  const relaunchedWith = takeRelaunchMarker();
  const early = new Logger({ level: 'notice', file: '', format: 'legacy' });
  early.role = 'C';
  const { config, configFile, stdinText } = loadConfiguration(args, early, relaunchedWith !== null);
  // The heap limit is fixed when V8 starts: when it is too small for maxmemory, start again with
  // a larger one before anything else is loaded.
  const heapPlan = planHeapForThisProcess(config.getNumber('maxmemory'), relaunchedWith !== null);
  if (heapPlan.action === 'relaunch') {
    relaunch({ nodeArgs: heapPlan.nodeArgs, limitMb: heapPlan.limitMb, args, cwd: launchDir, stdinText });
    return;
  }
  if (relaunchedWith !== null) followParent();
  config.onChange((name, value) => {
    if (name !== 'dir') return;
    try {
      process.chdir(value);
    } catch (e) {
      throw new ConfigError(strerror(e));
    }
  });

  // Loaded only once the configuration is valid, so that a bad one fails fast.
  const { Server } = await import('../src/server/server.js');
  const server = new Server({ config });
  server.configFile = configFile ?? '';
  server.onShutdown = () => process.exit(0);
  logStartup(server, args.length > 0, { plan: heapPlan, relaunchedWith });
  createPidFile(server);
  handleSignals(server);
  const { loadPersistedData, StartupLoadError } = await import('../src/persistence/startup.js');
  // Persisted data may hold function libraries: the Lua engines must be ready first.
  await Promise.all(server.startupTasks);
  try {
    loadPersistedData(server);
  } catch (e) {
    // The reasons are in the log already.
    if (!(e instanceof StartupLoadError)) server.log.warning((e as Error).stack ?? String(e));
    await server.close();
    process.exit(1);
  }
  try {
    await server.listen();
  } catch (e) {
    // listen() closed the server and its log; a fresh logger reports why.
    const log = new Logger({
      level: config.get('loglevel') as LogLevel,
      file: config.get('logfile'),
      format: config.get('log-format') as LogFormat,
    });
    log.warning(`Warning: ${(e as Error).message}`);
    log.warning(`Failed listening on port ${config.get('port')} (tcp), aborting.`);
    log.close();
    process.exit(1);
  }
}

void main(process.argv.slice(2));
