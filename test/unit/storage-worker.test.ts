/** The page's storage worker: files written through OPFS sync access handles, one worker for all of them. */
import { expect } from '@open-wc/testing';
import { StorageWorker, WorkerFileWriter } from '../../src/transfers/storage-worker.js';
import { sha256 } from '../support/block-hash.js';

const bytesOf = (length: number, seed: number) => new Uint8Array(length).map((_, i) => (i * 31 + seed) & 0xff);

describe('storage worker', () => {
  let folder: FileSystemDirectoryHandle;
  const worker = window.Worker;
  const idleMs = StorageWorker.idleMs;
  /** The workers made and not ended yet. */
  const live = new Set<Worker>();

  before(async () => {
    folder = await (await navigator.storage.getDirectory()).getDirectoryHandle('storage-worker-test', { create: true });
    window.Worker = class extends worker {
      constructor(...args: ConstructorParameters<typeof Worker>) {
        super(...args);
        live.add(this);
      }

      override terminate(): void {
        live.delete(this);
        super.terminate();
      }
    };
  });

  afterEach(() => {
    StorageWorker.idleMs = idleMs;
  });

  after(async () => {
    window.Worker = worker;
    await (await navigator.storage.getDirectory()).removeEntry('storage-worker-test', { recursive: true });
  });

  const open = async (name: string) => {
    const handle = await folder.getFileHandle(name, { create: true });
    return { handle, writer: await WorkerFileWriter.open(handle) };
  };

  it('writes two files at once, interleaved, through one worker: each byte where it belongs, each block hashed', async () => {
    const a = await open('a.bin');
    const b = await open('b.bin');
    const [a1, a2, b1, b2] = [bytesOf(70_000, 1), bytesOf(5_000, 2), bytesOf(40_000, 3), bytesOf(1, 4)];
    const expected = { a1: (await sha256(a1)).join(','), b1: (await sha256(b1)).join(',') };
    // Each write takes its bytes' buffer: what is compared is copied first.
    const [aWhole, bWhole] = [new Uint8Array([...a1, ...a2]), new Uint8Array([...b1, ...b2])];
    const writes = await Promise.all([a.writer.write(0, a1, true), b.writer.write(0, b1, true), a.writer.write(70_000, a2), b.writer.write(40_000, b2)]);
    expect(live.size, 'workers running').to.equal(1);
    await Promise.all([a.writer.close(), b.writer.close()]);

    expect(new Uint8Array(writes[0].digest!).join(','), 'digest of a’s first block').to.equal(expected.a1);
    expect(new Uint8Array(writes[1].digest!).join(','), 'digest of b’s first block').to.equal(expected.b1);
    expect(writes[0].bytes.byteLength, 'a’s buffer given back').to.equal(70_000);
    expect(new Uint8Array(await (await a.handle.getFile()).arrayBuffer())).to.deep.equal(aWhole);
    expect(new Uint8Array(await (await b.handle.getFile()).arrayBuffer())).to.deep.equal(bWhole);
  });

  it('ends once no file has been open for a while, and starts again for the next file', async () => {
    StorageWorker.idleMs = 50;
    const first = await open('first.bin');
    await first.writer.write(0, bytesOf(10, 5));
    await first.writer.close();
    // Closing again (a finished file that leaves the history is discarded) settles at once.
    await first.writer.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(live.size, 'workers running after the idle time').to.equal(0);

    const second = await open('second.bin');
    await second.writer.write(0, bytesOf(20, 6));
    await second.writer.close();
    expect(live.size, 'workers running for the next file').to.equal(1);
    expect((await second.handle.getFile()).size).to.equal(20);
  });

  it('stays up while a file is open, past the idle time', async () => {
    StorageWorker.idleMs = 50;
    const open1 = await open('open-1.bin');
    const open2 = await open('open-2.bin');
    await open2.writer.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(live.size, 'workers running while a file is open').to.equal(1);
    await open1.writer.write(0, bytesOf(30, 7));
    await open1.writer.close();
    expect((await open1.handle.getFile()).size).to.equal(30);
  });
});
