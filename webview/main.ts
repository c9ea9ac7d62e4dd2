// Side panel entry: registers the web components, wires the host messages, says `ready`.
// Every host message is checked before use; a bad one is shown, not thrown.

import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { type PanelToHost, WEBVIEW_PROTOCOL_VERSION, checkHostToPanel } from '../src/shared/webview-protocol';
import { Panel } from './panel';
import { vscodeApi } from './vscode-api';

const api = vscodeApi<PanelToHost>();
const panel = new Panel((m) => api.postMessage(m), api);

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  const c = checkHostToPanel(e.data);
  if (!c.ok) {
    panel.showNotice({ level: 'error', text: `HyperPrompt: ignored a message from the extension: ${c.error}` });
    return;
  }
  panel.handle(c.value);
});

api.postMessage({ type: 'ready', protocol: WEBVIEW_PROTOCOL_VERSION });
