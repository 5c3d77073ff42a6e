/**
 * What the safety tests need of the product, in one place: an in-process run, the built CLI in a child
 * process, the custom-runtime server, and where each writes its records. Everything that depends on the
 * product's internal API lives here, so that the same test files can be run against an older commit by
 * swapping this one file (that is how each test was checked to fail before the change).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../shared/config/config.js';
import { createLogger } from '../../shared/log/index.js';
import { runRedemption, type RunSummary } from '../../shared/run/run.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { ROOT } from '../support/spawn.js';

export type Env = Record<string, string>;
export type JsonRecord = Record<string, unknown>;

export interface TestClock {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}

/** Real time, but every wait is at most 20 ms: retries and follow-ups stay fast, deadlines stay real. */
export const quickClock: TestClock = {
  now: () => Date.now(),
  random: () => 0.5,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20))),
};

export interface InProcessRun {
  readonly summary: RunSummary;
  readonly records: JsonRecord[];
}

/** One run in this process, its records captured as the function writes them to stdout. */
export async function runInProcess(
  env: Env,
  extra: { budgetMs?: number; options?: object; followIntervalMs?: number; clock?: TestClock; onLine?: (line: string) => void } = {},
): Promise<InProcessRun> {
  const lines: string[] = [];
  const summary = await runRedemption({
    config: loadConfig(env),
    credentials: EMULATOR_CREDENTIALS,
    trigger: 'invoke',
    options: extra.options ?? {},
    budgetMs: extra.budgetMs ?? 20_000,
    followIntervalMs: extra.followIntervalMs ?? 20,
    logger: createLogger((line) => {
      lines.push(line);
      extra.onLine?.(line);
    }),
    clock: extra.clock,
  });
  return { summary, records: lines.map((line) => JSON.parse(line) as JsonRecord) };
}

/** The built CLI (npm run build writes it; `npm test` builds before the suite), run as a user runs it. */
export const CLI_ENTRY = 'dist/cli/index.js';

/** Which stream of the CLI carries the records with --records. */
export const CLI_RECORDS_STREAM: 'stdout' | 'stderr' = 'stdout';

let cliTemp: string | undefined;

/**
 * The CLI children's temp folder (TMPDIR), one per test file: its children share it, as processes on one
 * machine share /tmp (the host lock lives there). `removeCliTemp` (in the file's afterAll) takes the lock
 * files a killed child leaves behind with it.
 */
function cliTempDir(): string {
  cliTemp ??= mkdtempSync(join(tmpdir(), 'redeemer-safety-'));
  return cliTemp;
}

export function removeCliTemp(): void {
  if (cliTemp) rmSync(cliTemp, { recursive: true, force: true });
  cliTemp = undefined;
}

export function spawnCli(args: readonly string[], env: Env): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [CLI_ENTRY, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', TMPDIR: cliTempDir(), ...env } });
}

/** The JSON lines of a CLI's output (anything else, such as the table, is left out). */
export function jsonLines(text: string): JsonRecord[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as JsonRecord);
}

/** Complete lines only: a line cut by a kill (none expected: pipe writes this small are atomic) is not a record. */
export function completeRecords(text: string): JsonRecord[] {
  return jsonLines(text.slice(0, text.lastIndexOf('\n') + 1));
}

export { startRuntime } from '../support/fc.js';
