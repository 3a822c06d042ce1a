/** The clock's helpers on a fake clock. */
import { expect } from '@open-wc/testing';
import { throttle } from '../../src/engine/clock.js';
import { FakeClock } from '../support/fake-clock.js';

describe('clock: throttle', () => {
  it('says yes at once, then at most once per interval', async () => {
    const clock = new FakeClock();
    const due = throttle(clock, 500);
    const answers: boolean[] = [];
    for (let step = 0; step < 12; step++) {
      answers.push(due());
      await clock.jump(100);
    }
    expect(answers).to.deep.equal([true, false, false, false, false, true, false, false, false, false, true, false]);
  });
});
