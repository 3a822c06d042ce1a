/**
 * The one error type of `<peer-chat>`: every rejected promise and every `peer-chat-error`
 * carries one of the {@link ErrorType} values, never a PeerJS or browser error type.
 * Shared by every layer, so it depends on none.
 */

/** Why something failed: the `type` of a {@link PeerChatError} and of `peer-chat-error`. */
export const ErrorType = {
  /** An attribute has an invalid value; its default is used instead. */
  invalidAttribute: 'invalid-attribute',
  /** The signaling server could not be reached, or refused us. */
  signaling: 'signaling',
  /** Another client holds the id we asked for. */
  idTaken: 'id-taken',
  /** No peer with that id is registered. */
  unknownPeer: 'unknown-peer',
  /** The peer did not answer in time. */
  timeout: 'timeout',
  /** A connection could not be made or was lost. */
  connection: 'connection',
  /** The call needs a connected peer, and there is none (with that id). */
  notConnected: 'not-connected',
  /** Invalid input, or invalid data from a peer. */
  protocol: 'protocol',
  /** A file is larger than `max-file-size` allows. */
  fileTooLarge: 'file-too-large',
  /** A file transfer failed or was cancelled. */
  transfer: 'transfer',
  /** A received file's hash did not match the sender's: it was discarded (its one error: no `transfer` error follows). */
  integrity: 'integrity',
  /** A message could not be delivered: the peer did not come back in time. */
  delivery: 'delivery',
  /** With `persist`: the browser's storage (IndexedDB) failed; the chat goes on, unstored. */
  storage: 'storage',
  /** The receiver declined a file (a `sendFile()` rejection only). */
  declined: 'declined',
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

/** Marks the errors of every copy of this module: see {@link PeerChatError}. */
const PEER_CHAT_ERROR = Symbol.for('peer-chat.error');

/**
 * What `<peer-chat>` rejects with: `type` is machine-readable, `message` is for people.
 * `instanceof` holds across copies of this class: the parts of the bundle loaded on demand
 * carry their own, and a page may hold a script tag's bundle beside an app's.
 */
export class PeerChatError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && PEER_CHAT_ERROR in value;
  }

  /** On the prototype, so an error's own properties stay `type`, `message` and `peerId`. */
  get [PEER_CHAT_ERROR](): true {
    return true;
  }

  constructor(
    readonly type: ErrorType,
    message: string,
    /** The peer the failure concerns, if any. */
    readonly peerId?: string,
  ) {
    super(message);
    this.name = 'PeerChatError';
  }
}

/** What went wrong, in words, from anything thrown. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
