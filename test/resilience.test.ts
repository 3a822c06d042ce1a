import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { collect, createChat, nextEvent, pair, part, patternBytes, sameBytes, startSignaling, stopSignaling, until } from './support/helpers.js';

describe('<peer-chat> when the signaling server or a peer goes away', () => {
  it('keeps chatting and sending files with the server killed, then re-registers when it returns', async () => {
    const port = await startSignaling();
    try {
      const alice = await createChat(port, { name: 'Alice' });
      const bob = await createChat(port, { name: 'Bob', acceptFiles: 'always' });
      await pair(alice, bob);
      const aliceId = alice.peerId;
      const states = collect(alice, 'peer-chat-signaling');

      await stopSignaling(port);
      await until(() => alice.signalingState === 'reconnecting', 'alice to notice the server is gone');
      await alice.updateComplete;
      expect(part(alice, 'status').dataset.state).to.equal('reconnecting');

      // The established chat does not need the server.
      const message = nextEvent(bob, 'peer-chat-message');
      await alice.send('server? what server?');
      expect((await message).text).to.equal('server? what server?');
      const reply = nextEvent(alice, 'peer-chat-message', (detail) => detail.direction === 'in');
      await bob.send('still here');
      expect((await reply).text).to.equal('still here');
      const bytes = patternBytes(3 * 1024 * 1024, 9);
      const received = nextEvent(bob, 'peer-chat-file');
      await alice.sendFile(new File([bytes], 'offline.bin'));
      expect(await sameBytes((await received).file, bytes)).to.equal(true);

      // The server returns on the same port: re-registration with the same id, by itself.
      await startSignaling(port);
      await until(() => alice.signalingState === 'open', 'alice to re-register', 40_000);
      expect(alice.peerId).to.equal(aliceId);
      expect(states.map((detail) => detail.state)).to.include.members(['reconnecting', 'open']);
      expect(alice.connectedPeers).to.deep.equal([bob.peerId]);

      // A newcomer finds Alice through the restarted server.
      const carol = await createChat(port, { name: 'Carol' });
      await carol.connect(aliceId);
      const hello = nextEvent(alice, 'peer-chat-message', (detail) => detail.from === carol.peerId);
      await carol.send('hi from the new server');
      expect((await hello).text).to.equal('hi from the new server');
    } finally {
      await stopSignaling(port);
    }
  });

  it('notices within seconds when a peer\u2019s tab is closed', async () => {
    const port = await startSignaling();
    try {
      const alice = await createChat(port);
      const arrived = nextEvent(alice, 'peer-chat-connect');
      const tab = await executeServerCommand<{ id: number }, { path: string }>('tab-open', {
        path: `/test/fixtures/tab.html?port=${port}&remote-id=${encodeURIComponent(alice.peerId)}&name=Tab`,
      });
      const { peerId: tabPeerId, name } = await arrived;
      expect(name).to.equal('Tab');
      const message = nextEvent(alice, 'peer-chat-message');
      await executeServerCommand('tab-evaluate', { id: tab!.id, script: `document.querySelector('peer-chat').send('from the other tab')` });
      expect((await message).text).to.equal('from the other tab');

      const left = nextEvent(alice, 'peer-chat-disconnect', undefined, 10_000);
      const closedAt = performance.now();
      await executeServerCommand('tab-close', { id: tab!.id });
      const { peerId, reason } = await left;
      expect(peerId).to.equal(tabPeerId);
      expect(['closed', 'timeout']).to.include(reason);
      expect(performance.now() - closedAt).to.be.lessThan(10_000);
      expect(alice.connectedPeers).to.deep.equal([]);
    } finally {
      await stopSignaling(port);
    }
  });

  it('keeps trying to register while the server is down at start, then registers', async () => {
    const port = await startSignaling();
    await stopSignaling(port);
    const chat = document.createElement('peer-chat');
    chat.setAttribute('host', '127.0.0.1');
    chat.setAttribute('port', String(port));
    chat.setAttribute('ice-servers', '[]');
    const errors = collect(chat, 'peer-chat-error');
    document.body.append(chat);
    try {
      await until(() => chat.signalingState === 'reconnecting', 'the element to retry');
      expect(errors.some((error) => error.type === 'signaling')).to.equal(true);
      const ready = nextEvent(chat, 'peer-chat-ready', undefined, 40_000);
      await startSignaling(port);
      expect((await ready).peerId).to.equal(chat.peerId);
      expect(chat.signalingState).to.equal('open');
    } finally {
      chat.remove();
      await stopSignaling(port);
    }
  });
});
