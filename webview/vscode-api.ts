// The one handle a webview gets on VS Code. `acquireVsCodeApi` may be called only once per
// page, so it is wrapped here and typed with the messages this view may post.

interface VsCodeApi<Msg> {
  postMessage(msg: Msg): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi<unknown>;

let api: VsCodeApi<unknown> | undefined;

export function vscodeApi<Msg>(): VsCodeApi<Msg> {
  api ??= acquireVsCodeApi();
  return api as VsCodeApi<Msg>;
}
