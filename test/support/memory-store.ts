/** A {@link ChatStore} in memory for engine unit tests: a shared "disk" of records and locks, as the tabs of one site share IndexedDB and Web Locks. */
import type { ChatStore, ChatWrite, SavedChat } from '../../src/engine/persistence.js';

export class MemoryDisk {
  /** Each storage key's chat, as a load would return it. */
  readonly records = new Map<string, SavedChat>();
  readonly locks = new Set<string>();
  writes = 0;
  /** What the last write carried. */
  lastWrite: ChatWrite | null = null;
  /** When true, writes never finish and change nothing (the tab dies mid-write). */
  frozen = false;
  /** While set, writes finish only once it resolves (a slow disk). */
  slow: Promise<void> | null = null;
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

  save(write: ChatWrite): Promise<void> {
    if (this.disk.frozen) return new Promise(() => {});
    const { record, messages, keepFrom, replace } = structuredClone(write);
    const store = () => {
      const kept = replace ? [] : (this.disk.records.get(this.key)?.history ?? []).filter(({ place }) => place >= keepFrom);
      const places = new Set(messages.map(({ place }) => place));
      const history = [...kept.filter(({ place }) => !places.has(place)), ...messages].sort((a, b) => a.place - b.place);
      this.disk.records.set(this.key, { ...record, history });
      this.disk.lastWrite = write;
      this.disk.writes++;
    };
    if (this.disk.slow) return this.disk.slow.then(store);
    store();
    return Promise.resolve();
  }

  release(): void {
    if (this.held) this.disk.locks.delete(this.held);
    this.held = null;
  }
}
