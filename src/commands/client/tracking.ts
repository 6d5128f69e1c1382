/**
 * CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO: the commands of client-side caching. The
 * tracking table and the invalidation messages are in src/pubsub/tracking.ts.
 */
import type { CommandHandler } from '../registry';
import type { Client } from '../../server/client';
import { Errors, cText } from '../../protocol/errors';
import { isOption, parseInt64 } from '../arguments';
import { trackingOf, type TrackingOptions } from '../../pubsub/tracking';

const SWITCH_BCAST =
  "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.";
const SWITCH_OPTIN_OPTOUT =
  "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.";

/** A prefix as Redis's "%s" prints it in an error: up to the first NUL byte. */
const shown = (prefix: string): string => cText(prefix, Infinity);

/** Parses the options after ON|OFF; replies the error and returns null when one is invalid. */
function parseOptions(c: Client, argv: string[]): TrackingOptions | null {
  const options: TrackingOptions = { redirect: 0, bcast: false, optin: false, optout: false, noloop: false, prefixes: [] };
  for (let j = 3; j < argv.length; j++) {
    const option = argv[j];
    const moreArgs = j < argv.length - 1;
    if (isOption(option, 'REDIRECT') && moreArgs) {
      j++;
      if (options.redirect !== 0) {
        c.reply.error('ERR A client can only redirect to a single other client');
        return null;
      }
      const id = parseInt64(argv[j]);
      if (id === null) {
        c.reply.error(Errors.notInteger);
        return null;
      }
      // The client must exist now, even if it may go away later.
      if (id <= 0n || !c.server.clients.has(Number(id))) {
        c.reply.error('ERR The client ID you want redirect to does not exist');
        return null;
      }
      options.redirect = Number(id);
    } else if (isOption(option, 'BCAST')) {
      options.bcast = true;
    } else if (isOption(option, 'OPTIN')) {
      options.optin = true;
    } else if (isOption(option, 'OPTOUT')) {
      options.optout = true;
    } else if (isOption(option, 'NOLOOP')) {
      options.noloop = true;
    } else if (isOption(option, 'PREFIX') && moreArgs) {
      options.prefixes.push(argv[++j]);
    } else {
      c.reply.error(Errors.syntax);
      return null;
    }
  }
  return options;
}

/** The reason CLIENT TRACKING ON with these options is refused, or null. */
function enableRefusal(c: Client, options: TrackingOptions): string | null {
  const current = c.tracking;
  if (!options.bcast && options.prefixes.length > 0) return 'ERR PREFIX option requires BCAST mode to be enabled';
  if (current !== null && current.bcast !== options.bcast) return SWITCH_BCAST;
  if (options.bcast && (options.optin || options.optout)) return 'ERR OPTIN and OPTOUT are not compatible with BCAST';
  if (options.optin && options.optout) return "ERR You can't specify both OPTIN mode and OPTOUT mode";
  if (current !== null && ((options.optin && current.optout) || (options.optout && current.optin))) return SWITCH_OPTIN_OPTOUT;
  return null;
}

const overlaps = (a: string, b: string): boolean => a.startsWith(b) || b.startsWith(a);

/**
 * checkPrefixCollisionsOrReply, quirk included: a prefix overlapping an existing one refuses the
 * command, and so does the first new prefix overlapping a later one; a later new prefix
 * overlapping another only replies the error and tracking is enabled anyway (Redis 7.0 returns
 * the index as its verdict), so the client gets the error and then OK.
 */
function checkPrefixCollisions(c: Client, prefixes: string[]): boolean {
  const tracking = trackingOf(c.server);
  for (let i = 0; i < prefixes.length; i++) {
    const existing = tracking.existingOverlap(c, prefixes[i]);
    if (existing !== null) {
      c.reply.error(
        `ERR Prefix '${shown(prefixes[i])}' overlaps with an existing prefix '${shown(existing)}'. ` +
          'Prefixes for a single client must not overlap.',
      );
      return false;
    }
    for (let j = i + 1; j < prefixes.length; j++) {
      if (!overlaps(prefixes[i], prefixes[j])) continue;
      c.reply.error(
        `ERR Prefix '${shown(prefixes[i])}' overlaps with another provided prefix '${shown(prefixes[j])}'. ` +
          'Prefixes for a single client must not overlap.',
      );
      return i !== 0;
    }
  }
  return true;
}

/** CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP] */
function trackingCommand(c: Client, argv: string[]): void {
  const options = parseOptions(c, argv);
  if (options === null) return;
  const tracking = trackingOf(c.server);
  if (isOption(argv[2], 'ON')) {
    const refusal = enableRefusal(c, options);
    if (refusal !== null) return c.reply.error(refusal);
    if (options.bcast && !checkPrefixCollisions(c, options.prefixes)) return;
    tracking.enable(c, options);
  } else if (isOption(argv[2], 'OFF')) {
    tracking.disable(c);
  } else {
    return c.reply.error(Errors.syntax);
  }
  c.reply.ok();
}

/** CLIENT CACHING YES|NO: whether the next command's keys are tracked, in OPTIN/OPTOUT mode. */
function caching(c: Client, argv: string[]): void {
  const state = c.tracking;
  if (state === null) {
    return c.reply.error(
      'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled',
    );
  }
  if (isOption(argv[2], 'YES')) {
    if (!state.optin) return c.reply.error('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
  } else if (isOption(argv[2], 'NO')) {
    if (!state.optout) return c.reply.error('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
  } else {
    return c.reply.error(Errors.syntax);
  }
  state.caching = true;
  c.reply.ok();
}

/** CLIENT GETREDIR: the redirect client ID, 0 without redirection, -1 when not tracking. */
function getredir(c: Client): void {
  c.reply.integer(c.tracking ? c.tracking.redirect : -1);
}

/** CLIENT TRACKINGINFO: flags (a set), redirect and prefixes, as a map. */
function trackinginfo(c: Client): void {
  const state = c.tracking;
  const flags = [state ? 'on' : 'off'];
  if (state !== null) {
    if (state.bcast) flags.push('bcast');
    if (state.optin) flags.push('optin');
    if (state.optin && state.caching) flags.push('caching-yes');
    if (state.optout) flags.push('optout');
    if (state.optout && state.caching) flags.push('caching-no');
    if (state.noloop) flags.push('noloop');
    if (state.brokenRedirect) flags.push('broken_redirect');
  }
  const reply = c.reply;
  reply.map(3);
  reply.bulk('flags');
  reply.set(flags.length);
  for (const flag of flags) reply.bulk(flag);
  reply.bulk('redirect');
  reply.integer(state ? state.redirect : -1);
  reply.bulk('prefixes');
  reply.bulkArray(state ? [...state.prefixes].sort() : []);
}

export const trackingHandlers: Record<string, CommandHandler> = {
  'client|tracking': trackingCommand,
  'client|caching': caching,
  'client|getredir': getredir,
  'client|trackinginfo': trackinginfo,
};
