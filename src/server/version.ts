import * as fs from 'node:fs';
import * as path from 'node:path';

/** The Redis version Nodis implements and reports (INFO, HELLO, redis.REDIS_VERSION). */
export const NODIS_VERSION = '7.0.15';

/** Nodis's own release, read from the package.json above this file (in src/ or dist/src/). */
export const NODIS_RELEASE: string = (() => {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return '0.0.0';
})();
