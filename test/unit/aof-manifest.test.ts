/**
 * The AOF manifest: Redis 7.0's text format both ways, the names it derives from appendfilename,
 * the sequence numbers of new files, and the parse errors of aofLoadManifestFromFile.
 */
import { describe, expect, test } from 'vitest';
import { AofManifest, ManifestError, needsRepr } from '../../src/persistence/aof/manifest';

const parse = (text: string): AofManifest => AofManifest.parse(text, 'appendonly.aof');

function parseError(text: string): ManifestError {
  try {
    parse(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ManifestError);
    return e as ManifestError;
  }
  throw new Error('expected a ManifestError');
}

describe('parse and format', () => {
  test('the manifest redis-server writes', () => {
    const text = 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n';
    const m = parse(text);
    expect(m.base).toEqual({ name: 'appendonly.aof.1.base.rdb', seq: 1, type: 'b' });
    expect(m.incrs).toEqual([{ name: 'appendonly.aof.1.incr.aof', seq: 1, type: 'i' }]);
    expect(m.format()).toBe(text);
  });

  test('keys in any order, any case, unknown keys ignored, comments and CRLF', () => {
    const m = parse('# a comment\r\nseq 3 TYPE i FILE x.incr.aof future value\r\ntype h file old seq 1\n');
    expect(m.incrs).toEqual([{ name: 'x.incr.aof', seq: 3, type: 'i' }]);
    expect(m.history).toEqual([{ name: 'old', seq: 1, type: 'h' }]);
    expect(m.incrSeq).toBe(3);
    expect(m.format()).toBe('file old seq 1 type h\nfile x.incr.aof seq 3 type i\n');
  });

  test('names that need it are quoted as sdscatrepr does (redis-server: appendfilename \'my "aof\')', () => {
    const m = new AofManifest('my "aof');
    m.replaceBase(true);
    m.addIncr();
    const text = 'file "my \\"aof.1.base.rdb" seq 1 type b\nfile "my \\"aof.1.incr.aof" seq 1 type i\n';
    expect(m.format()).toBe(text);
    expect(AofManifest.parse(text, 'my "aof').format()).toBe(text);
    expect(needsRepr('plain.aof')).toBe(false);
    for (const name of ['a b', 'a\\b', 'a"b', 'a\tb', 'a\x00b', 'a\xffb', 'a\x7fb']) expect(needsRepr(name), name).toBe(true);
  });

  test('a comment-only file is a valid empty manifest', () => {
    expect(parse('# nothing\n').empty).toBe(true);
  });
});

describe('new files', () => {
  test('sequence numbers continue from the manifest; old bases and rewritten incr files become history', () => {
    const m = parse('file appendonly.aof.4.base.aof seq 4 type b\nfile appendonly.aof.6.incr.aof seq 6 type i\nfile appendonly.aof.7.incr.aof seq 7 type i\n');
    expect(m.addIncr()).toEqual({ name: 'appendonly.aof.8.incr.aof', seq: 8, type: 'i' });
    expect(m.replaceBase(true)).toEqual({ name: 'appendonly.aof.5.base.rdb', seq: 5, type: 'b' });
    m.retireIncrs(true);
    expect(m.format()).toBe(
      'file appendonly.aof.5.base.rdb seq 5 type b\n' +
        'file appendonly.aof.4.base.aof seq 4 type h\n' +
        'file appendonly.aof.6.incr.aof seq 6 type h\n' +
        'file appendonly.aof.7.incr.aof seq 7 type h\n' +
        'file appendonly.aof.8.incr.aof seq 8 type i\n',
    );
    m.retireIncrs(false);
    expect(m.incrs).toEqual([]);
  });

  test('lastIncr creates the first incr file of an empty manifest; clone is deep', () => {
    const m = new AofManifest('appendonly.aof');
    expect(m.lastIncr().name).toBe('appendonly.aof.1.incr.aof');
    expect(m.lastIncr().name).toBe('appendonly.aof.1.incr.aof');
    const copy = m.clone();
    copy.addIncr();
    copy.incrs[0].seq = 99;
    expect(m.incrs).toEqual([{ name: 'appendonly.aof.1.incr.aof', seq: 1, type: 'i' }]);
    expect(m.manifestName).toBe('appendonly.aof.manifest');
    expect(m.tempManifestName).toBe('temp-appendonly.aof.manifest');
    expect(m.tempIncrName).toBe('temp-appendonly.aof.incr');
  });
});

describe('errors, with the line as Redis logs it', () => {
  test.each([
    ['', 'Found an empty AOF manifest', null],
    ['file a seq 1 type b', 'The AOF manifest file contains too long line', null],
    [`file ${'x'.repeat(1100)} seq 1 type b\n`, 'The AOF manifest file contains too long line', null],
    ['file a seq 1 type b\n   \n', 'Invalid AOF manifest file format', 2],
    ['file a seq 1 type\n', 'Invalid AOF manifest file format', 1],
    ['file a seq 1 type b x\n', 'Invalid AOF manifest file format', 1],
    ['file "a seq 1 type b\n', 'Invalid AOF manifest file format', 1],
    ['file a seq x type b\n', 'Invalid AOF manifest file format', 1],
    ['name a seq 1 type b\n', 'Invalid AOF manifest file format', 1],
    ['file ../a seq 1 type b\n', "File can't be a path, just a filename", 1],
    ['file a seq 1 type b\nfile b seq 2 type b\n', 'Found duplicate base file information', 2],
    ['file a seq 3 type i\nfile b seq 2 type i\n', 'Found a non-monotonic sequence number', 2],
    ['file a seq 1 type z\n', 'Unknown AOF file type', 1],
  ])('%j: %s', (text, message, line) => {
    const e = parseError(text);
    expect(e.message).toBe(message);
    expect(e.lineNumber).toBe(line);
    const log = e.logLines().join('');
    expect(log).toContain('*** FATAL AOF MANIFEST FILE ERROR ***');
    if (line !== null) expect(log).toContain(`Reading the manifest file, at line ${line}\n`);
  });

  test('seq is read like atoll: leading digits count', () => {
    expect(parse('file a seq 12abc type b\n').base?.seq).toBe(12);
  });
});
