/**
 * Which arguments of a command are keys, for COMMAND GETKEYS / GETKEYSANDFLAGS: Redis 7.0's
 * getKeysFromCommandWithSpecs. The key specs from the command metadata are tried first; when they
 * cannot tell (variable flags, an "unknown" or "incomplete" spec, an invalid numkeys) the
 * command's own key-extraction procedure decides, as Redis's getkeys_proc does.
 */
import type { CommandSpec } from '../registry';
import type { RespNode } from '../../protocol/resp-node';
import { isOption } from '../arguments';

type BeginSearch =
  | { type: 'index'; index: number }
  | { type: 'keyword'; keyword: string; startFrom: number }
  | { type: 'unknown' };

type FindKeys =
  | { type: 'range'; lastKey: number; keyStep: number; limit: number }
  | { type: 'keynum'; keyNumIndex: number; firstKey: number; keyStep: number }
  | { type: 'unknown' };

export interface KeySpec {
  /** Redis's names: RO, RW, OW, RM, access, update, insert, delete, not_key, incomplete, variable_flags. */
  flags: string[];
  begin: BeginSearch;
  find: FindKeys;
}

/** One key argument: its position in argv and how the command accesses it. */
export interface KeyReference {
  pos: number;
  flags: string[];
}

const RO_ACCESS = ['RO', 'access'];
const RW_ACCESS_UPDATE = ['RW', 'access', 'update'];
const OW_UPDATE = ['OW', 'update'];

function mapEntries(node: RespNode | undefined): Map<string, RespNode> {
  const pairs = node && typeof node === 'object' && !Array.isArray(node) && 'map' in node ? node.map : [];
  return new Map(pairs.map(([k, v]) => [k as string, v]));
}

function setItems(node: RespNode | undefined): RespNode[] {
  return node && typeof node === 'object' && !Array.isArray(node) && 'set' in node ? node.set : [];
}

function parseKeySpec(node: RespNode): KeySpec {
  const m = mapEntries(node);
  const flags = setItems(m.get('flags')).map((f) => (f as { status: string }).status);
  const begin = mapEntries(m.get('begin_search'));
  const beginSpec = mapEntries(begin.get('spec'));
  const find = mapEntries(m.get('find_keys'));
  const findSpec = mapEntries(find.get('spec'));
  const num = (spec: Map<string, RespNode>, key: string): number => spec.get(key) as number;
  let parsedBegin: BeginSearch = { type: 'unknown' };
  if (begin.get('type') === 'index') parsedBegin = { type: 'index', index: num(beginSpec, 'index') };
  else if (begin.get('type') === 'keyword') {
    parsedBegin = { type: 'keyword', keyword: beginSpec.get('keyword') as string, startFrom: num(beginSpec, 'startfrom') };
  }
  let parsedFind: FindKeys = { type: 'unknown' };
  if (find.get('type') === 'range') {
    parsedFind = { type: 'range', lastKey: num(findSpec, 'lastkey'), keyStep: num(findSpec, 'keystep'), limit: num(findSpec, 'limit') };
  } else if (find.get('type') === 'keynum') {
    parsedFind = {
      type: 'keynum',
      keyNumIndex: num(findSpec, 'keynumidx'),
      firstKey: num(findSpec, 'firstkey'),
      keyStep: num(findSpec, 'keystep'),
    };
  }
  return { flags, begin: parsedBegin, find: parsedFind };
}

const parsedSpecs = new WeakMap<CommandSpec, KeySpec[]>();

/** The command's key specs, parsed from its COMMAND INFO entry once. */
export function keySpecsOf(spec: CommandSpec): KeySpec[] {
  let specs = parsedSpecs.get(spec);
  if (!specs) {
    specs = setItems(spec.info[8]).map(parseKeySpec);
    parsedSpecs.set(spec, specs);
  }
  return specs;
}

/** doesCommandHaveKeys: at least one key spec that describes real keys. */
export function commandHasKeys(spec: CommandSpec): boolean {
  return keySpecsOf(spec).some((s) => !s.flags.includes('not_key'));
}

/** Redis's string2ll: a canonical decimal integer, or null. */
function strictInteger(s: string): number | null {
  return /^(0|-?[1-9][0-9]{0,18})$/.test(s) ? Number(s) : null;
}

/** C's atoi: leading spaces, a sign and digits; anything else stops the number. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(s);
  if (!m) return 0;
  const n = Number(m[1]);
  return Math.max(-2147483648, Math.min(2147483647, n));
}

/** Where a spec's keys start, 0 when its keyword is absent, or null when the spec cannot tell. */
function firstKeyIndex(begin: BeginSearch, argv: string[]): number | null {
  const argc = argv.length;
  if (begin.type === 'index') return begin.index;
  if (begin.type === 'unknown') return null;
  const start = begin.startFrom > 0 ? begin.startFrom : argc + begin.startFrom;
  const end = begin.startFrom > 0 ? argc - 1 : 1;
  for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
    if (i >= argc || i < 1) break;
    if (argv[i].toLowerCase() === begin.keyword.toLowerCase()) return i + 1;
  }
  return 0;
}

/** getKeysUsingKeySpecs: the keys the specs describe, or null when one of them is invalid. */
function keysFromSpecs(spec: CommandSpec, specs: KeySpec[], argv: string[]): KeyReference[] | null {
  const argc = argv.length;
  const keys: KeyReference[] = [];
  for (const ks of specs) {
    if (ks.flags.includes('not_key')) continue;
    const first0 = firstKeyIndex(ks.begin, argv);
    if (first0 === null) return null;
    if (first0 === 0) continue; // the keyword is not there: no keys from this spec
    let first = first0;
    let last: number;
    let step: number;
    if (ks.find.type === 'range') {
      step = ks.find.keyStep;
      if (ks.find.lastKey >= 0) last = first + ks.find.lastKey;
      else if (!ks.find.limit) last = argc + ks.find.lastKey;
      else last = first + (Math.trunc((argc - first) / ks.find.limit) + ks.find.lastKey);
    } else if (ks.find.type === 'keynum') {
      step = ks.find.keyStep;
      const at = first + ks.find.keyNumIndex;
      if (at >= argc) return null;
      const numKeys = strictInteger(argv[at]);
      if (numKeys === null || numKeys < 0) return null;
      first += ks.find.firstKey;
      last = first + numKeys - 1;
    } else {
      return null;
    }
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) {
      if (i >= argc || i < first) {
        if (spec.arity < 0) continue;
        return null;
      }
      keys.push({ pos: i, flags: ks.flags });
    }
    if (ks.flags.includes('incomplete')) return null;
  }
  return keys;
}

type GetKeysProc = (argv: string[], specs: KeySpec[]) => KeyReference[];

/** SET: the flags depend on whether GET is given. */
function setKeys(argv: string[]): KeyReference[] {
  for (let i = 3; i < argv.length; i++) if (isOption(argv[i], 'GET')) return [{ pos: 1, flags: RW_ACCESS_UPDATE }];
  return [{ pos: 1, flags: OW_UPDATE }];
}

/** BITFIELD: read-only when it only has GET (and OVERFLOW) operations. */
function bitfieldKeys(argv: string[]): KeyReference[] {
  let readonly = true;
  for (let i = 2; i < argv.length; i++) {
    const remaining = argv.length - i - 1;
    if (isOption(argv[i], 'GET') && remaining >= 2) i += 2;
    else if ((isOption(argv[i], 'SET') || isOption(argv[i], 'INCRBY')) && remaining >= 3) {
      readonly = false;
      break;
    } else if (isOption(argv[i], 'OVERFLOW') && remaining >= 1) i += 1;
    else {
      readonly = false; // a syntax error: assume the worst
      break;
    }
  }
  return [{ pos: 1, flags: readonly ? RO_ACCESS : RW_ACCESS_UPDATE }];
}

/** SORT: the sorted key, and the last STORE destination if any. */
function sortKeys(argv: string[]): KeyReference[] {
  const keys: KeyReference[] = [{ pos: 1, flags: RO_ACCESS }];
  let store: KeyReference | null = null;
  const skip = new Map([['limit', 2], ['get', 1], ['by', 1]]);
  for (let i = 2; i < argv.length; i++) {
    const option = argv[i].toLowerCase();
    const skipped = skip.get(option);
    if (skipped !== undefined) i += skipped;
    else if (option === 'store' && i + 1 < argv.length) store = { pos: i + 1, flags: OW_UPDATE };
  }
  if (store) keys.push(store);
  return keys;
}

/** MIGRATE: the single key, or with KEYS (and an empty key argument) every key after it. */
function migrateKeys(argv: string[]): KeyReference[] {
  const flags = ['RW', 'access', 'delete'];
  let first = 3;
  let count = 1;
  const skip = new Map([['copy', 0], ['replace', 0], ['auth', 1], ['auth2', 2]]);
  for (let i = 6; i < argv.length; i++) {
    const option = argv[i].toLowerCase();
    if (option === 'keys') {
      if (argv[3].length > 0) return [];
      first = i + 1;
      count = argv.length - first;
      break;
    }
    i += skip.get(option) ?? 0;
  }
  return Array.from({ length: count }, (_, i) => ({ pos: first + i, flags }));
}

/**
 * genericGetKeys, for the commands with a numkeys argument (EVAL, ZUNIONSTORE, LMPOP, ...) when
 * their spec rejected it: numkeys is read with atoi, and a destination key precedes the others.
 */
function numkeysKeys(argv: string[], specs: KeySpec[]): KeyReference[] {
  const keynum = specs.find((s) => s.find.type === 'keynum');
  if (!keynum || keynum.begin.type !== 'index' || keynum.find.type !== 'keynum') return [];
  const countAt = keynum.begin.index + keynum.find.keyNumIndex;
  const firstAt = keynum.begin.index + keynum.find.firstKey;
  const step = keynum.find.keyStep;
  const count = atoi(argv[countAt] ?? '');
  if (count < 1 || count > Math.trunc((argv.length - firstAt) / step)) return [];
  const keys: KeyReference[] = [];
  for (let i = 0; i < count; i++) keys.push({ pos: firstAt + i * step, flags: [] });
  const store = specs.find((s) => s !== keynum && s.begin.type === 'index' && s.find.type === 'range');
  if (store && store.begin.type === 'index') keys.push({ pos: store.begin.index, flags: [] });
  return keys;
}

const GETKEYS_PROCS = new Map<string, GetKeysProc>([
  ['set', setKeys],
  ['bitfield', bitfieldKeys],
  ['sort', sortKeys],
  ['sort_ro', () => [{ pos: 1, flags: RO_ACCESS }]],
  ['migrate', migrateKeys],
]);

/**
 * getKeysFromCommandWithSpecs: the key arguments of `argv` (argv[0] is the command name, or the
 * container name followed by the subcommand). An empty result means none could be found.
 */
export function keysOfCommand(spec: CommandSpec, argv: string[]): KeyReference[] {
  const specs = keySpecsOf(spec);
  const hasVariableFlags = specs.some((s) => s.flags.includes('variable_flags'));
  if (commandHasKeys(spec) && !hasVariableFlags) {
    const keys = keysFromSpecs(spec, specs, argv);
    if (keys !== null) return keys;
  }
  const proc = GETKEYS_PROCS.get(spec.fullName);
  if (proc) return proc(argv, specs);
  return specs.some((s) => s.find.type === 'keynum') ? numkeysKeys(argv, specs) : [];
}
