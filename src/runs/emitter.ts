// A small typed event emitter. `on` returns a disposable (the VS Code shape), so a view can
// hold its subscriptions and drop them together; listeners that throw are isolated from
// each other and from the emitter (reported through `onListenerError`).

export interface Disposable {
  dispose(): void;
}

export type Listener<T> = (event: T) => void;

export class TypedEmitter<Events extends { [K in keyof Events]: unknown }> {
  private listeners = new Map<keyof Events, Set<Listener<never>>>();

  constructor(private readonly onListenerError: (e: unknown) => void = (e) => console.error(e)) {}

  on<K extends keyof Events>(name: K, fn: Listener<Events[K]>): Disposable {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(fn as Listener<never>);
    return { dispose: () => void set!.delete(fn as Listener<never>) };
  }

  once<K extends keyof Events>(name: K, fn: Listener<Events[K]>): Disposable {
    const d = this.on(name, (e) => {
      d.dispose();
      fn(e);
    });
    return d;
  }

  /** Resolves with the next event of this kind. */
  next<K extends keyof Events>(name: K): Promise<Events[K]> {
    return new Promise((resolve) => this.once(name, resolve));
  }

  protected emit<K extends keyof Events>(name: K, event: Events[K]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as Listener<Events[K]>)(event);
      } catch (e) {
        this.onListenerError(e);
      }
    }
  }

  protected removeAllListeners(): void {
    this.listeners.clear();
  }
}
