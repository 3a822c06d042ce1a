import { expect } from '@open-wc/testing';
import { collect, createChat, nextEvent, pair, part, parts, patternBytes, sameBytes, startSignaling, stopSignaling, until } from './support/helpers.js';
import { HASH_BLOCK_BYTES } from '../src/transfers/file-hash.js';
import { RECEIVING_AT_ONCE } from '../src/transfers/registry.js';

/** The received files on disk (the Origin Private File System, in the pages' folders of transfers), by folder/name. */
async function storedFiles(): Promise<Map<string, FileSystemFileHandle>> {
  const files = new Map<string, FileSystemFileHandle>();
  const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('peer-chat-transfers', { create: true });
  for await (const [folder, session] of (root as unknown as AsyncIterable<[string, FileSystemDirectoryHandle]>)) {
    for await (const [name, handle] of (session as unknown as AsyncIterable<[string, FileSystemFileHandle]>)) files.set(`${folder}/${name}`, handle);
  }
  return files;
}

/** Counts the writes through the writable stream (how files are stored without a storage worker) until `restore()`. */
function countStreamWrites(): { count: number; restore(): void } {
  const write = FileSystemWritableFileStream.prototype.write;
  const counter = { count: 0, restore: () => void (FileSystemWritableFileStream.prototype.write = write) };
  FileSystemWritableFileStream.prototype.write = function (this: FileSystemWritableFileStream, ...args: Parameters<typeof write>) {
    counter.count++;
    return write.apply(this, args);
  };
  return counter;
}

describe('<peer-chat> file transfer, over real WebRTC', () => {
  let port: number;
  before(async () => {
    port = await startSignaling();
  });
  after(async () => {
    await stopSignaling(port);
  });

  it('sends a file of several MiB byte-exact, with progress on both sides', async () => {
    const alice = await createChat(port);
    const bob = await createChat(port, { acceptFiles: 'always' });
    await pair(alice, bob);
    const size = 6 * 1024 * 1024 + 12345;
    const bytes = patternBytes(size, 7);
    const file = new File([bytes], 'pattern.bin', { type: 'application/octet-stream' });

    const offers = collect(bob, 'peer-chat-file-offer');
    const sendProgress = collect(alice, 'peer-chat-file-progress');
    const receiveProgress = collect(bob, 'peer-chat-file-progress');
    const received = nextEvent(bob, 'peer-chat-file');
    await alice.sendFile(file);
    const { file: got, from, transferId } = await received;

    expect(from).to.equal(alice.peerId);
    expect(got.name).to.equal('pattern.bin');
    expect(got.size).to.equal(size);
    expect(await sameBytes(got, bytes)).to.equal(true);
    expect(offers).to.deep.equal([{ transferId, from: alice.peerId, name: 'pattern.bin', size, type: 'application/octet-stream' }]);

    for (const [progress, direction] of [[sendProgress, 'out'], [receiveProgress, 'in']] as const) {
      // At most one event per 100 ms: a fast transfer may report only once before the end.
      expect(progress.length, `${direction} progress events`).to.be.at.least(2);
      expect(progress[0].bytes, `${direction}: progress before the end`).to.be.below(size);
      expect(progress.every((event) => event.direction === direction && event.size === size)).to.equal(true);
      const counts = progress.map((event) => event.bytes);
      expect(counts).to.deep.equal([...counts].sort((x, y) => x - y));
      expect(counts.at(-1)).to.equal(size);
    }

    // The receiver's log has a download link named after the file; both show 100 %.
    await bob.updateComplete;
    const link = part(bob, 'download') as HTMLAnchorElement;
    expect(link.download).to.equal('pattern.bin');
    expect(link.href).to.match(/^blob:/);
    expect(part(bob, 'progress-text').textContent).to.contain('100%');
    await alice.updateComplete;
    expect((part(alice, 'progress') as HTMLProgressElement).value).to.equal(size);
  });

  it('writes a large file to disk as it arrives: the File it hands over is disk-backed and verified', async () => {
    const alice = await createChat(port);
    const bob = await createChat(port, { acceptFiles: 'always' });
    await pair(alice, bob);
    const size = 96 * 1024 * 1024 + 7; // well above the 8 MiB kept in memory, and the 16 MiB window
    const bytes = patternBytes(size, 13);
    const received = nextEvent(bob, 'peer-chat-file', undefined, 120_000);
    await alice.sendFile(new File([bytes], 'large.bin'));
    const { file } = await received;
    expect(file.size).to.equal(size);
    const digest = async (data: BufferSource) => new Uint8Array(await crypto.subtle.digest('SHA-256', data)).join(',');
    expect(await digest(await file.arrayBuffer())).to.equal(await digest(bytes));

    // The bytes live in the Origin Private File System, in this page's folder of transfers.
    const sizes = await Promise.all([...(await storedFiles()).values()].map(async (handle) => (await handle.getFile()).size));
    expect(sizes).to.include(size);
  });

  it('writes files that arrive together through one storage worker, and deletes them from disk when the history is cleared', async () => {
    const alice = await createChat(port);
    const bob = await createChat(port, { acceptFiles: 'always' });
    await pair(alice, bob);
    const worker = window.Worker;
    let workersMade = 0;
    window.Worker = class extends worker {
      constructor(...args: ConstructorParameters<typeof Worker>) {
        super(...args);
        workersMade++;
      }
    };
    const streamWrites = countStreamWrites();
    const stored = async () => [...(await storedFiles()).keys()];
    try {
      const before = await stored();
      const files = [patternBytes(10 * 1024 * 1024 + 1, 21), patternBytes(9 * 1024 * 1024 + 5, 22)]; // both above the 8 MiB kept in memory
      const arrived = collect(bob, 'peer-chat-file');
      await Promise.all(files.map((bytes, index) => alice.sendFile(new File([bytes], `together-${index}.bin`))));
      await until(() => arrived.length === 2, 'both files to arrive', 60_000);
      for (const [index, bytes] of files.entries()) {
        const { file } = arrived.find((detail) => detail.file.name === `together-${index}.bin`)!;
        expect(await sameBytes(file, bytes), `together-${index}.bin`).to.equal(true);
      }
      // At most one (none when an earlier file's worker is still up), where one per file made two.
      expect(workersMade, 'storage workers made').to.be.at.most(1);
      expect(streamWrites.count, 'writes through the writable stream').to.equal(0);
      const added = (await stored()).filter((name) => !before.includes(name));
      expect(added, 'files written to disk').to.have.length(2);

      bob.clearHistory();
      await until(async () => (await stored()).every((name) => !added.includes(name)), 'the received files to be deleted from disk', 10_000);
    } finally {
      window.Worker = worker;
      streamWrites.restore();
    }
  });

  it('without a storage worker (a CSP without worker-src blob:), writes a large file through the writable stream, verified by block hash', async () => {
    const alice = await createChat(port);
    const bob = await createChat(port, { acceptFiles: 'always' });
    await pair(alice, bob);
    const worker = window.Worker;
    (window as { Worker?: typeof Worker }).Worker = undefined;
    const streamWrites = countStreamWrites();
    try {
      const size = 12 * 1024 * 1024 + 3; // above the 8 MiB kept in memory; the last block short
      const bytes = patternBytes(size, 17);
      const received = nextEvent(bob, 'peer-chat-file', undefined, 60_000);
      await alice.sendFile(new File([bytes], 'stream.bin'));
      const { file } = await received;
      expect(await sameBytes(file, bytes)).to.equal(true);
      expect(streamWrites.count, 'one write per block').to.equal(Math.ceil(size / HASH_BLOCK_BYTES));
    } finally {
      window.Worker = worker;
      streamWrites.restore();
    }
  });

  for (const webAssembly of [true, false]) {
    it(webAssembly
      ? 'verifies a large file by XXH64 blocks: SHA-256 only for the roots'
      : 'without WebAssembly (a CSP without wasm-unsafe-eval), verifies by SHA-256 blocks, which the receiver\'s storage worker computes', async () => {
      const alice = await createChat(port);
      const bob = await createChat(port, { acceptFiles: 'always' });
      await pair(alice, bob);
      const wasm = globalThis.WebAssembly;
      const digest = crypto.subtle.digest;
      let digests = 0;
      crypto.subtle.digest = function (this: SubtleCrypto, ...args: Parameters<typeof digest>) {
        digests++;
        return digest.apply(this, args);
      };
      if (!webAssembly) (globalThis as { WebAssembly?: unknown }).WebAssembly = undefined;
      try {
        const size = 12 * 1024 * 1024 + 3; // above the 8 MiB kept in memory: the storage worker writes it
        const bytes = patternBytes(size, 23);
        const received = nextEvent(bob, 'peer-chat-file', undefined, 60_000);
        await alice.sendFile(new File([bytes], 'checked.bin'));
        expect(await sameBytes((await received).file, bytes)).to.equal(true);
        const blocks = Math.ceil(size / HASH_BLOCK_BYTES);
        // On the page's main thread, where both elements run: the two roots, and with SHA-256 leaves
        // the sender's of each block (the receiver's storage worker computes its own).
        expect(digests, 'SHA-256 digests on the main thread').to.equal(webAssembly ? 2 : blocks + 2);
      } finally {
        globalThis.WebAssembly = wasm;
        crypto.subtle.digest = digest;
      }
    });
  }

  it('sends a file dropped onto the element, and one picked with the file button', async () => {
    const alice = await createChat(port);
    const bob = await createChat(port, { acceptFiles: 'always' });
    await pair(alice, bob);
    await alice.updateComplete;
    const base = part(alice, 'base');
    const transfer = new DataTransfer();
    transfer.items.add(new File(['dropped bytes'], 'dropped.txt', { type: 'text/plain' }));
    base.dispatchEvent(new DragEvent('dragenter', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    await alice.updateComplete;
    expect(part(alice, 'drop-zone')).to.exist;
    const dropped = nextEvent(bob, 'peer-chat-file');
    base.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    const { file } = await dropped;
    expect(file.name).to.equal('dropped.txt');
    expect(await file.text()).to.equal('dropped bytes');
    await alice.updateComplete;
    expect(parts(alice, 'drop-zone')).to.have.length(0);

    // The file button opens the (hidden) file input; choosing a file there sends it.
    const input = alice.shadowRoot!.querySelector<HTMLInputElement>('input[type="file"]')!;
    let pickerOpened = false;
    input.addEventListener('click', (event) => {
      pickerOpened = true;
      event.preventDefault();
    });
    part(alice, 'file-button').click();
    expect(pickerOpened).to.equal(true);
    const picked = new DataTransfer();
    picked.items.add(new File(['picked bytes'], 'picked.txt'));
    input.files = picked.files;
    const arrived = nextEvent(bob, 'peer-chat-file');
    input.dispatchEvent(new Event('change'));
    expect(await (await arrived).file.text()).to.equal('picked bytes');
  });

  it('asks the person by default, and sends once they accept in the UI', async () => {
    const alice = await createChat(port);
    const bob = await createChat(port);
    await pair(alice, bob);
    const offered = nextEvent(bob, 'peer-chat-file-offer');
    const sending = alice.sendFile(new File(['hello file'], 'note.txt', { type: 'text/plain' }));
    await offered;
    await bob.updateComplete;
    const received = nextEvent(bob, 'peer-chat-file');
    part(bob, 'accept-button').click();
    await sending;
    expect(await (await received).file.text()).to.equal('hello file');
  });

  it('declines through the UI: sendFile rejects with type declined', async () => {
    const alice = await createChat(port);
    const bob = await createChat(port);
    await pair(alice, bob);
    const offered = nextEvent(bob, 'peer-chat-file-offer');
    const sending = alice.sendFile(new File(['x'.repeat(1000)], 'unwanted.txt'));
    await offered;
    await bob.updateComplete;
    part(bob, 'decline-button').click();
    const failure = await sending.then(() => null, (error) => error);
    expect(failure?.type).to.equal('declined');
    await until(() => alice.transfers[0]?.status === 'declined', 'the sender to show the decline');
  });

  it('lets the page decline an offer with preventDefault()', async () => {
    const alice = await createChat(port);
    const bob = await createChat(port, { acceptFiles: 'always' });
    await pair(alice, bob);
    bob.addEventListener('peer-chat-file-offer', (event) => event.preventDefault(), { once: true });
    const failure = await alice.sendFile(new File(['nope'], 'nope.txt')).then(() => null, (error) => error);
    expect(failure?.type).to.equal('declined');
    expect(bob.transfers[0].status).to.equal('declined');
  });

  it('cancels from the receiving side mid-transfer; both sides stop and chat goes on', async () => {
    const alice = await createChat(port);
    const bob = await createChat(port, { acceptFiles: 'always' });
    await pair(alice, bob);
    const bytes = patternBytes(48 * 1024 * 1024, 3);
    const started = nextEvent(bob, 'peer-chat-file-progress');
    const sending = alice.sendFile(new File([bytes], 'big.bin'));
    const { transferId } = await started;
    bob.cancelTransfer(transferId);
    const failure = await sending.then(() => null, (error) => error);
    expect(failure?.type).to.equal('transfer');
    expect(alice.transfers[0].status).to.equal('cancelled');
    expect(bob.transfers[0].status).to.equal('cancelled');
    expect(bob.transfers[0].bytes).to.be.lessThan(bytes.byteLength);
    const message = nextEvent(bob, 'peer-chat-message');
    await alice.send('still here');
    expect((await message).text).to.equal('still here');
  });

  it('cancels from the sending side with the cancel button', async () => {
    const alice = await createChat(port);
    const bob = await createChat(port, { acceptFiles: 'always' });
    await pair(alice, bob);
    const started = nextEvent(alice, 'peer-chat-file-progress');
    const sending = alice.sendFile(new File([patternBytes(48 * 1024 * 1024, 5)], 'big.bin'));
    await started;
    await alice.updateComplete;
    const bobSeesCancel = nextEvent(bob, 'peer-chat-error', (detail) => detail.type === 'transfer');
    part(alice, 'cancel-button').click();
    expect((await sending.then(() => null, (error) => error))?.type).to.equal('transfer');
    expect((await bobSeesCancel).message).to.contain('cancelled');
    await until(() => bob.transfers[0]?.status === 'cancelled', 'bob to show the cancel');
    expect(parts(bob, 'download')).to.have.length(0);
  });

  it('sends files both ways at once (each side numbers its own transfers)', async () => {
    const alice = await createChat(port, { acceptFiles: 'always' });
    const bob = await createChat(port, { acceptFiles: 'always' });
    await pair(alice, bob);
    // A first small file each way, so that the second ones share slot number 2 on both sides.
    for (const [from, to] of [[alice, bob], [bob, alice]] as const) {
      const arrived = nextEvent(to, 'peer-chat-file');
      await from.sendFile(new File(['warm-up'], 'first.txt'));
      await arrived;
    }
    const toBob = patternBytes(3 * 1024 * 1024, 31);
    const toAlice = patternBytes(9 * 1024 * 1024 + 5, 32);
    const atBob = nextEvent(bob, 'peer-chat-file', (detail) => detail.file.name === 'to-bob.bin');
    const atAlice = nextEvent(alice, 'peer-chat-file', (detail) => detail.file.name === 'to-alice.bin');
    await Promise.all([alice.sendFile(new File([toBob], 'to-bob.bin')), bob.sendFile(new File([toAlice], 'to-alice.bin'))]);
    expect(await sameBytes((await atBob).file, toBob)).to.equal(true);
    expect(await sameBytes((await atAlice).file, toAlice)).to.equal(true);
  });

  it(`takes ${RECEIVING_AT_ONCE} of a peer's files at once: the others wait their turn, shown queued, and all arrive verified`, async () => {
    const alice = await createChat(port);
    const bob = await createChat(port, { acceptFiles: 'always' });
    await pair(alice, bob);
    const files = Array.from({ length: RECEIVING_AT_ONCE + 2 }, (_, index) => patternBytes(4 * 1024 * 1024 + index, 60 + index));
    const arrived = collect(bob, 'peer-chat-file');
    let mostComingIn = 0;
    bob.addEventListener('peer-chat-file-progress', () => {
      mostComingIn = Math.max(mostComingIn, bob.transfers.filter((transfer) => transfer.status === 'active').length);
    });
    const sending = Promise.all(files.map((bytes, index) => alice.sendFile(new File([bytes], `turn-${index}.bin`))));
    await until(() => parts(bob, 'transfer').some((entry) => entry.dataset.status === 'queued'), 'a queued file to be shown');
    const queued = parts(bob, 'transfer').find((entry) => entry.dataset.status === 'queued')!;
    expect(queued.textContent).to.include('Accepted: waiting for its turn');
    expect(queued.querySelector('[part~="cancel-button"]'), 'a queued file can be cancelled').to.not.equal(null);
    await sending;
    await until(() => arrived.length === files.length, 'every file');
    expect(mostComingIn).to.equal(RECEIVING_AT_ONCE);
    for (const [index, bytes] of files.entries()) {
      const { file } = arrived.find((detail) => detail.file.name === `turn-${index}.bin`)!;
      expect(await sameBytes(file, bytes), `turn-${index}.bin`).to.equal(true);
    }
  });

  it('draws every bar as its own transfer moves while others move too, up to 100 %', async () => {
    const alice = await createChat(port);
    const bob = await createChat(port, { acceptFiles: 'always' });
    await pair(alice, bob);
    const names = ['first.bin', 'second.bin'];
    // Each bar, as drawn on either side: the percentages its progress text showed, in order.
    const drawn = new Map<string, number[]>();
    const watch = (chat: typeof alice, side: string) => {
      const observer = new MutationObserver(() => {
        for (const entry of parts(chat, 'transfer')) {
          const key = `${side} ${entry.querySelector('.file-name')!.textContent}`;
          const text = entry.querySelector('[part~="progress-text"]')?.textContent;
          const values = drawn.get(key) ?? [];
          const percent = text ? Number(/\((\d+)%\)/.exec(text)![1]) : undefined;
          if (percent !== undefined && values.at(-1) !== percent) values.push(percent);
          drawn.set(key, values);
        }
      });
      observer.observe(chat.shadowRoot!, { subtree: true, childList: true, characterData: true });
      return observer;
    };
    const observers = [watch(alice, 'sent'), watch(bob, 'received')];
    const arrived = collect(bob, 'peer-chat-file');
    // 48 MiB each: with 24, a CI run on a loaded machine saw the second file's bar go from 0 to
    // 100 % within one 500 ms drawing; a file that starts late must still span several.
    await Promise.all(names.map((name, index) => alice.sendFile(new File([patternBytes(48 * 1024 * 1024, 40 + index)], name))));
    await until(() => arrived.length === names.length, 'both files');
    await Promise.all([alice.updateComplete, bob.updateComplete]);
    for (const observer of observers) observer.disconnect();
    for (const side of ['sent', 'received']) {
      for (const name of names) {
        const values = drawn.get(`${side} ${name}`) ?? [];
        // Drawn part of the way (not only when it started and ended), never backwards, and finished.
        expect(values.some((percent) => percent > 0 && percent < 100), `${side} ${name}: ${values}`).to.equal(true);
        expect(values, `${side} ${name}`).to.deep.equal([...values].sort((x, y) => x - y));
        expect(values.at(-1), `${side} ${name}`).to.equal(100);
      }
    }
  });

  it('delivers a chat message while a large file is in flight', async () => {
    const alice = await createChat(port);
    const bob = await createChat(port, { acceptFiles: 'always' });
    await pair(alice, bob);
    const bytes = patternBytes(24 * 1024 * 1024, 11);
    const started = nextEvent(bob, 'peer-chat-file-progress');
    const fileDone = nextEvent(bob, 'peer-chat-file');
    const sending = alice.sendFile(new File([bytes], 'big.bin'));
    await started;
    const message = nextEvent(bob, 'peer-chat-message');
    await alice.send('in the middle');
    expect((await message).text).to.equal('in the middle');
    // The message overtook the file: it arrived before the last byte.
    expect(bob.transfers[0].status).to.equal('active');
    await sending;
    expect(await sameBytes((await fileDone).file, bytes)).to.equal(true);
  });

  it('refuses files above max-file-size on both sides', async () => {
    const alice = await createChat(port, { maxFileSize: '1000' });
    const bob = await createChat(port, { acceptFiles: 'always', maxFileSize: '100' });
    await pair(alice, bob);

    const senderError = nextEvent(alice, 'peer-chat-error');
    const tooBigToSend = await alice.sendFile(new File([new Uint8Array(1001)], 'big.bin')).then(() => null, (error) => error);
    expect(tooBigToSend?.type).to.equal('file-too-large');
    expect((await senderError).type).to.equal('file-too-large');

    const receiverError = nextEvent(bob, 'peer-chat-error');
    const tooBigToReceive = await alice.sendFile(new File([new Uint8Array(500)], 'medium.bin')).then(() => null, (error) => error);
    expect(tooBigToReceive?.type).to.equal('declined');
    const reported = await receiverError;
    expect(reported.type).to.equal('file-too-large');
    expect(reported.peerId).to.equal(alice.peerId);

    const small = nextEvent(bob, 'peer-chat-file');
    await alice.sendFile(new File([new Uint8Array(100)], 'small.bin'));
    expect((await small).file.size).to.equal(100);
  });

  it('sends an empty file', async () => {
    const alice = await createChat(port);
    const bob = await createChat(port, { acceptFiles: 'always' });
    await pair(alice, bob);
    const received = nextEvent(bob, 'peer-chat-file');
    await alice.sendFile(new File([], 'empty.txt'));
    expect((await received).file.size).to.equal(0);
  });
});
