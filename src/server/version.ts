/** The Redis version Nodis implements and reports (INFO, HELLO, redis.REDIS_VERSION). */
export const NODIS_VERSION = '7.0.15';
/** Nodis's own release, from package.json. */
export const NODIS_RELEASE: string = (require('../../../package.json') as { version: string }).version;
