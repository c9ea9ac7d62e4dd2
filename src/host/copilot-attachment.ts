// Joins a run to a co-pilot session through the runs layer's seam (src/runs/copilot.ts), and
// adds what the views need: the mode chosen before the trainer said hello, the controller's
// name, and the step at which each interval (hence each proposal) ended.
// No `vscode` import: the extension and its tests use it alike.

import type { Controller } from '../copilot/controllers/types';
import type { CopilotEvent, PendingProposal } from '../copilot/session';
import { CopilotSession, type LatePolicy } from '../copilot/session';
import type { SafetyOptions } from '../copilot/safety';
import type { DecisionLogLevel } from '../copilot/decisions';
import type { Disposable } from '../runs/emitter';
import { type CopilotContext, copilotAttachment } from '../runs/copilot';
import type { Run, RunAttachment } from '../runs/run';
import type { CopilotMode } from '../shared/webview-protocol';

export interface CopilotAttachmentOptions {
  controller: Controller;
  mode: CopilotMode;
  safety?: SafetyOptions;
  late?: Partial<LatePolicy>;
  /** What decisions.jsonl keeps (the `hyperprompt.copilot.decisionLog` setting). */
  decisionLog?: DecisionLogLevel;
  onEvent: (e: CopilotEvent) => void;
}

export class CopilotAttachment implements RunAttachment {
  private sessionNow: CopilotSession | undefined;
  private modeNow: CopilotMode;
  /** Interval index -> its end step, so a proposal can say at which step it was made. */
  private readonly intervalSteps = new Map<number, number>();
  /** The runs layer's seam does the wiring (hello -> session, intervals, applied values, decisions). */
  private readonly seam = copilotAttachment((ctx) => this.create(ctx));

  constructor(private readonly o: CopilotAttachmentOptions) {
    this.modeNow = o.mode;
  }

  get session(): CopilotSession | undefined {
    return this.sessionNow;
  }

  get mode(): CopilotMode {
    return this.sessionNow?.mode ?? this.modeNow;
  }

  get controllerName(): string {
    return this.o.controller.name;
  }

  setMode(mode: CopilotMode): void {
    this.modeNow = mode;
    this.sessionNow?.setMode(mode);
  }

  stepOf(p: PendingProposal): number | undefined {
    return this.intervalSteps.get(p.interval);
  }

  attach(run: Run): Disposable {
    // Interval steps first, so a proposal made at an interval's end can name its step.
    const steps = run.on('interval', (m) => {
      this.intervalSteps.set(m.index, m.step);
      if (this.intervalSteps.size > 64) this.intervalSteps.delete(this.intervalSteps.keys().next().value as number);
    });
    const inner = this.seam.attach(run);
    // The session closes when the trainer exits (writing its last decision records), not only
    // when the attachment is disposed.
    const exit = run.on('exit', () => void this.sessionNow?.close());
    return { dispose: () => [steps, inner, exit].forEach((d) => d.dispose()) };
  }

  private create(ctx: CopilotContext): CopilotSession {
    void this.sessionNow?.close();
    const { hello } = ctx;
    this.sessionNow = new CopilotSession({
      controller: this.o.controller,
      mode: this.modeNow,
      algo: hello.algo,
      env: hello.env,
      space: hello.space,
      values: hello.values,
      totalSteps: hello.totalSteps ?? ctx.run.spec.totalSteps,
      apply: ctx.apply,
      writer: ctx.writer,
      decisionLog: this.o.decisionLog,
      safety: this.o.safety,
      late: this.o.late,
      onEvent: this.o.onEvent,
    });
    return this.sessionNow;
  }
}
