/**
 * End to end on two instances of the demo/aspnet site sharing one Redis (PeerChat.AspNetCore.Redis): real
 * tabs, each on the page of its own instance and signaling with that instance, find each other, chat and
 * swap a file; the chat goes on while an instance is killed, its tab re-registers with the same id when it
 * restarts, and a new tab there reaches the other instance; the same after a Redis restart.
 */
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { chat, openTab, ready, swapFile, type Tab } from './support/site-tabs.js';

interface Cluster {
  port: number;
  ports: number[];
}

const command = (name: string, payload: object) => executeServerCommand(name, payload);

/**
 * Resolves once instance `port` lists every one of `ids` (discovery is on: it lists the whole cluster's);
 * an instance re-publishes its ids a moment after it reconnects to Redis.
 */
async function untilListed(port: number, ids: string[], timeoutMs = 5000): Promise<void> {
  const start = performance.now();
  for (;;) {
    const listed = (await (await fetch(`http://127.0.0.1:${port}/peerjs/peerjs/peers`)).json()) as string[];
    if (ids.every((id) => listed.includes(id))) return;
    if (performance.now() - start > timeoutMs) expect(listed, `the ids instance ${port} lists`).to.include.members(ids);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Has `from` (registered) dial `to` and waits until both list each other as connected. */
async function connect(from: Tab, fromId: string, to: Tab, toId: string): Promise<void> {
  await from.run(`chat.connect(${JSON.stringify(toId)}).then(() => true)`);
  await to.run(`until(() => chat.connectedPeers.includes(${JSON.stringify(fromId)}), 'the incoming connection')`);
}

describe('<peer-chat> on two instances of the ASP.NET site behind one Redis', function () {
  this.timeout(240_000);

  it('tabs on different instances chat and swap a file, through an instance restart and a Redis restart', async () => {
    const cluster = (await executeServerCommand<Cluster, object>('server-start', { kind: 'cluster', allowDiscovery: true }))!;
    const [portA, portB] = cluster.ports;
    const tabs: Tab[] = [];
    const open = async (port: number) => {
      const tab = await openTab(`http://127.0.0.1:${port}/`);
      tabs.push(tab);
      return tab;
    };
    try {
      const one = await open(portA);
      const two = await open(portB);
      const [idOne, idTwo] = await Promise.all([ready(one), ready(two)]);
      // Each instance lists both: the registrations are the cluster's.
      for (const port of cluster.ports) await untilListed(port, [idOne, idTwo], 0);

      // The offer, answer and candidates go from instance B to instance A through Redis.
      await connect(two, idTwo, one, idOne);
      await chat(two, idTwo, one, 'hello from instance B');
      await chat(one, idOne, two, 'hello back from instance A');
      const file = await swapFile(one, two, 'across.bin', 1024 * 1024 + 7, 3);
      expect(file.hash).to.equal(file.sent);
      expect(file.listed).to.equal(`across.bin (${1024 * 1024 + 7} bytes, from ${idOne})`);

      // Instance A dies (SIGKILL): tab one loses its signaling server, the chat goes on between the browsers.
      await command('cluster-instance-stop', { port: cluster.port, index: 0 });
      expect(await one.run<string>(`until(() => chat.signalingState !== 'open' && chat.signalingState, 'the lost instance')`)).to.be.oneOf([
        'reconnecting',
        'connecting',
      ]);
      await chat(one, idOne, two, 'instance A is gone, still there?');
      await chat(two, idTwo, one, 'still here, through instance B');

      // Instance A comes back on its port: tab one re-registers there with the same id (its token takes the
      // id over at once, though the dead instance's registration has not timed out yet).
      await command('cluster-instance-start', { port: cluster.port, index: 0 });
      expect(await one.run<string>(`until(() => chat.signalingState === 'open' && chat.peerId, 're-registration', 40000)`)).to.equal(idOne);
      // Until the restarted instance has reached Redis it knows only its own clients: wait for it to list tab two's id.
      await untilListed(portA, [idOne, idTwo]);
      // A new tab on the restarted instance reaches tab two on instance B.
      const three = await open(portA);
      const idThree = await ready(three);
      await connect(three, idThree, two, idTwo);
      await chat(three, idThree, two, 'new on the restarted instance A');
      await chat(two, idTwo, three, 'welcome, from instance B');

      // Redis restarts (its data lost): the tabs keep chatting meanwhile.
      await command('cluster-redis-stop', { port: cluster.port });
      await chat(one, idOne, two, 'Redis is down');
      await chat(two, idTwo, three, 'and we still talk');
      // Once every instance is connected again (health Healthy), each has re-published its ids: a new tab on
      // instance B reaches tab one on instance A, and the ids are listed again.
      await command('cluster-redis-start', { port: cluster.port });
      for (const port of cluster.ports) await untilListed(port, [idOne, idTwo, idThree]);
      const four = await open(portB);
      const idFour = await ready(four);
      await connect(four, idFour, one, idOne);
      await chat(four, idFour, one, 'new on instance B after the Redis restart');
      await chat(one, idOne, four, 'reached from instance A');
      expect(await one.run<string>(`chat.signalingState`)).to.equal('open');
    } finally {
      for (const tab of tabs) await tab.close();
      await command('server-stop', { port: cluster.port });
    }
  });
});
