import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { AcceptFiles, ChatController, PeerStatus, SignalingState, type ChatSettings, type PeerInfo } from './controller/chat-controller.js';
import { shouldDefine } from './define.js';
import { firePeerChatEvent } from './events.js';
import { ErrorType } from './errors.js';
import { Direction, MessageStatus, type ChatMessage } from './engine/types.js';
import { styles } from './peer-chat.styles.js';
import { formatBytes, mergeStrings, type PeerChatStringOverrides, type PeerChatStrings } from './strings.js';
import { TransferStatus, type TransferInfo } from './transfers/types.js';

/** PeerJS's default ICE configuration: one public STUN server. */
const DEFAULT_ICE_SERVERS: RTCIceServer[] = [{ urls: 'stun:stun.l.google.com:19302' }];
/** The ids PeerJS accepts. */
const PEER_ID_PATTERN = /^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/;

/** Properties whose change means reading the settings again. */
const SETTING_PROPERTIES = ['host', 'port', 'path', 'key', 'secure', 'peerId', 'iceServers', 'name', 'acceptFiles', 'maxFileSize', 'reconnectTimeout'];
const DEFAULT_RECONNECT_TIMEOUT_MS = 60_000;

/** Parses the `secure` attribute: absent means "like the page"; present means true unless "false". */
const secureConverter = {
  fromAttribute: (value: string | null) => (value === null ? undefined : value),
  toAttribute: (value: unknown) => (value === undefined ? null : String(value)),
};

/**
 * Peer-to-peer chat and file transfer over WebRTC, with a PeerJS signaling server.
 *
 * @summary Drop-in p2p chat: set the signaling server in markup, listen to DOM events.
 *
 * @fires peer-chat-ready - Registered with the signaling server. Detail: `{ peerId }`.
 * @fires peer-chat-signaling - The signaling connection changed state. Detail: `{ state }`: `connecting`, `open`, `reconnecting` or `closed`.
 * @fires peer-chat-connect - A peer connected (again, after a drop). Detail: `{ peerId, name?, safetyCode? }`.
 * @fires peer-chat-disconnect - A peer left or was disconnected. Detail: `{ peerId, reason? }`; `reason`: `closed` (connection lost), `timeout` (silent 3.5 s), `left` (it disconnected), `local`, `protocol` (cut off).
 * @fires peer-chat-message - A chat message was sent (`direction: 'out'`) or received (`'in'`). Detail: `{ id, from, text, time, direction }`.
 * @fires peer-chat-file-offer - A peer offers a file. Cancelable: `preventDefault()` declines it. Detail: `{ transferId, from, name, size, type }`.
 * @fires peer-chat-file-progress - Bytes moved in a transfer, on both sides. Detail: `{ transferId, peerId, direction, bytes, size }`.
 * @fires peer-chat-file - A file was received completely and its SHA-256 verified. Detail: `{ transferId, from, file }`.
 * @fires peer-chat-error - Something went wrong. Detail: `{ type, message, peerId? }`; `type`: `invalid-attribute`, `signaling`, `id-taken`, `unknown-peer`, `timeout`, `connection`, `not-connected`, `protocol`, `file-too-large`, `transfer`, `integrity`, `delivery`.
 *
 * @csspart base - The element's layout container.
 * @csspart header - The row with the status and the own id.
 * @csspart status - The signaling state.
 * @csspart own-id - The id peers use to reach this element.
 * @csspart copy-button - Copies the own id.
 * @csspart connect-form - The remote id input and connect button.
 * @csspart remote-id-input - Where a person types the id to connect to.
 * @csspart connect-button - Connects to the typed id.
 * @csspart peer-list - The list of connected peers.
 * @csspart peer - One connected peer.
 * @csspart peer-status - Shown on a peer that dropped and is being reconnected.
 * @csspart safety-code - A peer's safety code: the same on both screens unless someone is in the middle.
 * @csspart disconnect-button - Disconnects one peer.
 * @csspart messages - The message log.
 * @csspart message - One chat message (also `message-in` or `message-out`).
 * @csspart message-meta - A message's sender and time.
 * @csspart message-text - A message's text.
 * @csspart message-status - Shown on an outgoing message that is pending or failed (also `message-pending` or `message-failed` on the message).
 * @csspart transfer - One file transfer in the log (also `transfer-in` or `transfer-out`).
 * @csspart progress - A transfer's progress bar.
 * @csspart progress-text - A transfer's bytes and percent.
 * @csspart accept-button - Accepts an offered file.
 * @csspart decline-button - Declines an offered file.
 * @csspart cancel-button - Cancels a transfer.
 * @csspart download - The link to a received file.
 * @csspart composer - The message input and its buttons.
 * @csspart input - The message input: Enter sends, Shift+Enter adds a line.
 * @csspart send-button - Sends the message.
 * @csspart file-button - Picks a file to send.
 * @csspart drop-zone - The overlay shown while a file is dragged over the element.
 *
 * @cssproperty --peer-chat-font - Font family.
 * @cssproperty --peer-chat-background - Background color.
 * @cssproperty --peer-chat-foreground - Text color.
 * @cssproperty --peer-chat-muted - Secondary text color.
 * @cssproperty --peer-chat-border - Border color.
 * @cssproperty --peer-chat-accent - Buttons and highlights.
 * @cssproperty --peer-chat-accent-foreground - Text on accent-colored buttons.
 * @cssproperty --peer-chat-own-bubble - Background of own messages.
 * @cssproperty --peer-chat-peer-bubble - Background of peers' messages.
 * @cssproperty --peer-chat-error - Color of errors and warnings.
 * @cssproperty --peer-chat-radius - Corner radius.
 * @cssproperty --peer-chat-gap - Spacing between regions.
 * @cssproperty --peer-chat-height - Height of the element.
 */
export class PeerChat extends LitElement {
  static override styles = styles;

  /** Signaling server host name. Default: the page's host name. */
  @property() host = '';
  /** Signaling server port. Default: the page's port, else 443 or 80. */
  @property({ type: Number }) port?: number;
  /** Path the signaling server is mounted at. Default: `/peerjs`. */
  @property() path = '/peerjs';
  /** The signaling server's API key. Default: `peerjs`. */
  @property() key = 'peerjs';
  /** Use TLS (https/wss) for signaling; `secure="false"` turns it off. Default: true when the page is https. */
  @property({ converter: secureConverter }) secure?: boolean | string;
  /** Connect to this peer as soon as registered. */
  @property({ attribute: 'remote-id' }) remoteId = '';
  /** Display name shown to peers. */
  @property() name = '';
  /** JSON array of RTCIceServer (STUN/TURN); `[]` means host candidates only. Default: one public STUN server. */
  @property({ attribute: 'ice-servers' }) iceServers: string | RTCIceServer[] = '';
  /** What to do with offered files: `ask` the person (default), accept `always`, or `never`. */
  @property({ attribute: 'accept-files' }) acceptFiles: AcceptFiles = AcceptFiles.ask;
  /** Largest file, in bytes, this element sends or receives; larger ones are refused on both sides. Default: no limit. */
  @property({ attribute: 'max-file-size' }) maxFileSize?: number | string;
  /** How long, in ms, a peer that dropped may take to come back before its queued messages and transfers fail. Default: 60000. */
  @property({ attribute: 'reconnect-timeout' }) reconnectTimeout?: number | string;
  /** Overrides for the strings the element shows (see `defaultStrings`); property only. */
  @property({ attribute: false }) strings: PeerChatStringOverrides = {};

  private readonly chat = new ChatController(this);
  private requestedPeerId = '';
  private transportKey = '';
  private readonly fileUrls = new Map<File, string>();
  private renderedEntries = 0;

  @state() private dragging = false;
  @state() private connecting = false;
  @state() private copied = false;

  @query('[part~="input"]') private input!: HTMLTextAreaElement;
  @query('[part~="remote-id-input"]') private remoteIdInput!: HTMLInputElement;
  @query('input[type="file"]') private fileInput!: HTMLInputElement;
  @query('[part~="messages"]') private log!: HTMLElement;

  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'peer-id'];
  }

  /**
   * The id to register (attribute `peer-id`; empty lets the server assign one). After
   * registration: the registered id.
   */
  get peerId(): string {
    return this.chat.peerId || this.requestedPeerId;
  }
  set peerId(value: string) {
    const old = this.requestedPeerId;
    this.requestedPeerId = value == null ? '' : String(value);
    this.requestUpdate('peerId', old);
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (name === 'peer-id') this.peerId = value ?? '';
    else super.attributeChangedCallback(name, old, value);
  }

  /** Ids of the peers connected now. */
  get connectedPeers(): string[] {
    return this.chat.connectedPeers.map((peer) => peer.peerId);
  }

  /** Connected peers, and dropped ones being reconnected: id, name, status and safety code. */
  get peers(): PeerInfo[] {
    return this.chat.peerList;
  }

  /** Chat history, oldest first; outgoing messages carry their delivery `status`. */
  get messages(): ChatMessage[] {
    return this.chat.messages.map((message) => ({ ...message }));
  }

  /** File transfers, oldest first. */
  get transfers(): TransferInfo[] {
    return this.chat.transferList.map((transfer) => ({ ...transfer }));
  }

  /** State of the connection to the signaling server. */
  get signalingState(): SignalingState {
    return this.chat.signalingState;
  }

  /** Connects to a peer; resolves when the data connection is open. Rejects with an Error whose `type` says why (`unknown-peer`, `timeout`, `signaling`, …). */
  async connect(remoteId: string): Promise<void> {
    await this.chat.connect(remoteId);
  }

  /** Sends a chat message to `to`, or to every connected peer (queued for peers being reconnected); resolves with the message. */
  async send(text: string, to?: string): Promise<ChatMessage> {
    return this.chat.send(text, to);
  }

  /** Sends a file to `to`, or to every connected peer; resolves when the receivers hold every byte, verified. Rejects with `declined`, `transfer` or `file-too-large`. */
  async sendFile(file: File, to?: string): Promise<void> {
    await this.chat.sendFile(file, to);
  }

  /** Disconnects from `remoteId`, or from every peer. */
  async disconnect(remoteId?: string): Promise<void> {
    this.chat.disconnect(remoteId);
  }

  /** Accepts a file offered to us (when `accept-files` is `ask`). */
  acceptFile(transferId: string): void {
    this.chat.transfers.accept(transferId);
  }

  /** Declines a file offered to us. */
  declineFile(transferId: string): void {
    this.chat.transfers.decline(transferId);
  }

  /** Cancels a transfer in either direction. */
  cancelTransfer(transferId: string): void {
    this.chat.transfers.cancel(transferId);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('peer-chat-ready', this.connectToRemoteId);
    // Moved back into a document: register again (disconnectedCallback stopped everything).
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('peer-chat-ready', this.connectToRemoteId);
    this.transportKey = '';
    for (const url of this.fileUrls.values()) URL.revokeObjectURL(url);
    this.fileUrls.clear();
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (!this.isConnected) return;
    const starting = this.transportKey === '';
    if (starting || SETTING_PROPERTIES.some((name) => changed.has(name))) {
      const settings = this.readSettings();
      const { name, acceptFiles, maxFileSize, reconnectTimeout, ...transportSettings } = settings;
      const key = JSON.stringify(transportSettings);
      if (key !== this.transportKey) {
        this.transportKey = key;
        this.chat.start(settings);
      } else {
        this.chat.update({ name, acceptFiles, maxFileSize, reconnectTimeout });
      }
    }
    if (!starting && changed.has('remoteId')) this.connectToRemoteId();
  }

  protected override updated(): void {
    // Keep the newest entry in view unless the person scrolled up to read. Only when entries
    // were added: reading the layout on every progress update would cost a reflow each time.
    const entries = this.chat.messages.length + this.chat.transferList.length;
    if (entries === this.renderedEntries) return;
    this.renderedEntries = entries;
    const log = this.log;
    if (log && log.scrollHeight - log.scrollTop - log.clientHeight < 240) log.scrollTop = log.scrollHeight;
  }

  /** Reads the attributes into settings; each invalid one is reported and replaced by its default. */
  private readSettings(): ChatSettings {
    const page = globalThis.location;
    const pageSecure = page?.protocol === 'https:';
    const invalid = (attribute: string, message: string) =>
      firePeerChatEvent(this, 'peer-chat-error', { type: ErrorType.invalidAttribute, message: `${attribute}: ${message}` });

    let secure = pageSecure;
    if (typeof this.secure === 'boolean') secure = this.secure;
    else if (this.secure === '' || this.secure === 'true' || this.secure === 'secure') secure = true;
    else if (this.secure === 'false') secure = false;
    else if (this.secure !== undefined) invalid('secure', `"${this.secure}" is not true or false`);

    const pagePort = Number(page?.port) || (secure ? 443 : 80);
    let port = pagePort;
    if (this.port !== undefined && this.port !== null) {
      if (Number.isInteger(this.port) && this.port > 0 && this.port < 65536) port = this.port;
      else invalid('port', `"${this.getAttribute('port') ?? this.port}" is not a port number (1-65535)`);
    }

    const host = this.host.trim() || page?.hostname || 'localhost';
    const path = this.path.trim() || '/';

    let peerId = this.requestedPeerId.trim();
    if (peerId && !PEER_ID_PATTERN.test(peerId)) {
      invalid('peer-id', `"${peerId}" is not a valid id (letters and digits, with single spaces, dashes or underscores between them)`);
      peerId = '';
    }

    let iceServers = DEFAULT_ICE_SERVERS;
    if (Array.isArray(this.iceServers)) iceServers = this.iceServers;
    else if (this.iceServers.trim()) {
      const parsed = parseIceServers(this.iceServers);
      if (typeof parsed === 'string') invalid('ice-servers', parsed);
      else iceServers = parsed;
    }

    let acceptFiles: AcceptFiles = AcceptFiles.ask;
    if (Object.values(AcceptFiles).includes(this.acceptFiles)) acceptFiles = this.acceptFiles;
    else invalid('accept-files', `"${this.acceptFiles}" is not one of ask, always, never`);

    const count = (attribute: string, value: number | string | undefined, fallback: number, unit: string): number => {
      if (value === undefined || value === null || value === '') return fallback;
      const parsed = Number(value);
      if (Number.isSafeInteger(parsed) && parsed >= 0) return parsed;
      invalid(attribute, `"${value}" is not a number of ${unit}`);
      return fallback;
    };
    const maxFileSize = count('max-file-size', this.maxFileSize, Infinity, 'bytes');
    const reconnectTimeout = count('reconnect-timeout', this.reconnectTimeout, DEFAULT_RECONNECT_TIMEOUT_MS, 'milliseconds');

    return { host, port, path, key: this.key || 'peerjs', secure, peerId, iceServers, name: this.name.trim(), acceptFiles, maxFileSize, reconnectTimeout };
  }

  private readonly connectToRemoteId = (): void => {
    const remoteId = this.remoteId.trim();
    if (remoteId && this.chat.signalingState === SignalingState.open) {
      // Failures are reported as peer-chat-error events by the controller.
      this.chat.connect(remoteId).catch(() => {});
    }
  };

  // ---- rendering ------------------------------------------------------------------------

  protected override render(): TemplateResult {
    const strings = mergeStrings(this.strings);
    const state = this.chat.signalingState;
    const peers = this.chat.peerList;
    const anyoneConnected = peers.some((peer) => peer.status === PeerStatus.connected);
    const ownId = this.chat.peerId;
    return html`
      <div
        part="base"
        @dragenter=${this.handleDragOver}
        @dragover=${this.handleDragOver}
        @dragleave=${this.handleDragLeave}
        @drop=${this.handleDrop}
      >
        <div part="header">
          <span part="status" data-state=${state} role="status">${strings.signaling[state]}</span>
          <span>${strings.ownIdLabel}:</span>
          <span part="own-id">${ownId || strings.registering}</span>
          <button part="copy-button" ?disabled=${!ownId} @click=${this.copyOwnId}>${this.copied ? strings.copied : strings.copy}</button>
        </div>
        <form part="connect-form" @submit=${this.handleConnect}>
          <label class="visually-hidden" for="remote-id">${strings.remoteIdLabel}</label>
          <input id="remote-id" part="remote-id-input" placeholder=${strings.remoteIdPlaceholder} autocomplete="off" spellcheck="false" />
          <button part="connect-button" type="submit" ?disabled=${this.connecting || state !== SignalingState.open}>
            ${this.connecting ? strings.connecting : strings.connect}
          </button>
        </form>
        <ul part="peer-list" aria-label=${strings.peersLabel}>
          ${peers.length === 0
            ? html`<li>${strings.noPeers}</li>`
            : repeat(
                peers,
                (peer) => peer.peerId,
                (peer) => html`<li part="peer" data-peer-id=${peer.peerId} data-status=${peer.status}>
                  <span>${peer.name ? `${peer.name} (${peer.peerId})` : peer.peerId}</span>
                  ${peer.status === PeerStatus.reconnecting ? html`<span part="peer-status">${strings.reconnectingPeer}</span>` : nothing}
                  ${peer.safetyCode
                    ? html`<span part="safety-code" title=${strings.safetyCodeHelp}>${strings.safetyCodeLabel} ${peer.safetyCode}</span>`
                    : nothing}
                  <button part="disconnect-button" aria-label="${strings.disconnect} ${peer.peerId}" @click=${() => this.chat.disconnect(peer.peerId)}>×</button>
                </li>`,
              )}
        </ul>
        <div part="messages" role="log" aria-label=${strings.messagesLabel} tabindex="0">
          ${repeat(
            this.timeline(),
            (item) => ('transferId' in item ? `t${item.transferId}${item.peerId}` : `m${item.id}${item.from}`),
            (item) => ('transferId' in item ? this.renderTransfer(item, strings) : this.renderMessage(item, strings)),
          )}
        </div>
        <div part="composer">
          <label class="visually-hidden" for="input">${strings.inputLabel}</label>
          <textarea id="input" part="input" rows="2" placeholder=${strings.inputPlaceholder} @keydown=${this.handleKeydown}></textarea>
          <input type="file" id="file" class="visually-hidden" tabindex="-1" aria-hidden="true" multiple @change=${this.handleFilePicked} />
          <button part="file-button" ?disabled=${!anyoneConnected} @click=${() => this.fileInput.click()}>${strings.attach}</button>
          <button part="send-button" ?disabled=${peers.length === 0} @click=${this.sendTyped}>${strings.send}</button>
        </div>
        ${this.dragging ? html`<div part="drop-zone">${strings.dropHint}</div>` : nothing}
      </div>
    `;
  }

  /** Messages and transfers, in the order they happened. */
  private timeline(): Array<ChatMessage | TransferInfo> {
    return [...this.chat.messages, ...this.chat.transferList].sort((a, b) => a.time - b.time);
  }

  private peerName(peerId: string, strings: PeerChatStrings): string {
    if (peerId === this.chat.peerId) return strings.you;
    return this.chat.peerList.find((peer) => peer.peerId === peerId)?.name || peerId;
  }

  private renderMessage(message: ChatMessage, strings: PeerChatStrings) {
    const time = new Date(message.time);
    const who = message.direction === Direction.out ? strings.you : this.peerName(message.from, strings);
    const status = message.status && message.status !== MessageStatus.delivered ? message.status : '';
    return html`<div part="message message-${message.direction}${status ? ` message-${status}` : ''}" data-id=${message.id} data-status=${message.status ?? nothing}>
      <span part="message-meta"
        >${who} · <time datetime=${time.toISOString()}>${time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</time>${status
          ? html` · <span part="message-status">${strings.messageStatus[status]}</span>`
          : nothing}</span
      >
      <span part="message-text">${message.text}</span>
    </div>`;
  }

  private renderTransfer(transfer: TransferInfo, strings: PeerChatStrings) {
    const percent = transfer.size > 0 ? Math.floor((transfer.bytes / transfer.size) * 100) : 100;
    const incoming = transfer.direction === Direction.in;
    const who = incoming ? this.peerName(transfer.peerId, strings) : strings.you;
    const status = transfer.status === TransferStatus.offered ? `${who} ${strings.transfer.offered}` : strings.transfer[transfer.status];
    const moving = transfer.status === TransferStatus.active || transfer.status === TransferStatus.waiting || transfer.status === TransferStatus.paused;
    return html`<div part="transfer transfer-${transfer.direction}" data-transfer-id=${transfer.transferId} data-status=${transfer.status}>
      <span part="message-meta">${who} · ${transfer.name} · ${formatBytes(transfer.size)}</span>
      <span>${status}${transfer.reason ? `: ${transfer.reason}` : ''}</span>
      ${transfer.status === TransferStatus.active || transfer.status === TransferStatus.paused || transfer.status === TransferStatus.done
        ? html`<progress part="progress" max=${transfer.size || 1} value=${transfer.size ? transfer.bytes : 1} aria-label="${transfer.name}: ${percent}%"></progress>
            <span part="progress-text">${formatBytes(transfer.bytes)} / ${formatBytes(transfer.size)} (${percent}%)</span>`
        : nothing}
      ${transfer.status === TransferStatus.offered
        ? html`<button part="accept-button" @click=${() => this.chat.transfers.accept(transfer.transferId)}>${strings.accept}</button>
            <button part="decline-button" @click=${() => this.chat.transfers.decline(transfer.transferId)}>${strings.decline}</button>`
        : nothing}
      ${moving ? html`<button part="cancel-button" @click=${() => this.chat.transfers.cancel(transfer.transferId)}>${strings.cancel}</button>` : nothing}
      ${incoming && transfer.status === TransferStatus.done && transfer.file
        ? html`<a part="download" href=${this.urlOf(transfer.file)} download=${transfer.name}>${strings.download} ${transfer.name}</a>`
        : nothing}
    </div>`;
  }

  private urlOf(file: File): string {
    let url = this.fileUrls.get(file);
    if (!url) {
      url = URL.createObjectURL(file);
      this.fileUrls.set(file, url);
    }
    return url;
  }

  // ---- the person's actions ---------------------------------------------------------------

  private async handleConnect(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const remoteId = this.remoteIdInput.value.trim();
    this.connecting = true;
    try {
      await this.chat.connect(remoteId);
      this.remoteIdInput.value = '';
    } catch {
      // Reported as a peer-chat-error event by the controller.
    } finally {
      this.connecting = false;
    }
  }

  private handleKeydown(event: KeyboardEvent): void {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.sendTyped();
    }
  }

  private sendTyped(): void {
    const text = this.input.value;
    if (!text.trim()) return;
    try {
      this.chat.send(text);
      this.input.value = '';
    } catch {
      // Reported as a peer-chat-error event; the text stays in the input so nothing is lost.
    }
  }

  private async copyOwnId(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.chat.peerId);
      this.copied = true;
      setTimeout(() => (this.copied = false), 1500);
    } catch {
      // No clipboard permission: the id is selectable (user-select: all) for copying by hand.
      const selection = getSelection();
      const idNode = this.renderRoot.querySelector('[part~="own-id"]');
      if (selection && idNode) selection.selectAllChildren(idNode);
    }
  }

  private handleFilePicked(): void {
    this.sendFiles(this.fileInput.files);
    this.fileInput.value = '';
  }

  private sendFiles(files: FileList | null | undefined): void {
    for (const file of files ?? []) {
      // Failures are reported as peer-chat-error events and shown on the transfer.
      this.chat.sendFile(file).catch(() => {});
    }
  }

  private handleDragOver(event: DragEvent): void {
    if (!event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    this.dragging = true;
  }

  private handleDragLeave(event: DragEvent): void {
    const base = event.currentTarget as HTMLElement;
    if (!base.contains(event.relatedTarget as Node | null)) this.dragging = false;
  }

  private handleDrop(event: DragEvent): void {
    event.preventDefault();
    this.dragging = false;
    this.sendFiles(event.dataTransfer?.files);
  }
}

/** Checks a JSON list of ICE servers; returns the list, or what is wrong with it. */
function parseIceServers(json: string): RTCIceServer[] | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return 'not valid JSON (expected an array of RTCIceServer)';
  }
  if (!Array.isArray(parsed)) return 'expected a JSON array of RTCIceServer';
  const valid = parsed.every((server: unknown) => {
    if (typeof server !== 'object' || server === null) return false;
    const urls = (server as RTCIceServer).urls;
    return typeof urls === 'string' || (Array.isArray(urls) && urls.every((url) => typeof url === 'string'));
  });
  return valid ? (parsed as RTCIceServer[]) : 'each entry needs "urls": a string or an array of strings';
}

// Not Lit's @customElement: that would throw when a second copy of peer-chat loads (see define.ts).
if (shouldDefine('peer-chat')) customElements.define('peer-chat', PeerChat);

declare global {
  interface HTMLElementTagNameMap {
    'peer-chat': PeerChat;
  }
}
