/** The history on its own: which incoming messages it takes as repeats. */
import { expect } from '@open-wc/testing';
import { History, type HistoryTransfer } from '../../src/engine/history.js';
import { Direction, type ChatMessage } from '../../src/engine/types.js';

const message = (id: string, from: string, direction: Direction = Direction.in): ChatMessage => ({ id, from, text: id, time: 0, direction });

describe('History: repeats', () => {
  it('refuses an incoming message whose sender and id it holds, and takes it once that one left or the history was cleared', () => {
    const dropped: string[] = [];
    const history = new History<HistoryTransfer>(2, (entry) => {
      if (entry.kind === 'message') dropped.push(`${entry.message.from} ${entry.message.id}`);
    });
    expect(history.addMessage(message('m1', 'alice'))).to.equal(true);
    expect(history.addMessage(message('m1', 'alice'))).to.equal(false);
    // Another sender's message of the same id is its own.
    expect(history.addMessage(message('m1', 'bob'))).to.equal(true);
    expect(history.all.map((entry) => entry.kind === 'message' && `${entry.message.from} ${entry.message.id}`)).to.deep.equal(['alice m1', 'bob m1']);
    history.addMessage(message('m2', 'alice'));
    expect(dropped).to.deep.equal(['alice m1']);
    expect(history.addMessage(message('m1', 'alice'))).to.equal(true);
    history.clear();
    expect(history.addMessage(message('m2', 'alice'))).to.equal(true);
  });

  it('takes every message of ours: their ids are for the peers to tell repeats by', () => {
    const history = new History<HistoryTransfer>(10, () => {});
    expect(history.addMessage(message('m1', 'me', Direction.out))).to.equal(true);
    expect(history.addMessage(message('m1', 'me', Direction.out))).to.equal(true);
  });
});
