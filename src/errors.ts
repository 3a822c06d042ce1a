/**
 * The Error that every failure of `<peer-chat>` rejects with: `type` is machine-readable, the
 * same values as `peer-chat-error`'s. Shared by every layer, so it depends on none.
 */
export class TypedError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly peerId?: string,
  ) {
    super(message);
    this.name = 'PeerChatError';
  }
}
