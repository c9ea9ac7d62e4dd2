// Test double of VS Code's webview environment, loaded by the harness page before the
// panel's script: `acquireVsCodeApi` (records posted messages, keeps state), and the
// theme variables and body class VS Code sets (a subset of Default Light/Dark Modern).
(() => {
  const themes = {
    light: {
      kind: 'vscode-light',
      vars: {
        '--vscode-foreground': '#3b3b3b', '--vscode-descriptionForeground': '#717171', '--vscode-errorForeground': '#f85149',
        '--vscode-font-family': 'system-ui, -apple-system, "Segoe UI", sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': 'monospace',
        '--vscode-sideBar-background': '#f8f8f8', '--vscode-editor-background': '#ffffff', '--vscode-editorWidget-background': '#f8f8f8',
        '--vscode-focusBorder': '#005fb8', '--vscode-textBlockQuote-background': '#f8f8f8', '--vscode-editorWarning-foreground': '#bf8803',
        '--vscode-editorInfo-foreground': '#1a85ff', '--vscode-charts-foreground': '#616161', '--vscode-charts-lines': 'rgba(97,97,97,0.3)',
        '--vscode-charts-blue': '#1a85ff', '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#388a34', '--vscode-charts-purple': '#652d90',
        '--vscode-charts-red': '#e51400', '--vscode-charts-yellow': '#bf8803',
        '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff', '--vscode-button-secondaryBackground': '#e5e5e5',
        '--vscode-button-secondaryForeground': '#3b3b3b', '--vscode-input-background': '#ffffff', '--vscode-input-foreground': '#3b3b3b',
        '--vscode-input-border': '#cecece', '--vscode-settings-textInputBorder': '#cecece', '--vscode-settings-checkboxBackground': '#f8f8f8', '--vscode-settings-checkboxBorder': '#cecece', '--vscode-settings-checkboxForeground': '#3b3b3b',
      },
    },
    dark: {
      kind: 'vscode-dark',
      vars: {
        '--vscode-foreground': '#cccccc', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-errorForeground': '#f85149',
        '--vscode-font-family': 'system-ui, -apple-system, "Segoe UI", sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': 'monospace',
        '--vscode-sideBar-background': '#181818', '--vscode-editor-background': '#1f1f1f', '--vscode-editorWidget-background': '#202020',
        '--vscode-focusBorder': '#0078d4', '--vscode-textBlockQuote-background': '#2b2b2b', '--vscode-editorWarning-foreground': '#cca700',
        '--vscode-editorInfo-foreground': '#3794ff', '--vscode-charts-foreground': '#cccccc', '--vscode-charts-lines': 'rgba(204,204,204,0.25)',
        '--vscode-charts-blue': '#3794ff', '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#89d185', '--vscode-charts-purple': '#b180d7',
        '--vscode-charts-red': '#f14c4c', '--vscode-charts-yellow': '#cca700',
        '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff', '--vscode-button-secondaryBackground': '#313131',
        '--vscode-button-secondaryForeground': '#cccccc', '--vscode-input-background': '#313131', '--vscode-input-foreground': '#cccccc',
        '--vscode-input-border': '#3c3c3c', '--vscode-settings-textInputBorder': '#3c3c3c', '--vscode-settings-checkboxBackground': '#313131', '--vscode-settings-checkboxBorder': '#3c3c3c', '--vscode-settings-checkboxForeground': '#cccccc',
      },
    },
  };
  const theme = themes[new URLSearchParams(location.search).get('theme') || 'light'];
  for (const [k, v] of Object.entries(theme.vars)) document.documentElement.style.setProperty(k, v);
  document.body.classList.add(theme.kind);
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  window.__posted = [];
  let state = JSON.parse(sessionStorage.getItem('fake-vscode-state') || 'null');
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return {
      postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => state,
      setState: (s) => {
        state = s;
        sessionStorage.setItem('fake-vscode-state', JSON.stringify(s));
      },
    };
  };
  window.__fromHost = (m) => window.dispatchEvent(new MessageEvent('message', { data: m }));
})();
