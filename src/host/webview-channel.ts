// The host side of one webview's message channel (after GitLens' webviewController): nothing
// is posted before the webview says `ready`; notifications for a webview that is not ready
// (still loading, or re-created after being hidden) are queued with the latest of each kind
// winning; on `ready` the owner sends a fresh snapshot and the queue is flushed after it.
// Incremental kinds (metric batches) are not queued at all: the snapshot already holds them.
// No `vscode` import: `post` is `webview.postMessage`.

export class WebviewChannel<Msg extends { type: string }> {
  private ready = false;
  private readonly queued = new Map<string, Msg>();

  constructor(
    private readonly post: (m: Msg) => PromiseLike<boolean>,
    /** Kinds dropped rather than queued while not ready. */
    private readonly incremental: ReadonlySet<Msg['type']>,
    private readonly onPostFailed: (e: unknown) => void = () => {},
  ) {}

  get isReady(): boolean {
    return this.ready;
  }

  /** The webview was (re)created: its page is loading and will say `ready` again. */
  reset(): void {
    this.ready = false;
  }

  /** The webview said `ready`: send the snapshot first, then what was queued meanwhile. */
  markReady(snapshot: Msg): void {
    this.ready = true;
    this.send(snapshot);
    const pending = [...this.queued.values()];
    this.queued.clear();
    for (const m of pending) this.send(m);
  }

  notify(m: Msg): void {
    if (this.ready) {
      this.send(m);
      return;
    }
    if (this.incremental.has(m.type)) return;
    // Re-insert so the queue keeps the order of the latest notifications.
    this.queued.delete(m.type);
    this.queued.set(m.type, m);
  }

  /** Kinds waiting for `ready` (tests). */
  queuedTypes(): string[] {
    return [...this.queued.keys()];
  }

  private send(m: Msg): void {
    try {
      this.post(m).then(
        (delivered) => {
          // postMessage resolves false when the webview is gone (hidden and disposed): it will
          // say `ready` again when shown, and get a snapshot then.
          if (!delivered) this.ready = false;
        },
        (e: unknown) => this.onPostFailed(e),
      );
    } catch (e) {
      this.onPostFailed(e);
    }
  }
}
