// The HTML shell of HyperPrompt's webviews. Pure (no `vscode` import) so the Chromium tests
// load exactly the page VS Code gets, with the same Content Security Policy.
//
// CSP, each source and why:
//   default-src 'none'           nothing loads unless listed below
//   script-src 'nonce-…'         only our bundled script, tagged with a fresh nonce per render;
//                                no 'unsafe-eval' (Chart.js and lit need none), no inline scripts
//   style-src ${cspSource}       our stylesheet from the extension's media folder; lit's component
//                                styles use constructable stylesheets and Chart.js sets CSSOM
//                                properties, neither of which needs 'unsafe-inline'
//   img-src ${cspSource} data:   icons from media/, and data: URIs for canvas exports
//   font-src ${cspSource}        codicons, should a component load them

export interface WebviewHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  /** `webview.asWebviewUri(...)` of the bundled script and stylesheets, as strings. */
  scriptUri: string;
  styleUris: string[];
  title: string;
  /** The panel's static markup (trusted: written in this repo, never from data). */
  body: string;
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${cspSource}`, `img-src ${cspSource} data:`, `font-src ${cspSource}`].join('; ');
}

export function webviewHtml(o: WebviewHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(o.nonce)) throw new Error('webview nonce must be at least 16 base64 characters');
  const styles = o.styleUris.map((u) => `<link rel="stylesheet" href="${escapeAttr(u)}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(o.cspSource, o.nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${styles}
    <title>${escapeAttr(o.title)}</title>
  </head>
  <body>
${o.body}
    <script nonce="${o.nonce}" src="${escapeAttr(o.scriptUri)}"></script>
  </body>
</html>`;
}

/** The side panel's static markup; webview/panel.ts fills it in. */
export const SIDE_PANEL_BODY = `
    <header class="run">
      <div id="run-title" data-testid="run-title" class="title">No active run</div>
      <div id="run-status" data-testid="run-status" role="status" aria-live="polite" class="status"></div>
    </header>
    <div class="controls" role="toolbar" aria-label="Run controls">
      <vscode-button data-control="start" data-testid="control-start" aria-label="Start a run">Start Run</vscode-button>
      <vscode-button data-control="pause" data-testid="control-pause" aria-label="Pause the run" secondary hidden>Pause</vscode-button>
      <vscode-button data-control="resume" data-testid="control-resume" aria-label="Resume the run" secondary hidden>Resume</vscode-button>
      <vscode-button data-control="stop" data-testid="control-stop" aria-label="Stop the run" secondary hidden>Stop</vscode-button>
      <vscode-button data-control="editHyperparameters" data-testid="control-edit-hyperparameters" aria-label="Edit hyperparameters of the running run" secondary hidden>Edit values</vscode-button>
      <vscode-button data-control="compare" data-testid="control-compare" aria-label="Compare runs" secondary>Compare</vscode-button>
      <vscode-button data-control="openRunFolder" data-testid="control-open-folder" aria-label="Reveal the run's folder" secondary hidden>Folder</vscode-button>
    </div>
    <div class="mode">
      <span id="mode-label">Co-pilot</span>
      <vscode-radio-group id="mode" data-testid="mode-switch" aria-labelledby="mode-label">
        <vscode-radio name="mode" value="off" data-testid="mode-off" aria-label="Co-pilot off">Off</vscode-radio>
        <vscode-radio name="mode" value="ask" data-testid="mode-ask" aria-label="Co-pilot asks before applying">Ask</vscode-radio>
        <vscode-radio name="mode" value="auto" data-testid="mode-auto" aria-label="Co-pilot applies on its own">Auto</vscode-radio>
      </vscode-radio-group>
    </div>
    <p id="untrusted" class="untrusted" hidden>Restricted mode: only the built-in trainer can run until you trust this workspace.</p>
    <div id="notice" data-testid="notice" role="status" aria-live="polite" hidden></div>
    <section id="proposal" data-testid="proposal-card" aria-labelledby="proposal-title" class="card" hidden></section>
    <main id="charts" data-testid="charts" aria-label="Training curves"></main>`;

/** The Compare Runs panel's static markup; webview/compare.ts fills it in. */
export const COMPARE_BODY = `
    <header class="run"><div id="compare-title" class="title" data-testid="compare-title">Compare runs</div></header>
    <div id="notice" data-testid="notice" role="status" aria-live="polite" hidden></div>
    <div class="controls" role="toolbar" aria-label="Compare controls">
      <label for="metric">Metric</label>
      <select id="metric" data-testid="compare-metric" aria-label="Metric to overlay"></select>
      <vscode-button id="diff-latest" data-testid="compare-diff-latest" secondary aria-label="Diff the latest configurations of the first two runs">Diff latest configurations</vscode-button>
    </div>
    <main id="compare" class="compare-grid" aria-label="Run comparison"></main>`;
