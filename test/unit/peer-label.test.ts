/** How a peer's label is cut above each message. */
import { expect } from '@open-wc/testing';
import { MESSAGE_LABEL_LENGTH, messageLabel } from '../../src/ui/peer-label.js';

describe('messageLabel', () => {
  it('keeps a label of up to MESSAGE_LABEL_LENGTH code points whole', () => {
    expect(messageLabel('Bob')).to.equal('Bob');
    const longest = 'x'.repeat(MESSAGE_LABEL_LENGTH);
    expect(messageLabel(longest)).to.equal(longest);
  });

  it('cuts a longer one to MESSAGE_LABEL_LENGTH code points, the last an ellipsis', () => {
    expect(messageLabel('W'.repeat(256))).to.equal(`${'W'.repeat(MESSAGE_LABEL_LENGTH - 1)}…`);
  });

  it('counts and cuts code points, never half of a surrogate pair', () => {
    const emoji = '😀'.repeat(MESSAGE_LABEL_LENGTH);
    expect(messageLabel(emoji)).to.equal(emoji);
    const cut = messageLabel(`${emoji}😀`);
    expect(Array.from(cut)).to.have.length(MESSAGE_LABEL_LENGTH);
    expect(cut).to.equal(`${'😀'.repeat(MESSAGE_LABEL_LENGTH - 1)}…`);
  });
});
