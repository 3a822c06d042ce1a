/**
 * Every string `<peer-chat>` shows, in one place. Override any of them through the element's
 * `strings` property (for another language, or other wording): `chat.strings = { send: 'Senden' }`.
 * A term is a string, or a function of what it talks about (a name, a count) where the
 * wording depends on it. Times and sizes are formatted with `Intl` for the element's language.
 */
export const defaultStrings = {
  ownIdLabel: 'Your id',
  registering: 'registering…',
  copy: 'Copy',
  copied: 'Copied',
  remoteIdLabel: 'Peer id to connect to',
  remoteIdPlaceholder: 'Peer id',
  connect: 'Connect',
  connecting: 'Connecting…',
  peersLabel: 'Connected peers',
  noPeers: 'No one connected yet',
  /** The disconnect button's tooltip. */
  disconnect: 'Disconnect',
  /** The disconnect button's accessible name. */
  disconnectPeer: (name: string): string => `Disconnect ${name}`,
  reconnectingPeer: 'reconnecting…',
  /** Marks a peer whose connection goes through a relay (TURN) server. */
  relayed: 'relayed',
  relayedHelp: 'No direct connection was possible: messages and files go through the relay (TURN) server, still end-to-end encrypted.',
  /** A peer without a name: `code` is four hex digits that stay the same for its id. */
  unnamedPeer: (code: string): string => `Peer ${code}`,
  /** Shown while a peer types. */
  typing: (name: string): string => `${name} is typing…`,
  /** The title of a received image, which opens it full size. */
  openImage: (fileName: string): string => `Open ${fileName} full size`,
  /** System notifications (attribute `notify`). */
  notifyMessage: (name: string): string => `Message from ${name}`,
  safetyCodeLabel: 'Safety code',
  safetyCodeHelp: 'Compare this code with your peer (by phone, or in person). If it is the same on both screens, no one is in the middle.',
  messagesLabel: 'Messages',
  showEarlier: 'Show earlier messages',
  inputLabel: 'Message',
  inputPlaceholder: 'Write a message. Enter sends, Shift+Enter adds a line',
  send: 'Send',
  attach: 'Send a file',
  dropHint: 'Drop a file to send it',
  you: 'You',
  accept: 'Accept',
  decline: 'Decline',
  cancel: 'Cancel',
  download: (fileName: string): string => `Download ${fileName}`,
  invite: {
    share: 'Invite',
    copied: 'Link copied',
    showQr: 'QR code',
    qrLabel: 'QR code of the invite link',
  },
  /** An outgoing message's status; `delivered` and `read` are shown as ticks, with these words for screen readers. */
  messageStatus: {
    pending: 'sending…',
    delivered: 'delivered',
    read: 'read',
    failed: 'not delivered',
  },
  signaling: {
    connecting: 'Connecting to server…',
    open: 'Online',
    reconnecting: 'Server lost, reconnecting… (chats go on)',
    closed: 'Offline',
  },
  transfer: {
    offered: (name: string): string => `${name} offers a file`,
    fits: 'fits in the storage available',
    doesNotFit: 'does not fit in the storage available',
    waiting: 'Waiting for the peer to accept',
    queued: 'Accepted: waiting for its turn',
    active: 'Transferring',
    paused: 'Paused: waiting for the peer to come back',
    done: 'Done',
    declined: 'Declined',
    cancelled: 'Cancelled',
    failed: 'Failed',
  },
};

type Widen<T> = { [K in keyof T]: T[K] extends string ? string : T[K] extends (...args: never[]) => string ? T[K] : Widen<T[K]> };
export type PeerChatStrings = Widen<typeof defaultStrings>;
export type PeerChatStringOverrides = {
  [K in keyof PeerChatStrings]?: PeerChatStrings[K] extends string | ((...args: never[]) => string) ? PeerChatStrings[K] : Partial<PeerChatStrings[K]>;
};

/** Merges overrides into the defaults, one level deep (as the nested groups are). */
export function mergeStrings(overrides: PeerChatStringOverrides | undefined): PeerChatStrings {
  const merged: Record<string, unknown> = { ...defaultStrings };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    const base = merged[key];
    if (typeof value === 'string' || typeof value === 'function') merged[key] = value;
    else if (value && typeof value === 'object' && typeof base === 'object') merged[key] = { ...base, ...value };
  }
  return merged as PeerChatStrings;
}

/** Formats times and sizes for one language (a BCP 47 tag; empty means the browser's). */
export class Formats {
  readonly #time: Intl.DateTimeFormat;
  readonly #sizes = new Map<string, Intl.NumberFormat>();

  constructor(readonly locale: string) {
    this.#time = new Intl.DateTimeFormat(locale || undefined, { hour: '2-digit', minute: '2-digit' });
  }

  formatTime(epochMs: number): string {
    return this.#time.format(epochMs);
  }

  /** 1.5 MB, in the language's digits and separators (units of 1000, as Intl names them). */
  formatBytes(bytes: number): string {
    const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;
    let value = bytes;
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    let format = this.#sizes.get(units[unit]);
    if (!format) {
      format = new Intl.NumberFormat(this.locale || undefined, { style: 'unit', unit: units[unit], unitDisplay: 'short', maximumFractionDigits: unit === 0 ? 0 : 1 });
      this.#sizes.set(units[unit], format);
    }
    return format.format(value);
  }
}
