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

/** What the worker is asked: open a file, write bytes at an offset (and hash them), or close. */
type Request = { handle: FileSystemFileHandle } | { at: number; bytes: Uint8Array; digest: boolean } | { close: true };
/** Its answer to each request, in order; a write gives its bytes back, for the next block, and their SHA-256 if asked. */
type Reply = { error?: string; bytes?: Uint8Array; digest?: ArrayBuffer };

/** The worker's whole program. Its source becomes the worker: it uses nothing from around it. */
function storageWorker(): void {
  let access: { write(bytes: Uint8Array, options: { at: number }): number; close(): void } | null = null;
  const reply = (message: Reply, transfer: Transferable[] = []) =>
    (self as unknown as { postMessage(message: Reply, transfer: Transferable[]): void }).postMessage(message, transfer);
  const serve = async (data: Request) => {
    try {
      if ('handle' in data) {
        access = await (data.handle as unknown as { createSyncAccessHandle(): Promise<typeof access> }).createSyncAccessHandle();
      } else if ('bytes' in data) {
        const digest = data.digest ? await crypto.subtle.digest('SHA-256', data.bytes as Uint8Array<ArrayBuffer>) : undefined;
        // A write may take fewer bytes than given: go on until all are in.
        for (let view = data.bytes, at = data.at; view.byteLength > 0; ) {
          const written = access!.write(view, { at });
          at += written;
          view = view.subarray(written);
        }
        return reply({ bytes: data.bytes, digest }, digest ? [data.bytes.buffer, digest] : [data.bytes.buffer]);
      } else {
        // No flush(): it makes the OS write the file to disk (40 ms per 64 MiB here), which only
        // matters after a power loss, and this file is gone once the page is (file-sink.ts).
        access?.close();
        access = null;
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

/** A file being written by its own storage worker. */
export class WorkerFileWriter {
  private readonly replies: Array<{ resolve: (reply: Reply) => void; reject: (error: Error) => void }> = [];

  private constructor(private readonly worker: Worker) {
    worker.onmessage = ({ data }: MessageEvent<Reply>) => {
      const pending = this.replies.shift();
      if (data.error === undefined) pending?.resolve(data);
      else pending?.reject(new Error(data.error));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      this.failAll(new Error(event.message || 'the storage worker failed'));
    };
  }

  /** Opens `handle` for writing in a new worker; rejects when this browser or page does not allow it. */
  static async open(handle: FileSystemFileHandle): Promise<WorkerFileWriter> {
    if (unavailable || typeof Worker === 'undefined') throw new Error('no storage worker here');
    const url = URL.createObjectURL(new Blob([`(${storageWorker})()`], { type: 'text/javascript' }));
    try {
      const worker = new Worker(url, { name: 'peer-chat storage' });
      const writer = new WorkerFileWriter(worker);
      await writer.request({ handle }).catch((error: unknown) => {
        worker.terminate();
        throw error;
      });
      return writer;
    } catch (error) {
      unavailable = true;
      throw error;
    } finally {
      URL.revokeObjectURL(url);
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
    return (await this.request({ at, bytes: own, digest }, [own.buffer as ArrayBuffer])) as { bytes: Uint8Array<ArrayBuffer>; digest?: ArrayBuffer };
  }

  /** Closes the file (its bytes are then what `getFile()` reads), and ends the worker. */
  async close(): Promise<void> {
    try {
      await this.request({ close: true });
    } finally {
      this.worker.terminate();
      this.failAll(new Error('the file was closed'));
    }
  }

  private request(message: Request, transfer: Transferable[] = []): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.replies.push({ resolve, reject });
      this.worker.postMessage(message, transfer);
    });
  }

  private failAll(error: Error): void {
    for (const pending of this.replies.splice(0)) pending.reject(error);
  }
}
