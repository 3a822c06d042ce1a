/** A {@link ChatStore} in memory for engine unit tests: a shared "disk" of records and locks, as the tabs of one site share IndexedDB and Web Locks. */
import type { ChatStore, SavedChat } from '../../src/engine/persistence.js';

export class MemoryDisk {
  readonly records = new Map<string, SavedChat>();
  readonly locks = new Set<string>();
  writes = 0;
  /** When true, writes never finish and change nothing (the tab dies mid-write). */
  frozen = false;
}

export class MemoryStore implements ChatStore {
  private held: string | null = null;

  constructor(
    private readonly disk: MemoryDisk,
    private readonly key = 'peer-chat',
  ) {}

  async load(): Promise<SavedChat | null> {
    const saved = this.disk.records.get(this.key);
    return saved ? structuredClone(saved) : null;
  }

  async claim(peerId: string): Promise<boolean> {
    this.release();
    const name = `${this.key}:${peerId}`;
    if (this.disk.locks.has(name)) return false;
    this.disk.locks.add(name);
    this.held = name;
    const saved = this.disk.records.get(this.key);
    if (saved && saved.peerId !== peerId && this.disk.locks.has(`${this.key}:${saved.peerId}`)) {
      this.release();
      return false;
    }
    return true;
  }

  save(chat: SavedChat): Promise<void> {
    if (this.disk.frozen) return new Promise(() => {});
    this.disk.records.set(this.key, structuredClone(chat));
    this.disk.writes++;
    return Promise.resolve();
  }

  release(): void {
    if (this.held) this.disk.locks.delete(this.held);
    this.held = null;
  }
}
