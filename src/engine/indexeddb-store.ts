/**
 * The browser's {@link ChatStore}: one IndexedDB record per storage key (the `persist`
 * attribute's value), in the database `peer-chat`, and a Web Lock per key and id so that a
 * second tab of the site with the same key leaves the first tab's record alone.
 */
import type { ChatStore, SavedChat } from './persistence.js';

const DATABASE = 'peer-chat';
const CHATS = 'chats';

function request<T>(operation: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    operation.onsuccess = () => resolve(operation.result);
    operation.onerror = () => reject(operation.error);
  });
}

function openDatabase(): Promise<IDBDatabase> {
  const opening = indexedDB.open(DATABASE, 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore(CHATS);
  return request(opening);
}

export const lockName = (storageKey: string, peerId: string) => `peer-chat:${storageKey}:${peerId}`;

export class IndexedDbStore implements ChatStore {
  private database: Promise<IDBDatabase> | null = null;
  private unlock: (() => void) | null = null;

  constructor(private readonly storageKey: string) {}

  async load(): Promise<SavedChat | null> {
    const database = await this.open();
    return (await request(database.transaction(CHATS).objectStore(CHATS).get(this.storageKey))) ?? null;
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
    const saved = await this.load();
    if (saved && saved.peerId !== peerId) {
      const { held: others = [] } = await locks.query();
      if (others.some((lock) => lock.name === lockName(this.storageKey, saved.peerId))) {
        this.release();
        return false;
      }
    }
    return true;
  }

  async save(chat: SavedChat): Promise<void> {
    const database = await this.open();
    const transaction = database.transaction(CHATS, 'readwrite');
    transaction.objectStore(CHATS).put(chat, this.storageKey);
    await new Promise<void>((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onerror = transaction.onabort = () => reject(transaction.error);
    });
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
