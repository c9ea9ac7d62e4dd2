// Disposables, the VS Code way (after vscode-pull-request-github's src/common/lifecycle.ts):
// an owner registers what it creates and disposes all of it once; anything registered after
// disposal is disposed at once, so a late registration (an async callback finishing after
// the view closed) cannot leak. No `vscode` import: the shape is structural.

export interface IDisposable {
  dispose(): unknown;
}

export function toDisposable(fn: () => void): IDisposable {
  let done = false;
  return {
    dispose: () => {
      if (done) return;
      done = true;
      fn();
    },
  };
}

/** Disposes each, even if some throw; rethrows the first error after all ran. */
export function disposeAll(items: Iterable<IDisposable>): void {
  let first: unknown;
  for (const d of items) {
    try {
      d.dispose();
    } catch (e) {
      first ??= e;
    }
  }
  if (first !== undefined) throw first;
}

export abstract class Disposable implements IDisposable {
  private readonly toDispose: IDisposable[] = [];
  private disposedFlag = false;

  protected get isDisposed(): boolean {
    return this.disposedFlag;
  }

  protected _register<T extends IDisposable>(d: T): T {
    if (this.disposedFlag) d.dispose();
    else this.toDispose.push(d);
    return d;
  }

  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    disposeAll(this.toDispose.splice(0).reverse());
  }
}
