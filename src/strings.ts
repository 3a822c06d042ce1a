/**
 * Every string `<peer-chat>` shows. Override any of them through the element's `strings`
 * property (for another language, or other wording): `chat.strings = { send: 'Senden' }`.
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
  disconnect: 'Disconnect',
  reconnectingPeer: 'reconnecting…',
  safetyCodeLabel: 'Safety code',
  safetyCodeHelp: 'Compare this code with your peer (by phone, or in person). If it is the same on both screens, no one is in the middle.',
  messagesLabel: 'Messages',
  inputLabel: 'Message',
  inputPlaceholder: 'Write a message. Enter sends, Shift+Enter adds a line',
  send: 'Send',
  attach: 'Send a file',
  dropHint: 'Drop a file to send it',
  you: 'You',
  accept: 'Accept',
  decline: 'Decline',
  cancel: 'Cancel',
  download: 'Download',
  messageStatus: {
    pending: 'sending…',
    failed: 'not delivered',
  },
  signaling: {
    connecting: 'Connecting to server…',
    open: 'Online',
    reconnecting: 'Server lost, reconnecting… (chats go on)',
    closed: 'Offline',
  },
  transfer: {
    offered: 'offers a file',
    waiting: 'Waiting for the peer to accept',
    active: 'Transferring',
    paused: 'Paused: waiting for the peer to come back',
    done: 'Done',
    declined: 'Declined',
    cancelled: 'Cancelled',
    failed: 'Failed',
  },
} as const;

type Widen<T> = { [K in keyof T]: T[K] extends string ? string : Widen<T[K]> };
export type PeerChatStrings = Widen<typeof defaultStrings>;
export type PeerChatStringOverrides = { [K in keyof PeerChatStrings]?: PeerChatStrings[K] extends string ? string : Partial<PeerChatStrings[K]> };

/** Merges overrides into the defaults, one level deep (as the nested groups are). */
export function mergeStrings(overrides: PeerChatStringOverrides | undefined): PeerChatStrings {
  const merged: Record<string, unknown> = { ...defaultStrings };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    const base = merged[key];
    if (typeof value === 'string') merged[key] = value;
    else if (value && typeof value === 'object' && typeof base === 'object') merged[key] = { ...base, ...value };
  }
  return merged as PeerChatStrings;
}

/** Human-readable byte counts: 1.5 MiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
