/**
 * The Lit reactive controller between the element and the engine: it creates the engine
 * with the real transport, turns the engine's events into DOM events on the element, asks
 * for a render when something visible changed, and stops the engine when the element leaves
 * the document. It holds no chat state of its own.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ChatEngine } from '../engine/engine.js';
import type { ChatEventDetails, ChatEventName, HistoryEntry } from '../engine/types.js';
import { firePeerChatEvent } from '../events.js';
import { Transport } from '../transport/transport.js';

export interface ChatControllerHooks {
  /** Registered: runs before `peer-chat-ready` reaches the page, whatever the page's listeners do. */
  registered(peerId: string): void;
  /** An entry left the history. */
  released(entry: HistoryEntry): void;
  /** Every event, before it reaches the page. */
  emitting<K extends ChatEventName>(name: K, detail: ChatEventDetails[K]): void;
}

export class ChatController implements ReactiveController {
  readonly engine: ChatEngine;

  constructor(host: ReactiveControllerHost & HTMLElement, hooks: ChatControllerHooks) {
    host.addController(this);
    this.engine = new ChatEngine({
      createSignaling: (options, listener) => new Transport(options, listener),
      emit: <K extends ChatEventName>(name: K, detail: ChatEventDetails[K]) => {
        if (name === 'peer-chat-ready') hooks.registered((detail as ChatEventDetails['peer-chat-ready']).peerId);
        hooks.emitting(name, detail);
        return firePeerChatEvent(host, name, detail);
      },
      changed: () => host.requestUpdate(),
      released: (entry) => hooks.released(entry),
    });
  }

  hostDisconnected(): void {
    this.engine.stop();
  }
}
