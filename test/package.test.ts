/**
 * The package on one page more than once: the bundle twice, then the npm entry (unbundled
 * modules), as when a page's script tag and an app's bundle both bring peer-chat. Nothing
 * throws, the first definition stays, and one warning says so.
 */
import { expect } from '@open-wc/testing';

type Entry = { PeerChat: CustomElementConstructor; PeerChatError: new (type: string, message: string) => Error };

describe('loading peer-chat more than once', () => {
  it('keeps the first definition of <peer-chat> and warns once, without an error', async () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      warnings.push(args.map(String).join(' '));
      warn.apply(console, args);
    };
    const errors: unknown[] = [];
    const onError = (event: ErrorEvent) => errors.push(event.error);
    window.addEventListener('error', onError);
    try {
      // Distinct URLs: each import evaluates another copy, with its own element class.
      const first = (await import('/dist/peer-chat.js?copy=one' as string)) as Entry;
      const second = (await import('/dist/peer-chat.js?copy=two' as string)) as Entry;
      // The npm entry as an app's bundler serves it: its own copies of lit and peerjs inlined.
      const npmEntry = (await import('/app-bundle/dist/esm/index.js' as string)) as Entry;

      expect(second.PeerChat).to.not.equal(first.PeerChat);
      expect(npmEntry.PeerChat).to.not.equal(first.PeerChat);
      expect(customElements.get('peer-chat')).to.equal(first.PeerChat);
      expect(document.createElement('peer-chat')).to.be.instanceOf(first.PeerChat);
      expect(errors).to.deep.equal([]);
      // An error of one copy is a PeerChatError to the others (the parts loaded on demand carry copies too).
      expect(new second.PeerChatError('transfer', 'x')).to.be.instanceOf(first.PeerChatError);
      expect(new Error('x')).to.not.be.instanceOf(first.PeerChatError);
      // Lit's development build warns about its own second copy; ours are the ones naming <peer-chat>.
      expect(warnings.filter((warning) => warning.includes('<peer-chat> is already defined'))).to.have.length(1);
    } finally {
      console.warn = warn;
      window.removeEventListener('error', onError);
    }
  });
});
