/**
 * A dedicated Worker that writes a received file through an OPFS sync access handle:
 * synchronous, contiguous writes straight to the file, off the main thread, with none of the
 * asynchronous writable stream's copies through the browser process. Asked to, it hashes what it
 * writes too: WebCrypto's digest runs on the calling thread (about 1 ms per MiB), which is then
 * not the main thread, where chat frames wait behind it.
 *
 * The worker is made from its own source text (a Blob URL), so the bundle stays one file and
 * the npm entry needs no extra asset; a Content-Security-Policy must allow `worker-src blob:`,
 * else files are written through the writable stream on the main thread instead.
 */

/**
 * What the worker is asked, for one of the files it holds open (`file`, our number for it): open
 * it, write bytes at an offset (and hash them), or close it.
 */
type Request = { file: number } & ({ handle: FileSystemFileHandle } | { at: number; bytes: Uint8Array; digest: boolean } | { close: true });
/** Its answer to each request, in order; a write gives its bytes back, for the next block, and their SHA-256 if asked. */
type Reply = { error?: string; bytes?: Uint8Array; digest?: ArrayBuffer };

/** The worker's whole program. Its source becomes the worker: it uses nothing from around it. */
function storageWorker(): void {
  type Access = { write(bytes: Uint8Array, options: { at: number }): number; close(): void };
  const files = new Map<number, Access>();
  const reply = (message: Reply, transfer: Transferable[] = []) =>
    (self as unknown as { postMessage(message: Reply, transfer: Transferable[]): void }).postMessage(message, transfer);
  const serve = async (data: Request) => {
    try {
      if ('handle' in data) {
        files.set(data.file, await (data.handle as unknown as { createSyncAccessHandle(): Promise<Access> }).createSyncAccessHandle());
      } else if ('bytes' in data) {
        const access = files.get(data.file);
        if (!access) throw new Error('the file is not open');
        const digest = data.digest ? await crypto.subtle.digest('SHA-256', data.bytes as Uint8Array<ArrayBuffer>) : undefined;
        // A write may take fewer bytes than given: go on until all are in.
        for (let view = data.bytes, at = data.at; view.byteLength > 0; ) {
          const written = access.write(view, { at });
          at += written;
          view = view.subarray(written);
        }
        return reply({ bytes: data.bytes, digest }, digest ? [data.bytes.buffer, digest] : [data.bytes.buffer]);
      } else {
        // No flush(): it makes the OS write the file to disk (40 ms per 64 MiB here), which only
        // matters after a power loss, and this file is gone once the page is (file-sink.ts).
        files.get(data.file)?.close();
        files.delete(data.file);
      }
      reply({});
    } catch (error) {
      reply({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  };
  // One request at a time, in order (a hash is awaited): the replies keep the order of the requests.
  let queue = Promise.resolve();
  self.onmessage = ({ data }: MessageEvent<Request>) => {
    queue = queue.then(() => serve(data));
  };
}

/** Set once a worker could not be made here (CSP, no sync access handles): the writable stream it is. */
let unavailable = false;

/**
 * The page's storage worker, shared by every file being written: one thread however many files
 * arrive at once, and no new worker for each file (about 20 ms of CPU to start one here, and
 * the first bytes of a file wait for it). It ends once no file has been open for `idleMs`.
 */
export class StorageWorker {
  /** How long the worker outlives the last open file, ready for the next one (tests shorten it). */
  static idleMs = 30_000;
  static #current: StorageWorker | null = null;
  readonly #worker: Worker;
  readonly #replies: Array<{ resolve: (reply: Reply) => void; reject: (error: Error) => void }> = [];
  #openFiles = 0;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Why it stopped (it failed, or went idle): requests are refused from then on. */
  #ended: Error | null = null;

  /** The running worker, or a new one; throws when this page cannot make one. */
  static get shared(): StorageWorker {
    StorageWorker.#current ??= new StorageWorker();
    return StorageWorker.#current;
  }

  private constructor() {
    const url = URL.createObjectURL(new Blob([`(${storageWorker})()`], { type: 'text/javascript' }));
    try {
      this.#worker = new Worker(url, { name: 'peer-chat storage' });
    } finally {
      URL.revokeObjectURL(url);
    }
    this.#worker.onmessage = ({ data }: MessageEvent<Reply>) => {
      const pending = this.#replies.shift();
      if (data.error === undefined) pending?.resolve(data);
      else pending?.reject(new Error(data.error));
    };
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#end(new Error(event.message || 'the storage worker failed'));
    };
  }

  request(message: Request, transfer: Transferable[] = []): Promise<Reply> {
    if (this.#ended) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => {
      this.#replies.push({ resolve, reject });
      this.#worker.postMessage(message, transfer);
    });
  }

  /** A file was opened in it: it stays up. */
  retain(): void {
    this.#openFiles++;
    clearTimeout(this.#idleTimer);
  }

  /** A file was closed (or failed to open): once none is open for `idleMs`, the worker ends. */
  release(): void {
    if (--this.#openFiles > 0 || this.#ended) return;
    this.#idleTimer = setTimeout(() => this.#end(new Error('the storage worker ended')), StorageWorker.idleMs);
  }

  #end(reason: Error): void {
    if (this.#ended) return;
    this.#ended = reason;
    clearTimeout(this.#idleTimer);
    this.#worker.terminate();
    if (StorageWorker.#current === this) StorageWorker.#current = null;
    for (const pending of this.#replies.splice(0)) pending.reject(reason);
  }
}

/** A file being written by the page's storage worker. */
export class WorkerFileWriter {
  static #files = 0;
  #closed: Promise<void> | null = null;

  private constructor(
    private readonly worker: StorageWorker,
    /** Our number for the file, which the worker's requests name. */
    private readonly file: number,
  ) {}

  /** Opens `handle` for writing in the storage worker; rejects when this browser or page does not allow it. */
  static async open(handle: FileSystemFileHandle): Promise<WorkerFileWriter> {
    if (unavailable || typeof Worker === 'undefined') throw new Error('no storage worker here');
    const file = ++WorkerFileWriter.#files;
    let worker: StorageWorker | undefined;
    try {
      worker = StorageWorker.shared;
      worker.retain();
      await worker.request({ file, handle });
      return new WorkerFileWriter(worker, file);
    } catch (error) {
      worker?.release();
      unavailable = true;
      throw error;
    }
  }

  /**
   * Writes `bytes` at `at`, taking their buffer when they fill it (no copy); resolves once
   * written, with the bytes given back (a buffer to reuse rather than allocate) and, when
   * `digest` asks for it, their SHA-256.
   */
  async write(at: number, bytes: Uint8Array, digest = false): Promise<{ bytes: Uint8Array<ArrayBuffer>; digest?: ArrayBuffer }> {
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    const own = whole ? bytes : bytes.slice();
    return (await this.worker.request({ file: this.file, at, bytes: own, digest }, [own.buffer as ArrayBuffer])) as { bytes: Uint8Array<ArrayBuffer>; digest?: ArrayBuffer };
  }

  /** Closes the file (its bytes are then what `getFile()` reads); once, however often it is called (finished, then discarded). */
  close(): Promise<void> {
    this.#closed ??= this.worker
      .request({ file: this.file, close: true })
      .then(() => {})
      .finally(() => this.worker.release());
    return this.#closed;
  }
}
