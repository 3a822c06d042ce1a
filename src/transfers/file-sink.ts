/**
 * Where received file bytes go. Small files stay in memory; larger ones are written to the
 * Origin Private File System as they arrive, so a file of several GiB never needs that much
 * RAM, and the finished `File` is backed by disk.
 */

import { ErrorType, PeerChatError, messageOf } from '../errors.js';
import { randomId } from '../engine/protocol.js';
import { WorkerFileWriter } from './storage-worker.js';

/** Receives a file's bytes, in order. */
export interface FileSink {
  /**
   * Takes the bytes (and may take their buffer: the caller must not use them again); resolves
   * once they no longer need to be held in memory, with a buffer of as many bytes to fill next
   * when the sink gives one back (fewer allocations), else null.
   */
  write(bytes: Uint8Array): Promise<Uint8Array<ArrayBuffer> | null>;
  /**
   * Where the sink has it: `write`, also resolving with the SHA-256 of the bytes (a leaf of
   * `sha256-blocks`), computed where they are written (the storage worker: off the main thread).
   */
  writeHashed?(bytes: Uint8Array): Promise<{ spare: Uint8Array<ArrayBuffer> | null; digest: ArrayBuffer }>;
  /** The whole file, once every byte is written. */
  finish(name: string, type: string): Promise<File>;
  /** Throws away what was written (cancelled or failed transfer). */
  discard(): Promise<void>;
}

/** Files up to this size are kept in memory (while the budget lasts); larger ones on disk, or not at all. */
export const MEMORY_SINK_LIMIT = 8 * 1024 * 1024;
/**
 * Most bytes of received files held in memory at once, on this page: received files stay
 * in the history, so without a bound a peer could fill memory with many small files.
 * Beyond it, small files go to disk too.
 */
export const MEMORY_BUDGET_BYTES = 64 * 1024 * 1024;
let memoryHeld = 0;
const DIRECTORY = 'peer-chat-transfers';
const LOCK_PREFIX = 'peer-chat-transfers:';

/** Keeps the chunks in memory; the `File` then references them without copying. */
export class MemorySink implements FileSink {
  private parts: Uint8Array<ArrayBuffer>[] = [];

  /** @param release - gives back what this sink took from the memory budget, once discarded */
  constructor(private release: () => void = () => {}) {}

  async write(bytes: Uint8Array): Promise<null> {
    this.parts.push(bytes as Uint8Array<ArrayBuffer>);
    return null;
  }

  async finish(name: string, type: string): Promise<File> {
    return new File(this.parts, name, { type });
  }

  async discard(): Promise<void> {
    this.parts = [];
    this.release();
    this.release = () => {};
  }
}

/**
 * Writes to a file in the Origin Private File System: through a storage worker's sync access
 * handle where the page allows one, else through the asynchronous writable stream.
 */
export class DiskSink implements FileSink {
  private written = 0;
  /** Only where the storage worker writes: it hashes the bytes too, off the main thread (see FileSink). */
  readonly writeHashed?: (bytes: Uint8Array) => Promise<{ spare: Uint8Array<ArrayBuffer> | null; digest: ArrayBuffer }>;

  private constructor(
    private readonly directory: FileSystemDirectoryHandle,
    private readonly handle: FileSystemFileHandle,
    private readonly writer: WorkerFileWriter | FileSystemWritableFileStream,
  ) {
    if (writer instanceof WorkerFileWriter) {
      this.writeHashed = async (bytes) => {
        const written = await writer.write(this.claim(bytes.byteLength), bytes, true);
        return { spare: written.bytes, digest: written.digest! };
      };
    }
  }

  static async create(directory: FileSystemDirectoryHandle, fileName: string): Promise<DiskSink> {
    const handle = await directory.getFileHandle(fileName, { create: true });
    const writer = await WorkerFileWriter.open(handle).catch(() => handle.createWritable());
    return new DiskSink(directory, handle, writer);
  }

  /** The receiver writes whole blocks (of the block hash, 512 KiB): few, large writes. */
  async write(bytes: Uint8Array): Promise<Uint8Array<ArrayBuffer> | null> {
    const at = this.claim(bytes.byteLength);
    if (this.writer instanceof WorkerFileWriter) return (await this.writer.write(at, bytes)).bytes;
    await this.writer.write(bytes as Uint8Array<ArrayBuffer>);
    return null;
  }

  /** Where in the file the next `length` bytes go. */
  private claim(length: number): number {
    const at = this.written;
    this.written += length;
    return at;
  }

  async finish(name: string, type: string): Promise<File> {
    await this.writer.close();
    const stored = await this.handle.getFile();
    // Same bytes on disk, under the sender's name and type.
    return new File([stored], name, { type, lastModified: stored.lastModified });
  }

  async discard(): Promise<void> {
    if (this.writer instanceof WorkerFileWriter) await this.writer.close().catch(() => {});
    else await this.writer.abort().catch(() => {});
    await this.directory.removeEntry(this.handle.name).catch(() => {});
  }
}

/** Kept free of received files: room for the site's own data, and for the browser's estimate being rough. */
const STORAGE_MARGIN = { bytes: 64 * 1024 * 1024, ofQuota: 0.05 };

/** Bytes of storage this origin may still fill with received files: quota minus usage, less a margin. */
export async function storageSpace(): Promise<number> {
  if (!navigator.storage?.estimate) return Infinity; // Nothing to compare with: writes fail clearly if the disk fills.
  const { quota = Infinity, usage = 0 } = await navigator.storage.estimate();
  return Math.floor(quota - usage - Math.max(STORAGE_MARGIN.bytes, quota * STORAGE_MARGIN.ofQuota));
}

/**
 * This page's folder of received files. Each page holds a Web Lock on its own folder; folders
 * whose lock no one holds belong to closed pages and are removed.
 */
let sessionDirectory: Promise<FileSystemDirectoryHandle | null> | null = null;

function openSessionDirectory(): Promise<FileSystemDirectoryHandle | null> {
  sessionDirectory ??= (async () => {
    try {
      if (!navigator.storage?.getDirectory || !navigator.locks) return null;
      const root = await (await navigator.storage.getDirectory()).getDirectoryHandle(DIRECTORY, { create: true });
      const session = randomId();
      await new Promise<void>((held) => {
        // The lock is held until the page goes away: the promise never settles.
        void navigator.locks.request(LOCK_PREFIX + session, () => {
          held();
          return new Promise<never>(() => {});
        });
      });
      void removeAbandoned(root);
      return await root.getDirectoryHandle(session, { create: true });
    } catch {
      return null; // No OPFS here (private mode, old browser): memory it is.
    }
  })();
  return sessionDirectory;
}

async function removeAbandoned(root: FileSystemDirectoryHandle): Promise<void> {
  // Folders first, locks second: a page takes its lock before it makes its folder, so every
  // folder listed here whose page is alive has its lock in the answer (the other order lost
  // the folders of pages that opened in between).
  const names: string[] = [];
  for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
  const { held = [] } = await navigator.locks.query();
  const live = new Set(held.map((lock) => lock.name));
  for (const name of names) {
    if (!live.has(LOCK_PREFIX + name)) await root.removeEntry(name, { recursive: true }).catch(() => {});
  }
}

/**
 * A sink for a file of `size` bytes: memory for small files, disk for large ones when
 * possible. The file's name on disk is ours, never derived from what a peer sent.
 */
export async function openSink(size: number): Promise<FileSink> {
  if (size <= MEMORY_SINK_LIMIT && memoryHeld + size <= MEMORY_BUDGET_BYTES) {
    memoryHeld += size;
    return new MemorySink(() => (memoryHeld -= size));
  }
  const directory = await openSessionDirectory();
  if (!directory) {
    throw new PeerChatError(
      ErrorType.fileTooLarge,
      size > MEMORY_SINK_LIMIT
        ? `This browser offers no file storage here (Origin Private File System), and files above ${MEMORY_SINK_LIMIT} bytes are not held in memory`
        : `This browser offers no file storage here, and the received files already fill the ${MEMORY_BUDGET_BYTES} bytes held in memory: clear the history to make room`,
    );
  }
  try {
    return await DiskSink.create(directory, randomId());
  } catch (error) {
    throw new PeerChatError(ErrorType.transfer, `Could not create a file to store it in: ${messageOf(error)}`);
  }
}
