/** SeenTracker with the browser's own IntersectionObserver: which watched messages it reports. */
import { expect, fixture, html, nextFrame } from '@open-wc/testing';
import { SeenTracker } from '../../src/ui/seen.js';

/** Long enough for the observer to deliver what the frames found. */
async function frames(count = 3): Promise<void> {
  for (let index = 0; index < count; index++) await nextFrame();
  await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('SeenTracker', () => {
  /** A host in view holding a short scroller, scrolled to its end; and a tracker of the host. */
  async function setUp() {
    const host = await fixture<HTMLDivElement>(html`
      <div>
        <div class="log" style="block-size: 100px; overflow: auto"><div style="block-size: 1000px"></div></div>
      </div>
    `);
    const log = host.querySelector<HTMLDivElement>('.log')!;
    const reported: Element[] = [];
    const tracker = new SeenTracker(host, (nodes) => reported.push(...nodes));
    tracker.start();
    /** A message at the scroller's start: scrolled past, out of view. */
    const scrolledPast = () => {
      const node = document.createElement('p');
      node.textContent = 'scrolled past';
      log.prepend(node);
      return node;
    };
    log.scrollTop = log.scrollHeight;
    await frames();
    return { host, log, reported, tracker, scrolledPast };
  }

  it('reports a watched message once it is in view, not before', async () => {
    const { log, reported, tracker, scrolledPast } = await setUp();
    const message = scrolledPast();
    tracker.watch(message);
    await frames();
    expect(reported).to.deep.equal([]);
    log.scrollTop = 0;
    await frames();
    expect(reported).to.deep.equal([message]);
    tracker.stop();
  });

  it('forgets the watched messages it is told to: back in view, a forgotten one is not reported', async () => {
    const { host, reported, tracker, scrolledPast } = await setUp();
    const forgotten = scrolledPast();
    const kept = scrolledPast();
    tracker.watch(forgotten);
    tracker.watch(kept);
    await frames();
    forgotten.remove();
    kept.remove();
    await frames();
    // One is back in the document, in view, when the tracker forgets the removed ones; then the other.
    host.prepend(kept);
    tracker.forget((node) => !node.isConnected);
    host.prepend(forgotten);
    await frames();
    expect(reported).to.deep.equal([kept]);
    tracker.stop();
  });
});
