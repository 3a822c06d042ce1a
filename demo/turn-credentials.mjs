// TURN REST API credentials (draft-uberti-behave-turn-rest), as coturn's `use-auth-secret`
// checks them: username "<unix expiry>:<user>", credential base64(HMAC-SHA1(secret, username)).
// The same scheme as PeerChat.AspNetCore's `GET {path}/ice`.
import { createHmac, randomBytes } from 'node:crypto';

export const DEFAULT_TTL_SECONDS = 3600;
export const MAX_TTL_SECONDS = 86_400;

/** Credentials for `user` (a random token when empty), valid `ttlSeconds` from `nowMs`. */
export function turnCredentials({ secret, user = '', ttlSeconds = DEFAULT_TTL_SECONDS, nowMs = Date.now() }) {
  const expiry = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = `${expiry}:${user || randomBytes(12).toString('base64url')}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/**
 * The TURN settings from the environment (TURN_URLS comma-separated, TURN_SECRET, TURN_TTL
 * in seconds), or null when TURN is not configured. Throws on an invalid value.
 */
export function turnFromEnvironment(env = process.env) {
  const urls = (env.TURN_URLS ?? '').split(',').map((url) => url.trim()).filter(Boolean);
  const secret = env.TURN_SECRET ?? '';
  if (urls.length === 0 && !secret) return null;
  if (urls.length === 0 || !secret) throw new Error('TURN_URLS and TURN_SECRET go together: set both, or neither');
  const bad = urls.find((url) => !/^turns?:/.test(url));
  if (bad) throw new Error(`TURN_URLS: "${bad}" is not a turn: or turns: URL`);
  const ttlSeconds = env.TURN_TTL === undefined ? DEFAULT_TTL_SECONDS : Number(env.TURN_TTL);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TTL_SECONDS) {
    throw new Error(`TURN_TTL: "${env.TURN_TTL}" is not a whole number of seconds from 1 to ${MAX_TTL_SECONDS}`);
  }
  return { urls, secret, ttlSeconds };
}

/** The body of `GET {path}/ice`: `{ iceServers, ttl }`, as `<peer-chat ice-servers-url>` reads it. */
export function iceServersDocument(turn, user, nowMs = Date.now()) {
  const { username, credential } = turnCredentials({ secret: turn.secret, user, ttlSeconds: turn.ttlSeconds, nowMs });
  return { iceServers: [{ urls: turn.urls, username, credential }], ttl: turn.ttlSeconds };
}
