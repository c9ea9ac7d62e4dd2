// A test double of the `vscode` module (no VS Code can run under plain Node): the subset of
// the API the host uses, with its calls recorded in `mock` and its prompts answered from
// queues a test fills. Loaded in place of `vscode` by use-vscode-mock.ts. Behaviour follows
// the API's documented contracts (events, disposables, URIs), not VS Code's internals.
import { join, posix } from 'node:path';

type Listener<T> = (e: T) => unknown;

export class Disposable {
  constructor(private readonly fn: () => void) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((d) => d.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event = (fn: Listener<T>): Disposable => {
    this.listeners.add(fn);
    return new Disposable(() => this.listeners.delete(fn));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly authority: string,
    readonly path: string,
    readonly query = '',
    readonly fragment = '',
  ) {}
  static file(p: string): Uri {
    return new Uri('file', '', p);
  }
  static from(c: { scheme: string; authority?: string; path?: string; query?: string; fragment?: string }): Uri {
    return new Uri(c.scheme, c.authority ?? '', c.path ?? '', c.query ?? '', c.fragment ?? '');
  }
  static parse(s: string): Uri {
    const m = /^([a-z][\w+.-]*):(?:\/\/([^/]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/i.exec(s);
    if (!m) throw new Error(`bad uri ${s}`);
    return new Uri(m[1]!, m[2] ?? '', m[3] ?? '', m[4] ?? '', m[5] ?? '');
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, base.authority, posix.join(base.path, ...parts), base.query, base.fragment);
  }
  get fsPath(): string {
    return this.path;
  }
  with(c: { path?: string; scheme?: string }): Uri {
    return new Uri(c.scheme ?? this.scheme, this.authority, c.path ?? this.path, this.query, this.fragment);
  }
  toString(): string {
    return `${this.scheme}:${this.authority || this.scheme === 'file' ? `//${this.authority}` : ''}${this.path}${this.query ? `?${this.query}` : ''}${this.fragment ? `#${this.fragment}` : ''}`;
  }
}

export enum TreeItemCollapsibleState {
  None = 0,
  Collapsed = 1,
  Expanded = 2,
}
export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}
export enum ProgressLocation {
  SourceControl = 1,
  Window = 10,
  Notification = 15,
}
export enum ViewColumn {
  Active = -1,
  One = 1,
}
export enum ConfigurationTarget {
  Global = 1,
  Workspace = 2,
  WorkspaceFolder = 3,
}

export class ThemeIcon {
  constructor(readonly id: string) {}
}
export class ThemeColor {
  constructor(readonly id: string) {}
}
export class MarkdownString {
  value = '';
  constructor(value?: string, readonly supportThemeIcons = false) {
    this.value = value ?? '';
  }
  appendText(s: string): this {
    this.value += s.replace(/[\\`*_{}[\]()#+\-.!]/g, '\\$&');
    return this;
  }
}
export class TreeItem {
  id?: string;
  description?: string;
  iconPath?: ThemeIcon;
  contextValue?: string;
  tooltip?: string | MarkdownString;
  command?: { command: string; title: string; arguments?: unknown[] };
  accessibilityInformation?: { label: string };
  constructor(
    readonly label: string,
    readonly collapsibleState: TreeItemCollapsibleState = TreeItemCollapsibleState.None,
  ) {}
}

export class CancellationTokenSource {
  private readonly emitter = new EventEmitter<void>();
  readonly token = { isCancellationRequested: false, onCancellationRequested: this.emitter.event };
  cancel(): void {
    this.token.isCancellationRequested = true;
    this.emitter.fire();
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

export const LanguageModelChatMessage = {
  User: (content: string) => ({ role: 'user', content }),
  Assistant: (content: string) => ({ role: 'assistant', content }),
};

// ---- recorded state and scripted answers --------------------------------------------------

export interface FakeWebview {
  options: unknown;
  html: string;
  cspSource: string;
  posted: unknown[];
  /** Resolve postMessage with this (false: the webview is gone). */
  deliver: boolean;
  asWebviewUri(u: Uri): Uri;
  postMessage(m: unknown): Promise<boolean>;
  onDidReceiveMessage: EventEmitter<unknown>['event'];
  /** Test side: the page posts a message to the host. */
  receive(m: unknown): void;
}

export function fakeWebview(): FakeWebview {
  const incoming = new EventEmitter<unknown>();
  const w: FakeWebview = {
    options: undefined,
    html: '',
    cspSource: 'https://test.vscode-cdn.net',
    posted: [],
    deliver: true,
    asWebviewUri: (u) => Uri.from({ scheme: 'https', authority: 'file+.vscode-resource.vscode-cdn.net', path: u.path }),
    postMessage: async (m) => {
      if (w.deliver) w.posted.push(JSON.parse(JSON.stringify(m)));
      return w.deliver;
    },
    onDidReceiveMessage: incoming.event,
    receive: (m) => incoming.fire(m),
  };
  return w;
}

export interface FakeWebviewView {
  webview: FakeWebview;
  visible: boolean;
  onDidChangeVisibility: EventEmitter<void>['event'];
  onDidDispose: EventEmitter<void>['event'];
  setVisible(v: boolean): void;
  disposeView(): void;
}

export function fakeWebviewView(): FakeWebviewView {
  const vis = new EventEmitter<void>();
  const disp = new EventEmitter<void>();
  const v: FakeWebviewView = {
    webview: fakeWebview(),
    visible: true,
    onDidChangeVisibility: vis.event,
    onDidDispose: disp.event,
    setVisible: (b) => {
      v.visible = b;
      vis.fire();
    },
    disposeView: () => disp.fire(),
  };
  return v;
}

export interface FakeStatusBarItem {
  id: string;
  text: string;
  tooltip: string | undefined;
  name?: string;
  command?: string;
  backgroundColor?: ThemeColor;
  accessibilityInformation?: { label: string };
  shown: boolean;
  disposed: boolean;
  show(): void;
  hide(): void;
  dispose(): void;
}

export const mock = {
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  executed: [] as { command: string; args: unknown[] }[],
  messages: [] as { level: 'info' | 'warning' | 'error'; text: string; items: unknown[] }[],
  /** Answers for showQuickPick: a function picks from the items, or `undefined` cancels. */
  quickPicks: [] as (((items: readonly { label: string }[]) => unknown) | undefined)[],
  inputs: [] as (string | undefined)[],
  messageAnswers: [] as (string | undefined)[],
  saveDialog: undefined as Uri | undefined,
  config: new Map<string, unknown>(),
  configUpdates: [] as { key: string; value: unknown; target: unknown }[],
  statusItems: [] as FakeStatusBarItem[],
  viewProviders: new Map<string, unknown>(),
  treeProviders: new Map<string, unknown>(),
  /** Selects nodes in a tree view, as a click on a row does. */
  treeSelections: new Map<string, (nodes: unknown[]) => void>(),
  contentProviders: new Map<string, unknown>(),
  panels: [] as { viewType: string; title: string; webview: FakeWebview; options: unknown; disposed: boolean }[],
  output: [] as string[],
  trusted: true,
  workspaceFolders: [] as { uri: Uri; name: string; index: number }[],
  files: [] as Uri[],
  chatModels: [] as unknown[],
  trustGranted: new EventEmitter<void>(),
  configChanged: new EventEmitter<{ affectsConfiguration(s: string): boolean }>(),
  reset(): void {
    this.commands.clear();
    this.executed = [];
    this.treeSelections.clear();
    this.messages = [];
    this.quickPicks = [];
    this.inputs = [];
    this.messageAnswers = [];
    this.saveDialog = undefined;
    this.config.clear();
    this.configUpdates = [];
    this.statusItems = [];
    this.viewProviders.clear();
    this.treeProviders.clear();
    this.contentProviders.clear();
    this.panels = [];
    this.output = [];
    this.trusted = true;
    this.workspaceFolders = [];
    this.files = [];
    this.chatModels = [];
  },
};

function message(level: 'info' | 'warning' | 'error') {
  return async (text: string, ...items: unknown[]): Promise<string | undefined> => {
    mock.messages.push({ level, text, items });
    return mock.messageAnswers.shift();
  };
}

export const window = {
  createOutputChannel: (name: string) => ({ name, appendLine: (l: string) => mock.output.push(l), append: (l: string) => mock.output.push(l), show: () => undefined, dispose: () => undefined }),
  createStatusBarItem: (id: string): FakeStatusBarItem => {
    const item: FakeStatusBarItem = {
      id,
      text: '',
      tooltip: undefined,
      shown: false,
      disposed: false,
      show: () => void (item.shown = true),
      hide: () => void (item.shown = false),
      dispose: () => void (item.disposed = true),
    };
    mock.statusItems.push(item);
    return item;
  },
  showQuickPick: async <T extends { label: string }>(items: readonly T[] | Promise<readonly T[]>): Promise<unknown> => {
    const answer = mock.quickPicks.shift();
    if (answer === undefined) return undefined;
    return answer(await items);
  },
  showInputBox: async (o?: { validateInput?: (s: string) => string | undefined | null }): Promise<string | undefined> => {
    const a = mock.inputs.shift();
    if (a !== undefined && o?.validateInput) {
      const bad = o.validateInput(a);
      if (bad) throw new Error(`scripted input "${a}" does not pass the input box's validation: ${bad}`);
    }
    return a;
  },
  showInformationMessage: message('info'),
  showWarningMessage: message('warning'),
  showErrorMessage: message('error'),
  setStatusBarMessage: (text: string) => {
    mock.messages.push({ level: 'info', text, items: [] });
    return new Disposable(() => undefined);
  },
  showSaveDialog: async () => mock.saveDialog,
  withProgress: async <R>(_o: unknown, task: (p: { report(v: unknown): void }, t: CancellationTokenSource['token']) => Promise<R>): Promise<R> =>
    task({ report: () => undefined }, new CancellationTokenSource().token),
  registerWebviewViewProvider: (id: string, provider: unknown) => {
    mock.viewProviders.set(id, provider);
    return new Disposable(() => mock.viewProviders.delete(id));
  },
  registerTreeDataProvider: (id: string, provider: unknown) => {
    mock.treeProviders.set(id, provider);
    return new Disposable(() => mock.treeProviders.delete(id));
  },
  createTreeView: (id: string, o: { treeDataProvider: unknown }) => {
    mock.treeProviders.set(id, o.treeDataProvider);
    const selection = new EventEmitter<{ selection: unknown[] }>();
    mock.treeSelections.set(id, (nodes: unknown[]) => selection.fire({ selection: nodes }));
    return {
      onDidChangeSelection: selection.event,
      dispose: () => {
        mock.treeProviders.delete(id);
        mock.treeSelections.delete(id);
        selection.dispose();
      },
    };
  },
  createWebviewPanel: (viewType: string, title: string, _column: unknown, options: unknown) => {
    const disposed = new EventEmitter<void>();
    const state = new EventEmitter<void>();
    const entry = { viewType, title, webview: fakeWebview(), options, disposed: false };
    mock.panels.push(entry);
    const panel = {
      get title() {
        return entry.title;
      },
      set title(t: string) {
        entry.title = t;
      },
      webview: entry.webview,
      visible: true,
      reveal: () => undefined,
      onDidDispose: disposed.event,
      onDidChangeViewState: state.event,
      dispose: () => {
        if (entry.disposed) return;
        entry.disposed = true;
        disposed.fire();
      },
    };
    return panel;
  },
};

export const commands = {
  registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
    if (mock.commands.has(id)) throw new Error(`command '${id}' already exists`);
    mock.commands.set(id, fn);
    return new Disposable(() => mock.commands.delete(id));
  },
  executeCommand: async (id: string, ...args: unknown[]): Promise<unknown> => {
    mock.executed.push({ command: id, args });
    const fn = mock.commands.get(id);
    return fn ? fn(...args) : undefined;
  },
};

export const workspace = {
  getConfiguration: (section?: string) => ({
    get: <T>(key: string, def?: T): T | undefined => {
      const full = section ? `${section}.${key}` : key;
      return (mock.config.has(full) ? mock.config.get(full) : def) as T | undefined;
    },
    update: async (key: string, value: unknown, target: unknown) => {
      const full = section ? `${section}.${key}` : key;
      mock.config.set(full, value);
      mock.configUpdates.push({ key: full, value, target });
    },
  }),
  registerTextDocumentContentProvider: (scheme: string, provider: unknown) => {
    mock.contentProviders.set(scheme, provider);
    return new Disposable(() => mock.contentProviders.delete(scheme));
  },
  get workspaceFolders() {
    return mock.workspaceFolders.length ? mock.workspaceFolders : undefined;
  },
  get isTrusted() {
    return mock.trusted;
  },
  onDidGrantWorkspaceTrust: mock.trustGranted.event,
  onDidChangeConfiguration: mock.configChanged.event,
  findFiles: async () => mock.files,
  asRelativePath: (u: Uri) => {
    const root = mock.workspaceFolders[0]?.uri.fsPath;
    return root && u.fsPath.startsWith(root) ? u.fsPath.slice(root.length + 1) : u.fsPath;
  },
};

export const lm = {
  selectChatModels: async () => mock.chatModels,
};

export const env = { appName: 'Visual Studio Code (test double)' };
export const version = '1.100.0';

/** An ExtensionContext for activate(), over a temp folder. */
export function fakeContext(extensionPath: string, storagePath: string) {
  const state = new Map<string, unknown>();
  return {
    subscriptions: [] as { dispose(): unknown }[],
    extensionUri: Uri.file(extensionPath),
    extensionPath,
    globalStorageUri: Uri.file(join(storagePath, 'global')),
    storageUri: Uri.file(join(storagePath, 'workspace')),
    workspaceState: {
      get: (k: string) => state.get(k),
      update: async (k: string, v: unknown) => void state.set(k, v),
      keys: () => [...state.keys()],
    },
  };
}
