/**
 * Progress of a run, for a person at a terminal: one line on stderr, rewritten in place. The engine reports
 * events through the request's `onProgress`; what each event counts:
 *   listing     done: domains in redemption found so far; total: the registrar's count, when it gives one
 *   ledger      done: ledger tasks read so far; total: the registrar's count, when it gives one
 *   submitting  done: the submission being sent (1 for the first); total: the submissions planned
 *   following   done: followed tasks that are final; total: the tasks being followed
 */
import type { EngineRequest } from '../run/index.js';

export type ProgressEvent = Parameters<NonNullable<EngineRequest['onProgress']>>[0];

function count(event: ProgressEvent): string {
  return event.total === undefined ? String(event.done) : `${event.done}/${event.total}`;
}

export function progressLine(event: ProgressEvent): string {
  switch (event.phase) {
    case 'listing':
      return `listing domains in redemption: ${count(event)} found…`;
    case 'ledger':
      return `reading the task ledger: ${count(event)} tasks…`;
    case 'submitting':
      return `submitting ${count(event)}…`;
    case 'following': {
      const total = event.total ?? event.done;
      return `following ${total} ${total === 1 ? 'task' : 'tasks'}… ${event.done} final`;
    }
  }
}

/** Erase the current terminal line: carriage return, then ANSI "erase to end of line". */
const ERASE_LINE = '\r\x1b[K';

interface TerminalProgress {
  /** Shows the event's line in place of the previous one. Never throws: progress must not break a run. */
  readonly show: (event: ProgressEvent) => void;
  /** Removes the progress line, if one is shown, before other text goes to the same terminal. */
  readonly clear: () => void;
}

export function terminalProgress(write: (text: string) => void): TerminalProgress {
  let shown = false;
  return {
    show(event) {
      try {
        write(`${ERASE_LINE}${progressLine(event)}`);
        shown = true;
      } catch {
        // A closed or odd terminal: the run matters more than its progress line.
      }
    },
    clear() {
      if (!shown) return;
      shown = false;
      write(ERASE_LINE);
    },
  };
}
