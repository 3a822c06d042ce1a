/**
 * What the person sees: the page is visible (`document.visibilityState`), the element is in
 * the viewport, and a message is in view in the log (an `IntersectionObserver` with the
 * viewport as root, so the log's scrolling clips it too). Reports each watched message once,
 * as soon as all three hold, unless it was forgotten before.
 */
export class SeenTracker {
  #observer: IntersectionObserver | null = null;
  readonly #inView = new Set<Element>();
  /** Watched now: neither reported nor forgotten yet. */
  readonly #watched = new Set<Element>();
  /** Reported or forgotten: never watched again. Kept here, not as an attribute: no DOM change per message seen. */
  readonly #settled = new WeakSet<Element>();
  #hostInView = false;
  readonly #onVisibility = () => this.#report();

  constructor(
    private readonly host: HTMLElement,
    private readonly seen: (nodes: Element[]) => void,
  ) {}

  /** The person is not looking: the page is hidden or the element out of view. */
  get away(): boolean {
    return document.visibilityState !== 'visible' || !this.#hostInView;
  }

  start(): void {
    if (this.#observer) return;
    this.#observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (entry.target === this.host) this.#hostInView = entry.isIntersecting;
        else if (entry.isIntersecting) this.#inView.add(entry.target);
        else this.#inView.delete(entry.target);
      }
      this.#report();
    });
    this.#observer.observe(this.host);
    document.addEventListener('visibilitychange', this.#onVisibility);
  }

  stop(): void {
    this.#observer?.disconnect();
    this.#observer = null;
    this.#inView.clear();
    this.#watched.clear();
    this.#hostInView = false;
    document.removeEventListener('visibilitychange', this.#onVisibility);
  }

  watch(node: Element): void {
    if (!this.#observer || this.#settled.has(node)) return;
    this.#observer.observe(node);
    this.#watched.add(node);
  }

  /** Stops watching the messages for which `done` holds: nothing more is to be learned from them. */
  forget(done: (node: Element) => boolean): void {
    for (const node of this.#watched) if (done(node)) this.#unwatch(node);
  }

  #unwatch(node: Element): void {
    this.#settled.add(node);
    this.#observer?.unobserve(node);
    this.#watched.delete(node);
    this.#inView.delete(node);
  }

  #report(): void {
    if (this.away || this.#inView.size === 0) return;
    const nodes = [...this.#inView];
    this.#inView.clear();
    for (const node of nodes) this.#unwatch(node);
    this.seen(nodes);
  }
}
