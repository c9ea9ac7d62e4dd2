// The thin seam between a run and the co-pilot: once the trainer has said hello, a session
// is created with the run's space and values; every interval goes to it; what it applies
// becomes a config version authored "copilot"; its decision records go to decisions.jsonl.
// Changes made by anyone else (a person, a schedule) are passed back so later proposals
// start from the values in force.

import type { CopilotSession } from '../copilot/session';
import type { DecisionWriter } from '../copilot/decisions';
import type { HyperparamValues } from '../shared/hyperparams';
import type { HelloMessage, IntervalMessage } from '../shared/protocol';
import type { Disposable } from './emitter';
import type { Run, RunAttachment } from './run';

/** The parts of a co-pilot session the run drives. */
export type CopilotLike = Pick<CopilotSession, 'onInterval' | 'setValues' | 'close'> & Partial<Pick<CopilotSession, 'prime'>>;

export interface CopilotContext {
  run: Run;
  hello: HelloMessage;
  /** Makes a proposal real: a new config version (author "copilot") sent to the trainer. */
  apply: (values: HyperparamValues, reason: string) => void;
  /** Appends decision records to the run's decisions.jsonl. */
  writer: DecisionWriter;
}

export interface CopilotAttachment extends RunAttachment {
  /** The session of the current segment, once the trainer has said hello. */
  session(): CopilotLike | undefined;
}

export function copilotAttachment(create: (ctx: CopilotContext) => CopilotLike): CopilotAttachment {
  let current: CopilotLike | undefined;
  return {
    session: () => current,
    attach(run: Run): Disposable {
      const subs: Disposable[] = [];
      // A resumed segment's session first reads the run's earlier intervals from disk; the
      // intervals that arrive meanwhile wait (in order) so the history stays in step order.
      let waiting: IntervalMessage[] | null = null;
      const make = (hello: HelloMessage): void => {
        const session = create({
          run,
          hello,
          apply: (values, reason) => void run.setHyperparams(values, 'copilot', reason),
          writer: { write: (record) => run.appendDecision(record) },
        });
        current = session;
        if (run.resumedFromStep <= 0 || !session.prime) return;
        const queue: IntervalMessage[] = [];
        waiting = queue;
        const release = (): void => {
          if (waiting === queue) waiting = null;
          for (const m of queue) session.onInterval(m);
        };
        // priorIntervals never rejects (a read failure is a run warning and an empty history).
        void run.priorIntervals().then((prior) => {
          session.prime?.(prior);
          release();
        });
      };
      if (run.hello) make(run.hello);
      subs.push(run.on('hello', make));
      subs.push(run.on('interval', (m) => (waiting ? waiting.push(m) : current?.onInterval(m))));
      subs.push(run.on('applied', (r) => r.author !== 'copilot' && current?.setValues(r.values)));
      return {
        dispose: () => {
          subs.forEach((s) => s.dispose());
          void current?.close();
        },
      };
    },
  };
}
