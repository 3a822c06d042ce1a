import { LitElement, html, nothing, svg, type PropertyValues, type TemplateResult } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import { ChatController } from './controller/chat-controller.js';
import { invitedPeerId, inviteUrl } from './invite/invite-link.js';
import { shouldDefine } from './define.js';
import { ErrorType } from './errors.js';
import { firePeerChatEvent } from './events.js';
import {
  AcceptFiles,
  Direction,
  MessageStatus,
  PeerStatus,
  Route,
  SignalingState,
  type ChatEventDetails,
  type ChatEventName,
  type ChatMessage,
  type HistoryEntry,
  type PeerInfo,
} from './engine/types.js';
import type { QrDrawing } from './invite/qr.js';
import { styles } from './peer-chat.styles.js';
import { SettingsReader } from './settings.js';
import { Formats, mergeStrings, type PeerChatStringOverrides, type PeerChatStrings } from './strings.js';
import { PROGRESS_DRAW_INTERVAL_MS, TransferStatus, isFinished, type TransferInfo } from './transfers/types.js';
import { splitLinks } from './ui/linkify.js';
import { initialOf, messageLabel, peerCode, peerHue } from './ui/peer-label.js';
import { SeenTracker } from './ui/seen.js';

/** The color scheme: the page's preference (`auto`), or a fixed one. */
export type Theme = 'auto' | 'light' | 'dark';
const THEMES: readonly string[] = ['auto', 'light', 'dark'];

/** How a peer is shown, by id: its name or short label (`short`: as above a message, see messageLabel), and its colored initial. */
type PeerLabel = { label: string; short: string; initial: string; hue: number };
type PeerLabels = (peerId: string) => PeerLabel;

/** A paperclip, for the file button (its name is in a visually hidden label). */
const ATTACH_ICON = svg`<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M21 11l-8.5 8.5a5 5 0 0 1-7-7L14 4a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4L15.5 7"/></svg>`;

/**
 * Entries the log shows at first, and adds each time the person asks for earlier ones. The
 * window holds one to two pages: with 5,000 in the log, a message cost 2.30 and 2.32 ms of
 * main-thread CPU with pages of 100, 3.16 and 3.14 with pages of 200 (two runs).
 */
const LOG_PAGE = 100;
/**
 * Entries per group of the log (a box of its own, skipped while out of view): a new entry is
 * inserted, laid out and painted within its group, not among the whole window. Smaller groups
 * make a new entry cheaper (the group it joins lays out and paints again) and give the browser
 * more groups to watch: with 5,000 in the log, one message took 5.26 ms with 20 against 5.97 with 40.
 */
const LOG_GROUP = 20;

/** `Node.DOCUMENT_POSITION_FOLLOWING`, as a number the bundle inlines (the bundle is at its size limit). */
const FOLLOWING = 4;

/** Properties whose change means reading the settings again. */
const SETTING_PROPERTIES = ['host', 'port', 'path', 'key', 'secure', 'peerId', 'iceServers', 'iceServersUrl', 'iceTransportPolicy', 'name', 'acceptFiles', 'maxFileSize', 'reconnectTimeout', 'maxHistory', 'persist'];

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
 * @fires peer-chat-connect - A peer connected (again, after a drop). Detail: `{ peerId, name?, safetyCode?, route? }`; `route`: `direct`, or `relay` (through a TURN server).
 * @fires peer-chat-disconnect - A peer left or was disconnected. Detail: `{ peerId, reason }`; `reason`: `closed` (connection lost), `timeout` (silent 3.5 s), `left` (it disconnected), `local`, `protocol` (cut off).
 * @fires peer-chat-message - A chat message was sent (`direction: 'out'`) or received (`'in'`). Detail: `{ id, from, text, time, direction }`.
 * @fires peer-chat-file-offer - A peer offers a file. Cancelable: `preventDefault()` declines it. Detail: `{ transferId, from, name, size, type }`.
 * @fires peer-chat-file-progress - Bytes moved in a transfer, on both sides. Detail: `{ transferId, peerId, direction, bytes, size }`.
 * @fires peer-chat-file - A file was received completely and verified. Detail: `{ transferId, from, file }`; `file.type` is what the sender claimed: a link to it should be of `file.slice(0, file.size, 'application/octet-stream')`, as the element's own are (docs/security.md).
 * @fires peer-chat-unread - The number of messages received while the person was away (`unread`) changed. Detail: `{ count }`.
 * @fires peer-chat-error - Something went wrong. Detail: `{ type, message, peerId? }`; `type`: `invalid-attribute`, `signaling`, `id-taken`, `unknown-peer`, `timeout`, `connection`, `not-connected`, `protocol`, `file-too-large`, `transfer`, `integrity`, `delivery`, `storage`.
 *
 * @csspart base - The element's layout container.
 * @csspart header - The row with the status and the own id.
 * @csspart status - The signaling state.
 * @csspart own-id - The id peers use to reach this element.
 * @csspart copy-button - Copies the own id.
 * @csspart invite-button - Shares the invite link (`inviteUrl`), or copies it where the browser cannot share.
 * @csspart invite - Shows and hides the invite link's QR code.
 * @csspart invite-qr - The QR code of the invite link (SVG, drawn locally).
 * @csspart connect-form - The remote id input and connect button.
 * @csspart remote-id-input - Where a person types the id to connect to.
 * @csspart connect-button - Connects to the typed id.
 * @csspart peer-list - The list of connected peers.
 * @csspart peer - One connected peer.
 * @csspart avatar - A peer's colored initial (its hue comes from the peer's id).
 * @csspart peer-status - Shown on a peer that dropped and is being reconnected.
 * @csspart peer-relayed - Shown on a peer whose connection goes through a relay (TURN) server; its tooltip says what that means.
 * @csspart connect-error - Why the last connection attempt failed (for example: a relay server is needed), in plain words.
 * @csspart safety-code - A peer's safety code: the same on both screens unless someone is in the middle.
 * @csspart disconnect-button - Disconnects one peer.
 * @csspart messages - The message log.
 * @csspart show-earlier - Shows earlier entries of a long log (the log shows the newest ones, a page at a time).
 * @csspart message - One chat message (also `message-in` or `message-out`).
 * @csspart message-meta - A message's sender and time.
 * @csspart message-text - A message's text; `http:`, `https:` and `mailto:` URLs in it are links (part `link`).
 * @csspart link - A link in a message's text: opens in a new tab, with `rel="noopener noreferrer"`.
 * @csspart message-status - An outgoing message's status: `sending…`, ticks for delivered (✓) and read (✓✓) with words for screen readers, or `not delivered` (also `message-pending` or `message-failed` on the message).
 * @csspart typing - The line saying who is typing.
 * @csspart transfer - One file transfer in the log (also `transfer-in` or `transfer-out`).
 * @csspart progress - A transfer's progress bar.
 * @csspart progress-text - A transfer's bytes and percent.
 * @csspart accept-button - Accepts an offered file.
 * @csspart decline-button - Declines an offered file.
 * @csspart cancel-button - Cancels a transfer.
 * @csspart download - The link to a received file.
 * @csspart preview - A received (or sent) PNG, JPEG, GIF or WebP image, scaled, with an `img` inside: clicking opens it full size.
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
 * @cssproperty --peer-chat-preview-size - Largest height of an inline image. Default: 12rem.
 */
export class PeerChat extends LitElement {
  static override styles = styles;
  static override properties = {
    host: {},
    port: { type: Number },
    path: {},
    key: {},
    secure: { converter: secureConverter },
    remoteId: { attribute: 'remote-id' },
    name: {},
    iceServers: { attribute: 'ice-servers' },
    iceServersUrl: { attribute: 'ice-servers-url' },
    iceTransportPolicy: { attribute: 'ice-transport-policy' },
    acceptFiles: { attribute: 'accept-files' },
    maxFileSize: { attribute: 'max-file-size' },
    reconnectTimeout: { attribute: 'reconnect-timeout' },
    maxHistory: { attribute: 'max-history' },
    persist: {},
    mesh: { type: Boolean },
    theme: { reflect: true },
    notify: { type: Boolean },
    strings: { attribute: false },
    shownEntries: { state: true, attribute: false },
    dragging: { state: true, attribute: false },
    connecting: { state: true, attribute: false },
    copied: { state: true, attribute: false },
    drawQr: { state: true, attribute: false },
    connectFailure: { state: true, attribute: false },
  };

  /** Signaling server host name or address (an IPv6 one in brackets), without scheme, port or path. Default: the page's host name. */
  host = '';
  /** Signaling server port. Default: the page's port, else 443 or 80. */
  port?: number;
  /** Path the signaling server is mounted at. Default: `/peerjs`. */
  path = '/peerjs';
  /** The signaling server's API key. Default: `peerjs`. */
  key = 'peerjs';
  /** Use TLS (https/wss) for signaling; `secure="false"` turns it off. Default: true when the page is https. */
  secure?: boolean | string;
  /** Connect to this peer as soon as registered. */
  remoteId = '';
  /** Display name shown to peers. */
  name = '';
  /** JSON array of RTCIceServer (STUN/TURN: `stun:`, `stuns:`, `turn:` or `turns:` URLs, the TURN ones with `username` and `credential`); `[]` means host candidates only. Default: one public STUN server. */
  iceServers: string | RTCIceServer[] = '';
  /**
   * URL (absolute, or relative to the page) of a JSON document `{ "iceServers": RTCIceServer[], "ttl": seconds }`:
   * short-lived TURN credentials, fetched before registering and again before `ttl` runs out. If it
   * cannot be fetched, a `peer-chat-error` (`signaling`) names it and `ice-servers` is used.
   */
  iceServersUrl = '';
  /** `all` (default): direct connections where possible, else relayed; `relay`: only through TURN relays. */
  iceTransportPolicy: RTCIceTransportPolicy = 'all';
  /** What to do with offered files: `ask` the person (default), accept `always`, or `never`. */
  acceptFiles: AcceptFiles = AcceptFiles.ask;
  /** Largest file, in bytes, this element sends or receives; larger ones are refused on both sides. Default: no limit. */
  maxFileSize?: number | string;
  /** How long, in ms, a peer that dropped may take to come back before its queued messages and transfers fail. Default: 60000. */
  reconnectTimeout?: number | string;
  /** Messages and finished transfers kept; older ones leave the history (and their files are released). Default: 1000. */
  maxHistory?: number | string;
  /**
   * Keep the own id, the messages, the DTLS certificate, the delivery state and the peers in
   * IndexedDB: after a reload the element carries on with the same id and re-dials its peers.
   * The value, if any, is a storage key that keeps two chats of one site apart. A second tab
   * with the same key gets an id of its own. Absent: nothing is written.
   */
  persist: string | null = null;
  /** Take part in groups: connected elements that both have `mesh` introduce their peers, so each joins every member. */
  mesh = false;
  /** Colors: `auto` (default) follows the page's `prefers-color-scheme`; `light` or `dark` fixes them. */
  theme?: Theme;
  /** Show a system notification for a message or file offer that arrives while the page is hidden. Permission is asked on the person's first click in the element. */
  notify = false;
  /** Overrides for the strings the element shows (see `defaultStrings`); property only. */
  strings: PeerChatStringOverrides = {};

  readonly #chat = new ChatController(this, {
    registered: () => this.#connectToRemoteId(),
    // Out of the history, a message can no longer be seen: not unread (nor told, as for clearHistory()).
    released: (entry) => (entry.kind === 'message' ? this.#unreadKeys.delete(`${entry.message.from}\n${entry.message.id}`) : this.#releaseUrl(entry.transfer.file)),
    emitting: (name, detail) => this.#arrived(name, detail),
  });
  readonly #seen = new SeenTracker(this, (nodes) => this.#markSeen(nodes));
  /** Incoming messages received while the person was away and not seen since, by `from` and `id`. */
  readonly #unreadKeys = new Set<string>();
  /** Each file's image type, told by its first bytes (ui/image.ts); '' while they are read, or for a file not shown inline. */
  readonly #inlineImages = new WeakMap<File, string>();
  readonly #settings = new SettingsReader((message) =>
    firePeerChatEvent(this, 'peer-chat-error', { type: ErrorType.invalidAttribute, message }),
  );
  #requestedPeerId = '';
  #transportKey = '';
  /** A new map once the URLs are revoked (the element left the page): drawn entries then take new ones. */
  #fileUrls = new Map<File, string>();
  #formats = new Formats('');
  /** The invite link last made, and what it was made of. */
  #invite = { page: '', peerId: '', url: '' };

  /** How many of the newest entries the log shows at least: a long history costs a render no more than a short one. */
  private shownEntries = LOG_PAGE;
  /**
   * How many it shows now: new entries are added to the window, which is cut back to
   * `shownEntries` only once it holds a page more. Cutting the oldest at every message would
   * move, and repaint, the whole log each time.
   */
  #windowSize = LOG_PAGE;
  /** The newest entry the log showed last, to count what arrived since. */
  #newestShownKey = '';
  /** Entries counted as arrived since the element started: the number of the newest, which gives each entry its group. */
  #arrivedInAll = 0;
  /**
   * Entries the log gained since the last update, counted from its end, where new ones arrive;
   * Infinity when any of them may be new to it (earlier ones shown, or the log to be watched
   * again). See `updated`.
   */
  #newEntries = Infinity;
  /**
   * Whether the log keeps its newest entry in view: until the person scrolls up to read, and
   * again once they scroll back to the end. Known from the log's scroll events (not those before
   * a scroll to the newest that is due), not measured after entries arrive: a burst taller than
   * the margin is no reason to stop following.
   */
  #followsNewest = true;
  /** Asked for once `notify` is set: most pages never notify. */
  #notificationsLoading: Promise<void> | null = null;
  /** Loaded (see above): until then, nothing arriving is notified and a click asks nothing. */
  #notifications: typeof import('./ui/notifications.js') | null = null;
  /** A scroll to the newest entry waits for the next frame (see `#scrollToNewest`). */
  #scrollDue = false;
  private dragging = false;
  private connecting = false;
  /** Which copy button just copied. */
  private copied: 'id' | 'invite' | '' = '';
  /** The QR code, once its module is loaded (the first time it is shown). */
  private drawQr: ((text: string) => QrDrawing) | null = null;
  /** Why the last connect from the form or `remote-id` failed, shown until the next attempt. */
  private connectFailure = '';

  get #input(): HTMLTextAreaElement {
    return this.renderRoot.querySelector('[part~="input"]')!;
  }
  get #remoteIdInput(): HTMLInputElement {
    return this.renderRoot.querySelector('[part~="remote-id-input"]')!;
  }
  get #fileInput(): HTMLInputElement {
    return this.renderRoot.querySelector('input[type="file"]')!;
  }
  #logElement: HTMLElement | null = null;
  /** Made once, by the first render. */
  get #log(): HTMLElement {
    return (this.#logElement ??= this.renderRoot.querySelector('[part~="messages"]')!);
  }

  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'peer-id'];
  }

  /**
   * The id to register (attribute `peer-id`; empty lets the server assign one). After
   * registration: the registered id.
   */
  get peerId(): string {
    return this.#engine.peerId || this.#requestedPeerId;
  }
  set peerId(value: string) {
    this.#requestedPeerId = value == null ? '' : String(value);
    // Changed whatever the getter says: once registered it answers the registered id, which the new value may equal.
    this.requestUpdate('peerId');
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (name === 'peer-id') this.peerId = value ?? '';
    else super.attributeChangedCallback(name, old, value);
  }

  /** The page's URL with `?peer-chat=<own id>`: opened elsewhere, it connects to this element. Empty before registration. */
  get inviteUrl(): string {
    const page = globalThis.location.href;
    const peerId = this.#engine.peerId;
    // Made again only when the page or the id changed: parsed at every render, it cost 0.15 ms a message.
    if (page !== this.#invite.page || peerId !== this.#invite.peerId) this.#invite = { page, peerId, url: inviteUrl(page, peerId) };
    return this.#invite.url;
  }

  /** Ids of the peers connected now. */
  get connectedPeers(): string[] {
    return this.#engine.connectedPeers.map((peer) => peer.peerId);
  }

  /** Connected peers, and dropped ones being reconnected: id, name, status, safety code and `route` (`direct` or `relay`: through a TURN server). */
  get peers(): PeerInfo[] {
    return this.#engine.peers;
  }

  /** Chat history in the order it happened here, oldest first; outgoing messages carry their delivery `status`. */
  get messages(): ChatMessage[] {
    return this.#engine.messages;
  }

  /** File transfers, oldest first: copies, never the live transfers. */
  get transfers(): TransferInfo[] {
    return this.#engine.transferList;
  }

  /** Messages received while the page was hidden or the element out of view, not seen since and still in the history (`peer-chat-unread` tells when it changes; `clearHistory()` sets it to 0 without the event). */
  get unread(): number {
    return this.#unreadKeys.size;
  }

  /** State of the connection to the signaling server. */
  get signalingState(): SignalingState {
    return this.#engine.signalingState;
  }

  /** Connects to a peer; resolves when the data connection is open. Rejects with a `PeerChatError` whose `type` says why (`unknown-peer`, `timeout`, `signaling`, …). */
  connect(remoteId: string): Promise<void> {
    return this.#engine.connect(remoteId);
  }

  /** Sends a chat message to `to`, or to every connected peer (queued for peers being reconnected); resolves with the message. */
  async send(text: string, to?: string): Promise<ChatMessage> {
    return this.#engine.send(text, to);
  }

  /** Sends a file to `to`, or to every connected peer; resolves when the receivers hold every byte, verified. Rejects with `declined`, `transfer` or `file-too-large`. */
  async sendFile(file: File, to?: string): Promise<void> {
    await this.#engine.sendFile(file, to);
  }

  /** Disconnects from `remoteId`, or from every peer. */
  async disconnect(remoteId?: string): Promise<void> {
    this.#engine.disconnect(remoteId);
  }

  /** Accepts a file offered to us (when `accept-files` is `ask`). */
  acceptFile(transferId: string): void {
    this.#engine.transfers.accept(transferId);
  }

  /** Declines a file offered to us. */
  declineFile(transferId: string): void {
    this.#engine.transfers.decline(transferId);
  }

  /** Cancels a transfer in either direction. */
  cancelTransfer(transferId: string): void {
    this.#engine.transfers.cancel(transferId);
  }

  /** Forgets the messages and finished transfers, and releases the files they hold. Transfers still running stay. */
  clearHistory(): void {
    this.#engine.clearHistory();
    this.#unreadKeys.clear();
  }

  get #engine() {
    return this.#chat.engine;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Moved back into a document: register again (disconnectedCallback stopped everything).
    this.requestUpdate();
    this.#seen.start();
    // Its observations ended with disconnectedCallback: watch the log's messages again.
    this.#newEntries = Infinity;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#seen.stop();
    this.#transportKey = '';
    for (const url of this.#fileUrls.values()) URL.revokeObjectURL(url);
    this.#fileUrls = new Map();
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (!this.isConnected) return;
    if (this.notify) this.#notificationsLoading ??= import('./ui/notifications.js').then((module) => void (this.#notifications = module), () => {});
    const locale = this.closest<HTMLElement>('[lang]')?.lang ?? '';
    if (locale !== this.#formats.locale) this.#formats = new Formats(locale);
    const starting = this.#transportKey === '';
    if (starting || SETTING_PROPERTIES.some((name) => changed.has(name))) {
      const settings = this.#settings.read(this, this.#requestedPeerId, globalThis.location);
      const { name, acceptFiles, maxFileSize, reconnectTimeout, maxHistory, ...connection } = settings;
      // Absent, removed (null) or unset by a script (undefined, a React prop dropped): nothing is stored.
      const persist = this.persist ?? null;
      const key = JSON.stringify({ ...connection, persist });
      if (key !== this.#transportKey) {
        this.#transportKey = key;
        // Storage code is loaded only by the pages that use it.
        const store = persist === null ? null : import('./engine/indexeddb-store.js').then(({ IndexedDbStore }) => new IndexedDbStore(persist || 'peer-chat'));
        this.#engine.start(settings, store);
      } else {
        this.#engine.update({ name, acceptFiles, maxFileSize, reconnectTimeout, maxHistory });
      }
    }
    if (!starting && changed.has('remoteId')) this.#connectToRemoteId();
    this.#engine.setMesh(this.mesh);
    if (changed.has('theme') && this.theme != null && !THEMES.includes(this.theme)) {
      firePeerChatEvent(this, 'peer-chat-error', { type: ErrorType.invalidAttribute, message: `theme: "${this.theme}" is not one of ${THEMES.join(', ')}` });
    }
  }

  protected override updated(): void {
    // Only when entries were added: scrolling on every progress update would cost a reflow each time.
    if (this.#newEntries === 0) return;
    const added = this.#newEntries;
    this.#newEntries = 0;
    const log = this.#log;
    if (this.#followsNewest) this.#scrollToNewest();
    // Only the new entries, at the end (in the last groups): no search through the whole window at every message.
    let count = 0;
    for (let group = log.lastElementChild; group && count < added; group = group.previousElementSibling) {
      for (let node = group.lastElementChild; node && count < added; count++, node = node.previousElementSibling) {
        if (node.matches('[part~="message-in"]')) this.#seen.watch(node);
      }
    }
  }

  /**
   * Brings the newest entry into view at the next frame, once however many renders came before
   * it: setting `scrollTop` lays the log out at once, and a burst of 200 messages, a render each,
   * spent 110–130 ms of its 110–180 ms in those layouts. Whether to follow is decided now: a
   * scroll event before the frame (the window cut back) measures entries not scrolled to yet.
   */
  #scrollToNewest(): void {
    if (this.#scrollDue) return;
    this.#scrollDue = true;
    requestAnimationFrame(() => {
      this.#scrollDue = false;
      const log = this.#log;
      log.scrollTop = log.scrollHeight;
    });
  }

  /** A message or file offer from a peer: counted as unread while the person is away; notified while the page is hidden. */
  #arrived<K extends ChatEventName>(name: K, detail: ChatEventDetails[K]): void {
    const incoming =
      name === 'peer-chat-message' && (detail as ChatEventDetails['peer-chat-message']).direction === Direction.in
        ? (detail as ChatEventDetails['peer-chat-message'])
        : null;
    if (incoming && this.#seen.away) {
      this.#unreadKeys.add(`${incoming.from}\n${incoming.id}`);
      firePeerChatEvent(this, 'peer-chat-unread', { count: this.#unreadKeys.size });
    }
    const notifications = this.#notifications;
    if (!this.notify || !notifications || document.visibilityState !== 'hidden') return;
    const strings = mergeStrings(this.strings);
    const labels = this.#peerLabels(strings);
    // An offer `accept-files="never"` declines at once asks nothing of the person.
    const offer = name === 'peer-chat-file-offer' && this.acceptFiles !== AcceptFiles.never ? (detail as ChatEventDetails['peer-chat-file-offer']) : null;
    notifications.notifyArrival(strings, (peerId) => labels(peerId).label, incoming, offer);
  }

  /** The person saw these incoming messages: they are read, and no longer unread. */
  #markSeen(nodes: Element[]): void {
    const before = this.#unreadKeys.size;
    for (const node of nodes) {
      const { from = '', id = '' } = (node as HTMLElement).dataset;
      this.#unreadKeys.delete(`${from}\n${id}`);
      this.#engine.seen(from, id);
      // Watched no more: those that left the log unseen (scrolled past, then cut from its window), and
      // the same peer's earlier ones, which this one's read receipt covers, unless they are unread.
      this.#seen.forget(
        (earlier) =>
          !earlier.isConnected ||
          ((earlier.compareDocumentPosition(node) & FOLLOWING) > 0 &&
            (earlier as HTMLElement).dataset.from === from &&
            !this.#unreadKeys.has(`${from}\n${(earlier as HTMLElement).dataset.id}`)),
      );
    }
    if (this.#unreadKeys.size !== before) firePeerChatEvent(this, 'peer-chat-unread', { count: this.#unreadKeys.size });
  }

  /** Names peers by their name, or by a short label that stays the same for their id. */
  #peerLabels(strings: PeerChatStrings): PeerLabels {
    const names = new Map(this.#engine.peers.map((peer) => [peer.peerId, peer.name]));
    // Once per peer and render, not once per message shown.
    const known = new Map<string, PeerLabel>();
    return (peerId) => {
      let label = known.get(peerId);
      if (!label) {
        const name = names.get(peerId);
        const code = peerCode(peerId);
        const full = name || strings.unnamedPeer(code);
        label = { label: full, short: messageLabel(full), initial: initialOf(name || code), hue: peerHue(peerId) };
        known.set(peerId, label);
      }
      return label;
    };
  }

  readonly #logScrolled = () => {
    // Before a scroll to the newest that is due: entries that arrived since the last one are not
    // the person scrolling away (nor is the window cut back, which moves the log's content up).
    if (this.#scrollDue) return;
    const log = this.#log;
    this.#followsNewest = log.scrollHeight - log.scrollTop - log.clientHeight < 240;
  };

  #connectToRemoteId(): void {
    const remoteId = (this.remoteId ?? '').trim() || invitedPeerId(globalThis.location.href);
    if (remoteId && remoteId !== this.#engine.peerId && this.#engine.signalingState === SignalingState.open) {
      // Failures are reported as peer-chat-error events by the engine, and shown.
      this.connectFailure = '';
      this.#engine.connect(remoteId).catch((error: Error) => (this.connectFailure = error.message));
    }
  }

  // ---- rendering ------------------------------------------------------------------------

  protected override render(): TemplateResult {
    const strings = mergeStrings(this.strings);
    const state = this.#engine.signalingState;
    const peers = this.#engine.peers;
    const labels = this.#peerLabels(strings);
    const anyoneConnected = peers.some((peer) => peer.status === PeerStatus.connected);
    const ownId = this.#engine.peerId;
    const entries = this.#shownWindow();
    const peerNames = peers.map((peer) => `${peer.peerId}\n${peer.name}`).join('\n');
    return html`
      <div
        part="base"
        @click=${this.#handleClick}
        @dragenter=${this.#handleDragOver}
        @dragover=${this.#handleDragOver}
        @dragleave=${this.#handleDragLeave}
        @drop=${this.#handleDrop}
      >
        <div part="header">
          <span part="status" data-state=${state} role="status">${strings.signaling[state]}</span>
          <span>${strings.ownIdLabel}:</span>
          <span part="own-id">${ownId || strings.registering}</span>
          <button part="copy-button" ?disabled=${!ownId} @click=${this.#copyOwnId}>${this.copied === 'id' ? strings.copied : strings.copy}</button>
          ${this.#renderInvite(strings)}
        </div>
        <form part="connect-form" @submit=${this.#handleConnect}>
          <label class="visually-hidden" for="remote-id">${strings.remoteIdLabel}</label>
          <input id="remote-id" part="remote-id-input" placeholder=${strings.remoteIdPlaceholder} autocomplete="off" spellcheck="false" />
          <button part="connect-button" type="submit" ?disabled=${this.connecting || state !== SignalingState.open}>
            ${this.connecting ? strings.connecting : strings.connect}
          </button>
        </form>
        ${this.connectFailure ? html`<p part="connect-error" role="alert">${this.connectFailure}</p>` : nothing}
        <ul part="peer-list" aria-label=${strings.peersLabel}>
          ${peers.length === 0
            ? html`<li>${strings.noPeers}</li>`
            : repeat(
                peers,
                (peer) => peer.peerId,
                (peer) => this.#renderPeer(peer, labels(peer.peerId), strings),
              )}
        </ul>
        <div part="messages" role="log" aria-label=${strings.messagesLabel} tabindex="0" @scroll=${this.#logScrolled}>
          ${this.#engine.entryCount > entries.length
            ? html`<button part="show-earlier" @click=${this.#showEarlier}>${strings.showEarlier}</button>`
            : nothing}
          ${repeat(
            this.#groupsOf(entries),
            (group) => group.id,
            (group) =>
              guard(
                this.#groupLook(group.entries, peerNames),
                () => html`<div class="group">${repeat(group.entries, entryKey, (entry) => this.#renderEntry(entry, strings, labels))}</div>`,
              ),
          )}
        </div>
        <div part="typing" aria-live="polite">${this.#engine.typing.map((peerId) => html`<span>${strings.typing(labels(peerId).label)}</span>`)}</div>
        <div part="composer">
          <label class="visually-hidden" for="input">${strings.inputLabel}</label>
          <textarea id="input" part="input" rows="1" placeholder=${strings.inputPlaceholder} @keydown=${this.#handleKeydown} @input=${() => this.#engine.typed()}></textarea>
          <input type="file" id="file" class="visually-hidden" tabindex="-1" aria-hidden="true" multiple @change=${this.#handleFilePicked} />
          <button part="file-button" ?disabled=${!anyoneConnected} @click=${() => this.#fileInput.click()}>
            ${ATTACH_ICON}<span class="visually-hidden">${strings.attach}</span>
          </button>
          <button part="send-button" ?disabled=${peers.length === 0} @click=${this.#sendTyped}>${strings.send}</button>
        </div>
        ${this.dragging ? html`<div part="drop-zone">${strings.dropHint}</div>` : nothing}
      </div>
    `;
  }

  /** The newest entries, as many as the window holds (see `windowSize`). */
  #shownWindow(): HistoryEntry[] {
    const recent = this.#engine.recentEntries(this.shownEntries + LOG_PAGE);
    let arrived = recent.length;
    for (let index = recent.length - 1; index >= 0; index--) {
      if (entryKey(recent[index]) === this.#newestShownKey) {
        arrived = recent.length - 1 - index;
        break;
      }
    }
    this.#windowSize += arrived;
    this.#newEntries += arrived;
    this.#arrivedInAll += arrived;
    if (this.#windowSize > this.shownEntries + LOG_PAGE) this.#windowSize = this.shownEntries;
    const newest = recent.at(-1);
    this.#newestShownKey = newest ? entryKey(newest) : '';
    return recent.slice(Math.max(0, recent.length - this.#windowSize));
  }

  /** The shown entries in groups of LOG_GROUP, numbered from the first entry ever shown: an entry stays in its group as the window moves. */
  #groupsOf(entries: HistoryEntry[]): Array<{ id: number; entries: HistoryEntry[] }> {
    const groups: Array<{ id: number; entries: HistoryEntry[] }> = [];
    let number = this.#arrivedInAll - entries.length;
    for (const entry of entries) {
      const id = Math.floor(number++ / LOG_GROUP);
      if (groups.at(-1)?.id !== id) groups.push({ id, entries: [] });
      groups.at(-1)!.entries.push(entry);
    }
    return groups;
  }

  /**
   * What a group of the log shows depends on: a group whose look is unchanged is not rendered
   * again, so a new message renders one group, not every group and row of the window. A
   * message's entry is the same object until its status changes (see recentEntries); a
   * transfer (a new snapshot at each render) makes its group render each time.
   */
  #groupLook(entries: HistoryEntry[], peerNames: string): unknown[] {
    return [this.strings, this.#formats, peerNames, ...entries];
  }

  readonly #showEarlier = () => {
    this.shownEntries += LOG_PAGE;
    this.#windowSize += LOG_PAGE;
    this.#newEntries = Infinity;
  };

  #renderInvite(strings: PeerChatStrings) {
    const url = this.inviteUrl;
    const qr = url && this.drawQr?.(url);
    return html`<button part="invite-button" ?disabled=${!url} @click=${this.#shareInvite}>${this.copied === 'invite' ? strings.invite.copied : strings.invite.share}</button>
      <details part="invite" @toggle=${this.#loadQr}>
        <summary>${strings.invite.showQr}</summary>
        ${qr
          ? html`<svg part="invite-qr" role="img" aria-label=${strings.invite.qrLabel} viewBox="0 0 ${qr.size} ${qr.size}" shape-rendering="crispEdges">
              <rect width="100%" height="100%" fill="#fff"></rect>
              <path d=${qr.path} fill="#000"></path>
            </svg>`
          : nothing}
      </details>`;
  }

  #renderPeer(peer: PeerInfo, label: PeerLabel, strings: PeerChatStrings) {
    return html`<li part="peer" data-peer-id=${peer.peerId} data-status=${peer.status}>
      ${this.#renderAvatar(label)}
      <bdi class="peer-name" title="${label.label} (${peer.peerId})">${label.label}</bdi>
      ${peer.status === PeerStatus.reconnecting ? html`<span part="peer-status">${strings.reconnectingPeer}</span>` : nothing}
      ${peer.route === Route.relay ? html`<span part="peer-relayed" title=${strings.relayedHelp}>${strings.relayed}</span>` : nothing}
      ${peer.safetyCode ? html`<span part="safety-code" title=${strings.safetyCodeHelp}>${strings.safetyCodeLabel} ${peer.safetyCode}</span>` : nothing}
      <button part="disconnect-button" title=${strings.disconnect} aria-label=${strings.disconnectPeer(label.label)} @click=${() => this.#engine.disconnect(peer.peerId)}>×</button>
    </li>`;
  }

  #renderEntry(entry: HistoryEntry, strings: PeerChatStrings, labels: PeerLabels) {
    if (entry.kind === 'transfer') return this.#renderTransfer(entry.transfer, strings, labels);
    const { message } = entry;
    const peer = labels(message.from);
    // A message shown already is rendered again only if something it shows changed: not the
    // whole window for each new one. Its id, sender, text and time never change.
    return guard([message.status, peer.label, peer.initial, peer.hue, this.strings, this.#formats], () => this.#renderMessage(message, peer, strings));
  }

  #renderAvatar({ initial, hue }: PeerLabel) {
    return html`<span part="avatar" aria-hidden="true" .style=${`--_hue: ${hue}`}>${initial}</span>`;
  }

  #renderMessage(message: ChatMessage, peer: PeerLabel, strings: PeerChatStrings) {
    const incoming = message.direction === Direction.in;
    const who = incoming ? peer.short : strings.you;
    const status = message.status;
    const flagged = status === MessageStatus.pending || status === MessageStatus.failed ? ` message-${status}` : '';
    const ticks = status === MessageStatus.read ? '✓✓' : status === MessageStatus.delivered ? '✓' : '';
    return html`<div
      part="message message-${message.direction}${flagged}"
      data-id=${message.id}
      data-from=${incoming ? message.from : nothing}
      data-status=${status ?? nothing}
    >
      <span part="message-meta"
        >${incoming ? this.#renderAvatar(peer) : nothing}<bdi class="who" title=${incoming ? `${peer.label} (${message.from})` : who}>${who}</bdi> ·
        <time datetime=${new Date(message.time).toISOString()}>${this.#formats.formatTime(message.time)}</time>${status
          ? html` ·
              <span part="message-status" data-status=${status}
                >${ticks ? html`<span aria-hidden="true">${ticks}</span><span class="visually-hidden">${strings.messageStatus[status]}</span>` : strings.messageStatus[status]}</span
              >`
          : nothing}</span
      >
      <span part="message-text"
        >${splitLinks(message.text).map((piece) =>
          piece.href ? html`<a part="link" href=${piece.href} target="_blank" rel="noopener noreferrer">${piece.text}</a>` : piece.text,
        )}</span
      >
    </div>`;
  }

  /** A PNG, JPEG, GIF or WebP file, scaled; a link opens it full size. Nothing until its first bytes are checked. */
  #renderPreview(file: File, name: string, strings: PeerChatStrings) {
    if (!this.#inlineImages.has(file)) {
      this.#inlineImages.set(file, '');
      // The check loads on demand, with the first file shown.
      import('./ui/image.js').then(({ inlineImageType }) => inlineImageType(file)).then(
        (type) => {
          if (!type) return;
          this.#inlineImages.set(file, type);
          // Its download link's URL, made meanwhile without the type, is made again with it.
          this.#releaseUrl(file);
          this.requestUpdate();
        },
        () => {},
      );
    }
    if (!this.#inlineImages.get(file)) return nothing;
    const url = this.#urlOf(file);
    return html`<a part="preview" href=${url} target="_blank" rel="noopener noreferrer" title=${strings.openImage(name)}><img src=${url} alt=${name} /></a>`;
  }

  #renderTransfer(transfer: TransferInfo, strings: PeerChatStrings, labels: PeerLabels) {
    const percent = transfer.size > 0 ? Math.floor((transfer.bytes / transfer.size) * 100) : 100;
    const incoming = transfer.direction === Direction.in;
    const peer = labels(transfer.peerId);
    const who = incoming ? peer.label : strings.you;
    const status = transfer.status === TransferStatus.offered ? strings.transfer.offered(who) : strings.transfer[transfer.status];
    // An offer to us is answered with accept or decline; anything else under way can be cancelled.
    const cancellable = transfer.status !== TransferStatus.offered && !isFinished(transfer.status);
    // A render for anything else (a message, another transfer) must not draw every transfer's
    // entry again: a moving bar is drawn at most once per drawing interval, the entry again
    // whenever anything else it shows changes (a received file comes with `done`; before it,
    // the WeakMap answers undefined).
    const bar = transfer.status === TransferStatus.active && percent < 100 ? Math.floor(performance.now() / PROGRESS_DRAW_INTERVAL_MS) : percent;
    return guard([transfer.status, bar, transfer.reason, transfer.fits, this.#inlineImages.get(transfer.file!), this.#fileUrls, who, this.strings, this.#formats], () => html`<div part="transfer transfer-${transfer.direction}" data-transfer-id=${transfer.transferId} data-status=${transfer.status}>
      <span part="message-meta"
        ><bdi class="who" title=${who}>${incoming ? peer.short : who}</bdi> · <bdi class="file-name" title=${transfer.name}>${transfer.name}</bdi> ·
        ${this.#formats.formatBytes(transfer.size)}${transfer.status === TransferStatus.offered && transfer.fits !== undefined
          ? html` · <span data-fits=${transfer.fits}>${transfer.fits ? strings.transfer.fits : strings.transfer.doesNotFit}</span>`
          : nothing}</span
      >
      <span>${status}${transfer.reason ? html`: <bdi>${transfer.reason}</bdi>` : nothing}</span>
      ${transfer.status === TransferStatus.active || transfer.status === TransferStatus.paused || transfer.status === TransferStatus.done
        ? html`<progress part="progress" max=${transfer.size || 1} value=${transfer.size ? transfer.bytes : 1} aria-label="${transfer.name}: ${percent}%"></progress>
            <span part="progress-text">${this.#formats.formatBytes(transfer.bytes)} / ${this.#formats.formatBytes(transfer.size)} (${percent}%)</span>`
        : nothing}
      ${transfer.status === TransferStatus.offered
        ? html`<button part="accept-button" @click=${() => this.#engine.transfers.accept(transfer.transferId)}>${strings.accept}</button>
            <button part="decline-button" @click=${() => this.#engine.transfers.decline(transfer.transferId)}>${strings.decline}</button>`
        : nothing}
      ${cancellable ? html`<button part="cancel-button" @click=${() => this.#engine.transfers.cancel(transfer.transferId)}>${strings.cancel}</button>` : nothing}
      ${transfer.file && (!incoming || transfer.status === TransferStatus.done) ? this.#renderPreview(transfer.file, transfer.name, strings) : nothing}
      ${incoming && transfer.status === TransferStatus.done && transfer.file
        ? html`<a part="download" href=${this.#urlOf(transfer.file)} download=${transfer.name}>${strings.download(transfer.name)}</a>`
        : nothing}
    </div>`);
  }

  /**
   * A URL of the file's bytes, typed as the image they are or as bytes to download: never as
   * the type a peer claimed, under which a link opened in a tab could run as this site's page.
   */
  #urlOf(file: File): string {
    let url = this.#fileUrls.get(file);
    if (!url) {
      url = URL.createObjectURL(file.slice(0, file.size, this.#inlineImages.get(file) || 'application/octet-stream'));
      this.#fileUrls.set(file, url);
    }
    return url;
  }

  #releaseUrl(file: File | undefined): void {
    const url = file && this.#fileUrls.get(file);
    if (!url) return;
    URL.revokeObjectURL(url);
    this.#fileUrls.delete(file);
  }

  // ---- the person's actions ---------------------------------------------------------------

  async #handleConnect(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const remoteId = this.#remoteIdInput.value.trim();
    this.connecting = true;
    this.connectFailure = '';
    try {
      await this.#engine.connect(remoteId);
      this.#remoteIdInput.value = '';
    } catch (error) {
      // Also reported as a peer-chat-error event by the engine.
      this.connectFailure = (error as Error).message;
    } finally {
      this.connecting = false;
    }
  }

  #handleClick(): void {
    // A person's gesture in the element: the only moment browsers let a page ask (synchronously).
    if (this.notify) this.#notifications?.askNotificationPermission();
  }

  #handleKeydown(event: KeyboardEvent): void {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.#sendTyped();
    }
  }

  #sendTyped(): void {
    const text = this.#input.value;
    if (!text.trim()) return;
    try {
      this.#engine.send(text);
      this.#input.value = '';
    } catch {
      // Reported as a peer-chat-error event; the text stays in the input so nothing is lost.
    }
  }

  async #copyOwnId(): Promise<void> {
    if (await this.#copy(this.#engine.peerId, 'id')) return;
    // No clipboard permission: the id is selectable (user-select: all) for copying by hand.
    const selection = getSelection();
    const idNode = this.renderRoot.querySelector('[part~="own-id"]');
    if (selection && idNode) selection.selectAllChildren(idNode);
  }

  /** Copies `text`; the button named `which` says so for a moment. False without clipboard permission. */
  async #copy(text: string, which: 'id' | 'invite'): Promise<boolean> {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      return false;
    }
    this.copied = which;
    setTimeout(() => (this.copied = ''), 1500);
    return true;
  }

  /** The system's share sheet where there is one; else the clipboard; else the QR code, opened. */
  async #shareInvite(): Promise<void> {
    const url = this.inviteUrl;
    if (typeof navigator.share === 'function') {
      // A person who closes the share sheet is no error.
      await navigator.share({ url }).catch(() => {});
    } else if (!(await this.#copy(url, 'invite'))) {
      this.renderRoot.querySelector<HTMLDetailsElement>('[part~="invite"]')!.open = true;
    }
  }

  async #loadQr(event: Event): Promise<void> {
    if (!(event.target as HTMLDetailsElement).open || this.drawQr) return;
    this.drawQr = (await import('./invite/qr.js')).drawQr;
  }

  #handleFilePicked(): void {
    this.#sendFiles(this.#fileInput.files);
    this.#fileInput.value = '';
  }

  #sendFiles(files: FileList | null | undefined): void {
    for (const file of files ?? []) {
      // Failures are reported as peer-chat-error events and shown on the transfer.
      this.#engine.sendFile(file).catch(() => {});
    }
  }

  #handleDragOver(event: DragEvent): void {
    if (!event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    this.dragging = true;
  }

  #handleDragLeave(event: DragEvent): void {
    const base = event.currentTarget as HTMLElement;
    if (!base.contains(event.relatedTarget as Node | null)) this.dragging = false;
  }

  #handleDrop(event: DragEvent): void {
    event.preventDefault();
    this.dragging = false;
    this.#sendFiles(event.dataTransfer?.files);
  }
}

function entryKey(entry: HistoryEntry): string {
  return entry.kind === 'transfer' ? `t${entry.transfer.transferId}${entry.transfer.peerId}` : `m${entry.message.id}${entry.message.from}`;
}

// Not Lit's @customElement: that would throw when a second copy of peer-chat loads (see define.ts).
if (shouldDefine('peer-chat')) customElements.define('peer-chat', PeerChat);

declare global {
  interface HTMLElementTagNameMap {
    'peer-chat': PeerChat;
  }
}
