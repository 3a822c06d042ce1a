/**
 * The browser's {@link ChatStore}, in the IndexedDB database `peer-chat`: per storage key (the
 * `persist` attribute's value), one record in `chats` and one per message in `messages`, keyed
 * [storage key, place]; and a Web Lock per key and id so that a second tab of the site with
 * the same key leaves the first tab's record alone.
 */
import type { ChatStore, ChatWrite, SavedChat, SavedRecord } from './persistence.js';

const DATABASE = 'peer-chat';
/** Version 1 kept a chat's messages in its record, rewritten whole at every change. */
const VERSION = 2;
const CHATS = 'chats';
const MESSAGES = 'messages';

function request<T>(operation: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    operation.onsuccess = () => resolve(operation.result);
    operation.onerror = () => reject(operation.error);
  });
}

function openDatabase(): Promise<IDBDatabase> {
  const opening = indexedDB.open(DATABASE, VERSION);
  opening.onupgradeneeded = ({ oldVersion }) => {
    const database = opening.result;
    if (oldVersion < 1) database.createObjectStore(CHATS);
    const messages = database.createObjectStore(MESSAGES);
    if (oldVersion !== 1) return;
    // Each record's messages move to their own store, at places 0, 1, …
    opening.transaction!.objectStore(CHATS).openCursor().onsuccess = ({ target }) => {
      const cursor = (target as IDBRequest<IDBCursorWithValue | null>).result;
      if (!cursor) return;
      const { history = [], ...record } = cursor.value as SavedRecord & { history?: unknown[] };
      history.forEach((message, place) => messages.put(message, [cursor.key, place]));
      cursor.update(record);
      cursor.continue();
    };
  };
  // A tab of the site still running the version before keeps the database open and the upgrade waits for it.
  const blocked = new Promise<never>((_, reject) => {
    opening.onblocked = () => reject(new Error('another tab of this site holds the stored chat with an older version of peer-chat; reload or close it'));
  });
  const opened = request(opening).then((database) => {
    // Closed for a later version's upgrade, even when this open was blocked and came too late.
    database.onversionchange = () => database.close();
    return database;
  });
  return Promise.race([opened, blocked]);
}

/** The messages stored for `storageKey`, below place `before` (all by default). */
const messagesOf = (storageKey: string, before = Infinity) => IDBKeyRange.bound([storageKey, -Infinity], [storageKey, before], false, true);

function completion(transaction: IDBTransaction): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = transaction.onabort = () => reject(transaction.error);
  });
}

export const lockName = (storageKey: string, peerId: string) => `peer-chat:${storageKey}:${peerId}`;

export class IndexedDbStore implements ChatStore {
  private database: Promise<IDBDatabase> | null = null;
  private unlock: (() => void) | null = null;

  constructor(private readonly storageKey: string) {}

  async load(): Promise<SavedChat | null> {
    const transaction = (await this.open()).transaction([CHATS, MESSAGES]);
    const messages = transaction.objectStore(MESSAGES);
    const [record, keys, stored] = await Promise.all([
      this.recordIn(transaction),
      request(messages.getAllKeys(messagesOf(this.storageKey))),
      request(messages.getAll(messagesOf(this.storageKey))),
    ]);
    if (!record) return null;
    return { ...record, history: stored.map((message, index) => ({ place: (keys[index] as [string, number])[1], message })) };
  }

  async claim(peerId: string): Promise<boolean> {
    this.release();
    const locks = globalThis.navigator?.locks;
    if (!locks) return true; // No Web Locks (an insecure context): one tab per key is up to the page.
    const held = await new Promise<boolean>((resolve) => {
      void locks.request(lockName(this.storageKey, peerId), { ifAvailable: true }, (lock) => {
        if (!lock) return resolve(false);
        resolve(true);
        return new Promise<void>((release) => (this.unlock = release));
      });
    });
    if (!held) return false;
    // A fresh id of ours must not take over the record of an id another tab is using.
    const saved = await this.recordIn((await this.open()).transaction(CHATS));
    if (saved && saved.peerId !== peerId) {
      const { held: others = [] } = await locks.query();
      if (others.some((lock) => lock.name === lockName(this.storageKey, saved.peerId))) {
        this.release();
        return false;
      }
    }
    return true;
  }

  /** This key's chat record, without its messages, read in `transaction`. */
  private recordIn(transaction: IDBTransaction): Promise<SavedRecord | undefined> {
    return request<SavedRecord | undefined>(transaction.objectStore(CHATS).get(this.storageKey));
  }

  async save({ record, messages, keepFrom, replace }: ChatWrite): Promise<void> {
    const transaction = (await this.open()).transaction([CHATS, MESSAGES], 'readwrite');
    const stored = transaction.objectStore(MESSAGES);
    transaction.objectStore(CHATS).put(record, this.storageKey);
    stored.delete(messagesOf(this.storageKey, replace ? Infinity : keepFrom));
    for (const { place, message } of messages) stored.put(message, [this.storageKey, place]);
    await completion(transaction);
  }

  release(): void {
    this.unlock?.();
    this.unlock = null;
  }

  private open(): Promise<IDBDatabase> {
    this.database ??= openDatabase();
    return this.database;
  }
}
