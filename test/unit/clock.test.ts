/** The clock's helpers on a fake clock, and the system clock's timers. */
import { expect } from '@open-wc/testing';
import { systemClock, throttle } from '../../src/engine/clock.js';
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

describe('clock: systemClock', () => {
  it('waits out a delay longer than a browser timer holds (2^31 - 1 ms), rather than firing at once', async () => {
    let fired = false;
    const thirtyDays = systemClock.setTimeout(() => (fired = true), 30 * 86_400_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    thirtyDays.cancel();
    expect(fired).to.equal(false);
  });
});
