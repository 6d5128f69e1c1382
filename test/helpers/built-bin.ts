/**
 * The nodis-server bin as the CLI tests run it: dist/bin/nodis-server.js, compiled once per test
 * file before its tests start.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll } from 'vitest';

export const ROOT = path.resolve(__dirname, '../..');
export const BIN = path.join(ROOT, 'dist/bin/nodis-server.js');

/** Compiles the tree before the file's tests; fails them if the bin is not there afterwards. */
export function buildBinBeforeAll(): void {
  beforeAll(() => {
    // Type errors elsewhere in the tree do not stop tsc from emitting; the binary must exist.
    spawnSync('npx', ['tsc', '-p', '.'], { cwd: ROOT, stdio: 'ignore' });
    if (!fs.existsSync(BIN)) throw new Error(`${BIN} was not built`);
  }, 120000);
}
