/**
 * The element's attributes, parsed and validated into the engine's settings. An invalid
 * value is reported once (not again on every later change of another attribute) and its
 * default is used.
 */
import { DEFAULT_PREFERENCES, type ChatSettings } from './engine/engine.js';
import { iceServersProblem } from './engine/ice-server-list.js';
import { AcceptFiles } from './engine/types.js';

/** PeerJS's default ICE configuration: one public STUN server. */
export const DEFAULT_ICE_SERVERS: RTCIceServer[] = [{ urls: 'stun:stun.l.google.com:19302' }];
/** The ids PeerJS accepts. */
const PEER_ID_PATTERN = /^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/;

/** An attribute removed (`null`) or a property a script set to `undefined` (a React prop dropped): its default. */
type Text = string | null | undefined;

/** The attribute values as the element holds them (strings from markup, or what a script set). */
export interface RawSettings {
  host: Text;
  port?: number;
  path: Text;
  key: Text;
  secure?: boolean | Text;
  iceServers: Text | RTCIceServer[];
  iceServersUrl: Text;
  iceTransportPolicy: Text;
  name: Text;
  acceptFiles: Text;
  maxFileSize?: number | string;
  reconnectTimeout?: number | string;
  maxHistory?: number | string;
}

export class SettingsReader {
  /** The invalid value last reported for each attribute. */
  readonly #reported = new Map<string, string>();

  /** @param report - called once for each invalid value, with a message naming the attribute */
  constructor(private readonly report: (message: string) => void) {}

  /** `raw`: the element itself (its properties are these); `requestedPeerId`: the `peer-id` it was given, which its `peerId` is only until registered. */
  read(raw: RawSettings, requestedPeerId: string, page: { protocol: string; hostname: string; port: string; href: string } | undefined): ChatSettings {
    const problems = new Map<string, string>();
    const invalid = (attribute: string, value: unknown, message: string) => problems.set(attribute, `${String(value)}\u0000${attribute}: ${message}`);
    const text = (value: Text) => String(value ?? '').trim();

    let secure = page?.protocol === 'https:';
    if (typeof raw.secure === 'boolean') secure = raw.secure;
    else if (raw.secure === '' || raw.secure === 'true' || raw.secure === 'secure') secure = true;
    else if (raw.secure === 'false') secure = false;
    else if (raw.secure != null) invalid('secure', raw.secure, `"${raw.secure}" is not true or false`);

    let port = Number(page?.port) || (secure ? 443 : 80);
    if (raw.port !== undefined && raw.port !== null) {
      if (Number.isInteger(raw.port) && raw.port > 0 && raw.port < 65536) port = raw.port;
      else invalid('port', raw.port, `"${raw.port}" is not a port number (1-65535)`);
    }

    // A name or an address, bracketed if IPv6: PeerJS puts it in its URLs as it is, and a scheme,
    // port or path in it made a URL the browser refuses, with no error said.
    let host = text(raw.host);
    if (host && !/^(\[[\da-f:.]+\]|[^\s/:?#@[\]\\]+)$/i.test(host)) {
      invalid('host', raw.host, `"${host}" is not a host name (port, path and secure are attributes of their own)`);
      host = '';
    }

    let peerId = requestedPeerId.trim();
    if (peerId && !PEER_ID_PATTERN.test(peerId)) {
      invalid('peer-id', peerId, `"${peerId}" is not a valid id (letters and digits, with single spaces, dashes or underscores between them)`);
      peerId = '';
    }

    let iceServers = DEFAULT_ICE_SERVERS;
    const givenIceServers = Array.isArray(raw.iceServers) ? raw.iceServers : text(raw.iceServers);
    if (givenIceServers) {
      const checked = checkIceServers(givenIceServers);
      if (typeof checked === 'string') invalid('ice-servers', raw.iceServers, checked);
      else iceServers = checked;
    }

    let iceServersUrl = '';
    const iceServersUrlText = text(raw.iceServersUrl);
    if (iceServersUrlText) {
      const url = parseUrl(iceServersUrlText, page?.href);
      if (url && (url.protocol === 'https:' || url.protocol === 'http:')) iceServersUrl = url.href;
      else invalid('ice-servers-url', raw.iceServersUrl, `"${raw.iceServersUrl}" is not an http(s) URL (absolute, or relative to the page)`);
    }

    let iceTransportPolicy: RTCIceTransportPolicy = 'all';
    if (raw.iceTransportPolicy === 'relay') iceTransportPolicy = 'relay';
    else if (raw.iceTransportPolicy && raw.iceTransportPolicy !== 'all') invalid('ice-transport-policy', raw.iceTransportPolicy, `"${raw.iceTransportPolicy}" is not one of all, relay`);

    let acceptFiles = DEFAULT_PREFERENCES.acceptFiles;
    if ((Object.values(AcceptFiles) as Text[]).includes(raw.acceptFiles)) acceptFiles = raw.acceptFiles as AcceptFiles;
    else if (raw.acceptFiles != null) invalid('accept-files', raw.acceptFiles, `"${raw.acceptFiles}" is not one of ask, always, never`);

    const count = (attribute: string, value: number | string | undefined, fallback: number, unit: string, min = 0): number => {
      if (value === undefined || value === null || value === '') return fallback;
      const parsed = Number(value);
      if (Number.isSafeInteger(parsed) && parsed >= min) return parsed;
      invalid(attribute, value, `"${value}" is not a number of ${unit}`);
      return fallback;
    };

    const settings: ChatSettings = {
      host: host || page?.hostname || 'localhost',
      port,
      // Unset, the element's default path; set empty, the server's root.
      path: text(raw.path ?? '/peerjs') || '/',
      key: raw.key || 'peerjs',
      secure,
      peerId,
      iceServers,
      iceServersUrl,
      iceTransportPolicy,
      name: text(raw.name),
      acceptFiles,
      maxFileSize: count('max-file-size', raw.maxFileSize, DEFAULT_PREFERENCES.maxFileSize, 'bytes'),
      reconnectTimeout: count('reconnect-timeout', raw.reconnectTimeout, DEFAULT_PREFERENCES.reconnectTimeout, 'milliseconds'),
      maxHistory: count('max-history', raw.maxHistory, DEFAULT_PREFERENCES.maxHistory, 'entries', 1),
    };

    // Report what is newly wrong; forget what was fixed, so breaking it again is reported again.
    for (const attribute of [...this.#reported.keys()]) if (!problems.has(attribute)) this.#reported.delete(attribute);
    for (const [attribute, problem] of problems) {
      if (this.#reported.get(attribute) === problem) continue;
      this.#reported.set(attribute, problem);
      this.report(problem.slice(problem.indexOf('\u0000') + 1));
    }
    return settings;
  }
}

/** Checks a list of ICE servers, as JSON (the attribute) or as set (the property); returns the list, or what is wrong with it. */
function checkIceServers(given: string | RTCIceServer[]): RTCIceServer[] | string {
  let parsed: unknown = given;
  try {
    if (typeof given === 'string') parsed = JSON.parse(given);
  } catch {
    return 'not valid JSON (expected an array of RTCIceServer)';
  }
  return iceServersProblem(parsed) ?? (parsed as RTCIceServer[]);
}

function parseUrl(value: string, base: string | undefined): URL | null {
  try {
    return new URL(value, base);
  } catch {
    return null;
  }
}
