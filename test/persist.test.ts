/**
 * `persist` over real WebRTC: a real tab with a persisting element, reloaded, against an
 * element in the test page. Same id, the history at once, re-dialed by itself, the same
 * safety code on both sides, every message exactly once both ways; a second tab with the
 * same key gets its own id; clearHistory() clears the stored history; without `persist`
 * nothing is written; a chat stored by the previous storage layout (version 1) carries on.
 */
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { PeerChat } from '../src/peer-chat.js';
import { collect, createChat, nextEvent, startSignaling, stopSignaling, until } from './support/helpers.js';

/** Tabs not closed yet: a test that fails half-way must not leave one in front of the next test files. */
const openTabs = new Set<number>();

/** A real tab; `run` evaluates a script there, which must produce a value (not undefined). */
async function openTab(path: string) {
  const { id } = (await executeServerCommand<{ id: number }, { path: string }>('tab-open', { path }))!;
  openTabs.add(id);
  const run = <T>(script: string) => executeServerCommand<T, { id: number; script: string }>('tab-evaluate', { id, script }) as Promise<T>;
  /** Resolves with the script's value once it is truthy (polled in the page: a falsy answer would read as "not handled"). */
  const when = async <T>(script: string, what: string, timeoutMs = 30_000): Promise<T> => {
    const start = performance.now();
    for (;;) {
      const poll = `(async () => {
        const start = performance.now();
        for (;;) {
          try { const value = (${script}); if (value) return { value }; } catch {}
          if (performance.now() - start > 2000) return { waiting: true };
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })()`;
      // A navigation (reload) in the middle rejects the evaluation: ask again.
      const answer = await run<{ value?: T }>(poll).catch(() => ({}) as { value?: T });
      if (answer.value) return answer.value;
      if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  return {
    run,
    when,
    /** Reloads the page (as a person would), unless `started`, and waits for its element to be defined again. */
    async reload(started = false): Promise<void> {
      if (!started) await run(`(setTimeout(() => location.reload(), 0), true)`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await when(`!!customElements.get('peer-chat') && !!document.querySelector('peer-chat')`, 'the reloaded page');
    },
    close: () => closeTab(id),
  };
}

async function closeTab(id: number): Promise<void> {
  openTabs.delete(id);
  await executeServerCommand('tab-close', { id });
}

/** Not a fixture: open-wc's fixture waits for a frame, and this page is behind the tab (no frames). */
function place(): HTMLElement {
  const container = document.createElement('div');
  document.body.append(container);
  return container;
}

/**
 * A script for a tab: a fresh `peer-chat` database at version 1 (a chat's messages inside its
 * record, as peer-chat stored them before), holding `records` by storage key; left open when
 * `holdOpen`, as a tab running an older peer-chat holds it.
 */
const version1Database = (records: Record<string, unknown>, holdOpen: boolean) => `new Promise((resolve, reject) => {
  const removing = indexedDB.deleteDatabase('peer-chat');
  removing.onerror = () => reject(removing.error);
  removing.onsuccess = () => {
    const opening = indexedDB.open('peer-chat', 1);
    opening.onupgradeneeded = () => {
      const chats = opening.result.createObjectStore('chats');
      for (const [key, record] of Object.entries(${JSON.stringify(records)})) chats.put(record, key);
    };
    opening.onsuccess = () => (${holdOpen ? '(window.heldOpen = opening.result)' : 'opening.result.close()'}, resolve(true));
    opening.onerror = () => reject(opening.error);
  };
})`;

const inTexts = (chat: PeerChat) => chat.messages.filter((message) => message.direction === 'in').map((message) => message.text);

describe('persist (real tabs, real WebRTC)', function () {
  this.timeout(120_000);
  let port: number;

  before(async () => {
    port = await startSignaling();
  });
  afterEach(async () => {
    for (const id of openTabs) await closeTab(id);
  });
  after(async () => {
    for (const chat of document.querySelectorAll('peer-chat')) chat.remove();
    await stopSignaling(port);
  });

  it('without persist, nothing is written', async () => {
    const tab = await openTab(`/test/fixtures/tab.html?port=${port}`);
    const tabId = await tab.when<string>(`document.querySelector('peer-chat').signalingState === 'open' && document.querySelector('peer-chat').peerId`, 'registration');
    const here = await createChat(port, { parent: place() });
    await here.connect(tabId);
    await here.send('not to be stored');
    await tab.when(`document.querySelector('peer-chat').messages.length === 1`, 'the message');
    expect(await tab.run<string[]>(`indexedDB.databases().then((all) => all.map((database) => database.name))`)).to.not.include('peer-chat');
    await tab.close();
  });

  it('a reloaded element keeps its id, shows its history at once, re-dials, keeps the safety code, and loses or repeats no message', async () => {
    const key = `reload-${Date.now()}`;
    const tab = await openTab(`/test/fixtures/tab.html?port=${port}&persist=${key}`);
    const chatInTab = `document.querySelector('peer-chat')`;
    const tabId = await tab.when<string>(`${chatInTab}.signalingState === 'open' && ${chatInTab}.peerId`, 'registration');
    const here = await createChat(port, { parent: place() });
    const errors = collect(here, 'peer-chat-error');
    await here.connect(tabId);
    await here.send('before the reload');
    await tab.when(`${chatInTab}.messages.length === 1`, 'the first message');
    await tab.run(`${chatInTab}.send('reply before the reload').then(() => true)`);
    // Acknowledged: delivered, or already read (the tab's page is visible).
    await until(() => inTexts(here).length === 1 && ['delivered', 'read'].includes(here.messages[0].status!), 'the reply and the receipt');
    const code = here.peers[0].safetyCode;
    expect(code).to.match(/^\d{5}( \d{5}){4}$/);

    const dropped = nextEvent(here, 'peer-chat-disconnect');
    const back = nextEvent(here, 'peer-chat-connect', (detail) => detail.peerId === tabId, 60_000);
    await tab.run(`(setTimeout(() => location.reload(), 0), true)`);
    await dropped;
    await here.send('while the tab reloads');
    await tab.reload(true);
    expect(await tab.when<string>(`${chatInTab}.signalingState === 'open' && ${chatInTab}.peerId`, 'registration after the reload')).to.equal(tabId);
    // The stored history was there before the element registered again.
    expect(await tab.run<number>('window.messagesAtReady + 1')).to.equal(3);
    expect((await back).safetyCode).to.equal(code);
    const texts = await tab.when<string[]>(
      `${chatInTab}.messages.length === 3 && ${chatInTab}.messages.map((message) => message.text)`,
      'the message sent during the reload',
    );
    expect(texts).to.deep.equal(['before the reload', 'reply before the reload', 'while the tab reloads']);
    expect(await tab.when<string>(`${chatInTab}.peers[0]?.safetyCode`, 'the safety code in the tab')).to.equal(code);

    await tab.run(`${chatInTab}.send('after the reload').then(() => true)`);
    await until(() => inTexts(here).length === 2, 'the message sent after the reload');
    await until(() => here.messages.every((message) => message.direction === 'in' || ['delivered', 'read'].includes(message.status!)), 'every receipt');
    await new Promise((resolve) => setTimeout(resolve, 1000)); // Room for a duplicate, were there one.
    expect(inTexts(here)).to.deep.equal(['reply before the reload', 'after the reload']);
    expect((await tab.run<string[]>(`${chatInTab}.messages.map((message) => message.text)`))).to.have.length(4);
    expect(errors.filter((error) => error.type === 'protocol')).to.deep.equal([]);

    // A second tab of the site with the same key: an id of its own, no id-taken loop.
    const second = await openTab(`/test/fixtures/tab.html?port=${port}&persist=${key}`);
    const secondId = await second.when<string>(`${chatInTab}.signalingState === 'open' && ${chatInTab}.peerId`, 'the second tab’s registration');
    expect(secondId).to.not.equal(tabId);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await second.run<string[]>('window.errors')).to.deep.equal([]);
    expect(await second.run<number>(`${chatInTab}.messages.length + 1`)).to.equal(1);
    await second.close();

    // clearHistory() clears what is stored: nothing comes back after another reload.
    await tab.run(`(${chatInTab}.clearHistory(), true)`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await tab.reload();
    expect(await tab.when<string>(`${chatInTab}.signalingState === 'open' && ${chatInTab}.peerId`, 'registration after clearing')).to.equal(tabId);
    expect(await tab.run<number>(`${chatInTab}.messages.length + 1`)).to.equal(1);
    expect(await tab.run<string[]>('window.errors')).to.deep.equal([]);
    await tab.close();
  });

  it('a stored DTLS certificate that expires within a day is replaced by a new one, which is stored', async () => {
    const key = `certificate-${Date.now()}`;
    const tab = await openTab(`/test/fixtures/tab.html?port=${port}&persist=${key}`);
    const chatInTab = `document.querySelector('peer-chat')`;
    await tab.when(`${chatInTab}.signalingState === 'open'`, 'registration');
    const database = `new Promise((resolve, reject) => { const opening = indexedDB.open('peer-chat'); opening.onsuccess = () => resolve(opening.result); opening.onerror = () => reject(opening.error); })`;
    const storedExpiry = `(async () => {
      const database = await ${database};
      const record = await new Promise((resolve) => (database.transaction('chats').objectStore('chats').get('${key}').onsuccess = (event) => resolve(event.target.result)));
      database.close();
      return record.certificate.expires - Date.now();
    })()`;
    // The element gone (it writes no more), its record's certificate becomes one that expires in an hour.
    const expiresIn = await tab.run<number>(`(async () => {
      ${chatInTab}.remove();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const certificate = await RTCPeerConnection.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256', expires: 3_600_000 });
      const database = await ${database};
      const chats = database.transaction('chats', 'readwrite').objectStore('chats');
      await new Promise((resolve) => (chats.get('${key}').onsuccess = (event) => (chats.put({ ...event.target.result, certificate }, '${key}').onsuccess = resolve)));
      database.close();
      return ${storedExpiry};
    })()`);
    expect(expiresIn).to.be.below(86_400_000);
    await tab.reload();
    await tab.when(`${chatInTab}.signalingState === 'open'`, 'registration after the reload');
    await tab.run(`(${chatInTab}.clearHistory(), true)`); // a write of the record
    let stored = expiresIn;
    for (const start = performance.now(); stored < 86_400_000 && performance.now() - start < 10_000; ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      stored = await tab.run<number>(storedExpiry);
    }
    expect(stored).to.be.above(86_400_000);
    expect(await tab.run<string[]>('window.errors')).to.deep.equal([]);
    await tab.close();
  });

  it('a chat stored by version 1 of the database (its history inside its record) loads, and is stored one message at a time from then on', async () => {
    const key = `v1-${Date.now()}`;
    const storedId = `v1-peer-${Date.now()}`;
    const chatInTab = `document.querySelector('peer-chat')`;
    const history = ['first', 'second', 'third'].map((text, index) => ({ id: `m${index}`, from: 'old-friend', text, time: 1_700_000_000_000 + index, direction: 'in' }));
    // A page without persist, so that nothing has the database open while version 1 is written.
    const tab = await openTab(`/test/fixtures/tab.html?port=${port}`);
    await tab.when(`${chatInTab}.signalingState === 'open'`, 'registration');
    const record = { peerId: storedId, session: 'old-session', certificate: null, history, peers: [] };
    await tab.run(version1Database({ [key]: record }, false));
    await tab.run(`(setTimeout(() => (location.search = ${JSON.stringify(`?port=${port}&persist=${key}`)}), 0), true)`);
    await tab.reload(true);
    expect(await tab.when<string>(`${chatInTab}.signalingState === 'open' && ${chatInTab}.peerId`, 'registration with the stored id')).to.equal(storedId);
    expect(await tab.run<string[]>(`${chatInTab}.messages.map((message) => message.text)`)).to.deep.equal(['first', 'second', 'third']);

    const here = await createChat(port, { parent: place() });
    await here.connect(storedId);
    await here.send('fourth');
    await tab.when(`${chatInTab}.messages.length === 4`, 'the new message');
    /** What the database holds for the key, once the tab stored the new message (within 10 s). */
    const stored = await tab.run<{ version: number; messages: Array<[number, string]>; inRecord: boolean }>(`(async () => {
      const range = IDBKeyRange.bound([${JSON.stringify(key)}, -Infinity], [${JSON.stringify(key)}, Infinity]);
      const read = () => new Promise((resolve) => {
        indexedDB.open('peer-chat').onsuccess = ({ target: { result: database } }) => {
          const transaction = database.transaction(['chats', 'messages']);
          const keys = transaction.objectStore('messages').getAllKeys(range);
          const values = transaction.objectStore('messages').getAll(range);
          const chat = transaction.objectStore('chats').get(${JSON.stringify(key)});
          transaction.oncomplete = () => {
            resolve({ version: database.version, messages: keys.result.map(([, place], index) => [place, values.result[index].text]), inRecord: 'history' in chat.result });
            database.close();
          };
        };
      });
      for (let tries = 0; ; tries++) {
        const now = await read();
        if (now.messages.length === 4 || tries === 100) return now;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })()`);
    expect(stored).to.deep.equal({ version: 2, messages: [[0, 'first'], [1, 'second'], [2, 'third'], [3, 'fourth']], inRecord: false });
    expect(await tab.run<string[]>('window.errors')).to.deep.equal([]);
    await tab.close();
  });

  it('while another tab holds the database open at version 1 (an older peer-chat), the element reports one storage error and chats unpersisted', async () => {
    const chatInTab = `document.querySelector('peer-chat')`;
    const older = await openTab(`/test/fixtures/tab.html?port=${port}`);
    await older.when(`${chatInTab}.signalingState === 'open'`, 'registration');
    // As an older peer-chat would: version 1 open, and no answer to a request to upgrade it.
    await older.run(version1Database({}, true));
    const tab = await openTab(`/test/fixtures/tab.html?port=${port}&persist=blocked-${Date.now()}`);
    const tabId = await tab.when<string>(`${chatInTab}.signalingState === 'open' && ${chatInTab}.peerId`, 'registration without storage');
    const here = await createChat(port, { parent: place() });
    await here.connect(tabId);
    await here.send('still chatting');
    expect(await tab.when<string[]>(`${chatInTab}.messages.length === 1 && ${chatInTab}.messages.map((message) => message.text)`, 'the message')).to.deep.equal(['still chatting']);
    await new Promise((resolve) => setTimeout(resolve, 500)); // Room for a second error, were there one.
    expect(await tab.run<string[]>('window.errors')).to.deep.equal(['storage']);
    await tab.close();
    await older.close();
  });
});
