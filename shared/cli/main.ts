/**
 * redeemer plan [--domains a.com,b.net] [--accounts arns|rd:role] [--json] [--records]
 * redeemer run [--mode dry-run|live] [--domains a.com,b.net] [--reason text] [--budget-seconds n] [--accounts arns|rd:role] [--json] [--records]
 *
 * Uses the environment configuration (REDEEM_*, DOMAIN_*, SLS_*) and ALIBABA_CLOUD_* credentials. With
 * REDEEM_ACCOUNTS (or --accounts, which sets it) every account runs here, three at a time.
 * stdout carries the table, or only JSON lines when --json or --records asks for them (the table then goes
 * to stderr); progress goes to stderr when it is a terminal.
 * Exit codes: 0 the run completed (in-progress counts as completed), 1 a submission or the run failed,
 * 2 bad configuration or usage.
 */
import { parseArgs } from 'node:util';
import { ConfigError, credentialsFromEnv, credentialsOrProblem, echoed, loadConfig, resolveCredentials, type Env } from '../config/index.js';
import { errorMessage, exitCodeFor as exitCodeForError, UserError } from '../errors/index.js';
import { createLogger } from '../log/index.js';
import { parseRunOptions, runRedemption, RunOptionsError, type RunOptions, type RunSummary } from '../run/index.js';
import { accountsExitCode, renderAccounts, runAccounts } from './accounts.js';
import { hostOrderJournal, withHostLock } from './host-lock.js';
import type { ProgressEvent } from './progress.js';
import { renderTable } from './table.js';
import { randomUUID } from 'node:crypto';
import { systemClock } from '../clock/index.js';
import { formatChannelResults, sendTestNotifications, undelivered } from '../notify/index.js';
import { buildDoctorPorts, functionVariables, renderDoctor, renderDoctorJson, runDoctor } from '../doctor/index.js';
import { readDeployedEnv } from './deployed-env.js';

/** The doctor on a laptop, with the ALIBABA_CLOUD_* credentials: exit 0 all configured checks pass, 1 otherwise. */
async function doctor(io: CliIo, json: boolean): Promise<number> {
  const { credentials, problem: credentialsProblem, fix: credentialsFix } = credentialsOrProblem(credentialsFromEnv(io.env));
  // The orders file is read, never written: the doctor takes no host lock (see hostOrderJournal).
  const orderJournal = hostOrderJournal(io.env, Date.now, undefined, { readOnly: true });
  // FC's 4 KB is of the variables s.yaml deploys, not of this shell's.
  const functionEnv = await readDeployedEnv(io.env, functionVariables(io.env));
  const report = await runDoctor(buildDoctorPorts({ env: io.env, credentials, source: credentials ? 'environment' : undefined, credentialsProblem, credentialsFix, orderJournal, functionEnv }));
  io.out(json ? renderDoctorJson(report) : renderDoctor(report));
  return report.exitCode;
}

/** Exit 0 when every configured channel answered ok, 1 when one failed, 2 when none is configured. */
async function notifyTest(io: CliIo): Promise<number> {
  const config = loadConfig(io.env);
  if (Object.keys(config.notify.channels).length === 0) throw new UsageError('no notification channel is configured (NOTIFY_DINGTALK_URL, NOTIFY_FEISHU_URL, NOTIFY_WECOM_URL, NOTIFY_SLACK_URL, NOTIFY_WEBHOOK_URL)');
  const results = await sendTestNotifications(config.notify, { runId: randomUUID(), mode: config.mode }, { deadlineMs: Date.now() + 15_000, now: systemClock.now, sleep: systemClock.sleep });
  io.out(`${formatChannelResults(results.filter((r) => r.status !== 'off'))}\n`);
  // A test message with no answer (unknown) is not shown to work either.
  return results.some((r) => undelivered(r.status)) ? 1 : 0;
}

const USAGE = `usage: redeemer plan [--domains a.com,b.net] [--accounts ...] [--json] [--records]
       redeemer run [--mode dry-run|live] [--domains a.com,b.net] [--reason text] [--budget-seconds n] [--accounts ...] [--json] [--records]
       redeemer notify-test   a short test message to every configured channel (NOTIFY_*), ok or the vendor's error each
       redeemer doctor [--json]   check the account, the role and the channels; never orders anything
  --json     stdout is JSON only: the run summary (the run record and every decision) as one line, last;
             the table goes to stderr
  --records  each result record as one JSON line on stdout, as the function writes them; the table goes to stderr
  --accounts role ARNs (acs:ram::<account-id>:role/<name>,...) or rd:<role-name>: sets REDEEM_ACCOUNTS; each
             account runs with its role assumed from these credentials, three at a time, one table each and a total`;

export interface CliIo {
  readonly env: Env;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Progress events of the run, for a terminal (see progress.ts); undefined when nobody watches. */
  readonly onProgress?: ((event: ProgressEvent) => void) | undefined;
}

/** Where the records went, stated after an SLS failure (records are not kept anywhere else by the CLI). */
function recordsNote(flags: { json: boolean; records: boolean }): string {
  if (flags.records) return 'every record is on stdout';
  if (flags.json) return 'every record is in the JSON summary on stdout';
  return 'the records were written nowhere else (--records or --json puts them on stdout)';
}

class UsageError extends UserError {
  constructor(message: string) {
    super('usage', message);
  }
}

/** What each flag takes, said after a value the run options refuse. */
const FLAG_TAKES: Readonly<Record<'domains' | 'reason', string>> = {
  domains: 'expected domain names separated by commas, such as a.com,b.net',
  reason: 'expected a short text saying why the run was started',
};

/**
 * The run options from the flags, a refusal named by the flag the person typed: "Invalid run options:
 * domains: …" spoke of the field of an event they never wrote.
 */
function optionsFromFlags(input: Record<string, unknown>): RunOptions {
  try {
    return parseRunOptions(input);
  } catch (error) {
    if (!(error instanceof RunOptionsError)) throw error;
    const detail = error.message.replace(/^Invalid run options: /, '');
    const fields = (Object.keys(FLAG_TAKES) as Array<keyof typeof FLAG_TAKES>).filter((field) => new RegExp(`(^|; )${field}[[:]`).test(detail));
    if (fields.length === 0) throw error;
    const named = detail.replace(/(^|; )domains\[(\d+)\]: /g, (_, start: string, i: string) => `${start}--domains: name ${Number(i) + 1} `).replace(/(^|; )(domains|reason):/g, '$1--$2:');
    throw new UsageError(`${named}; ${fields.map((field) => FLAG_TAKES[field]).join('; ')}`);
  }
}

function exitCodeFor(summary: RunSummary): 0 | 1 {
  return summary.run.outcome === 'failed' || summary.run.count_failed > 0 ? 1 : 0;
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { positionals, values, tokens } = (() => {
      try {
        return parseArgs({
          args: [...argv],
          allowPositionals: true,
          tokens: true,
          options: {
            mode: { type: 'string' },
            domains: { type: 'string' },
            reason: { type: 'string' },
            'budget-seconds': { type: 'string' },
            accounts: { type: 'string' },
            json: { type: 'boolean', default: false },
            records: { type: 'boolean', default: false },
            help: { type: 'boolean', short: 'h', default: false },
          },
        });
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    })();
    // parseArgs keeps the last of a flag given twice, in silence: `--mode dry-run --mode live` ran live, and
    // `--domains a.com --domains b.net` looked at b.net alone. Refused, as an event naming a field twice is.
    const given = tokens.flatMap((t) => (t.kind === 'option' && t.value !== undefined ? [t.name] : []));
    const twice = given.find((name, i) => given.indexOf(name) !== i);
    if (twice) throw new UsageError(`--${twice} is given twice; give it once${twice === 'domains' || twice === 'accounts' ? ', the values separated by commas' : ''}`);
    if (values.help) {
      io.out(`${USAGE}\n`);
      return 0;
    }
    const [command, ...extra] = positionals;
    // doctor and notify-test take none of run's options: ignored, `doctor --accounts <arn>` read as a check
    // of that account and `doctor --domains a.com` as a look at that domain alone, and neither was.
    const takes = command === 'doctor' ? ['json'] : command === 'notify-test' ? [] : undefined;
    const foreign = takes && extra.length === 0 ? Object.entries(values).find(([name, value]) => name !== 'help' && value !== undefined && value !== false && !takes.includes(name)) : undefined;
    if (foreign) throw new UsageError(`${command} does not take --${foreign[0]} (${takes!.length > 0 ? `only ${takes!.map((name) => `--${name}`).join(', ')}` : 'no option'})`);
    if (command === 'notify-test' && extra.length === 0) return await notifyTest(io);
    if (command === 'doctor' && extra.length === 0) return await doctor(io, values.json);
    if ((command !== 'plan' && command !== 'run') || extra.length > 0) throw new UsageError(command ? `unknown command "${[command, ...extra].join(' ')}"` : 'a command is required');
    if (command === 'plan' && values.mode !== undefined) throw new UsageError('plan is always a dry run; use "run --mode ..." to choose a mode');
    if (values.mode !== undefined && values.mode !== 'dry-run' && values.mode !== 'live') throw new UsageError(`--mode must be dry-run or live, got "${values.mode}"`);
    // Digits only, as every whole-number variable (config.ts wholeNumber): Number() read "0x3c" as 60 and "1e3" as 1000.
    const budgetText = values['budget-seconds']?.trim();
    const budgetSeconds = budgetText === undefined ? 600 : /^\d{1,6}$/.test(budgetText) ? Number(budgetText) : Number.NaN;
    if (!(budgetSeconds >= 10 && budgetSeconds <= 86_400)) throw new UsageError(`--budget-seconds must be a whole number of seconds from 10 to 86400 (digits only), got ${budgetText ? echoed(values['budget-seconds']!) : 'an empty value'}`);

    // On the command line the operator is configuring, not requesting: --mode sets REDEEM_MODE, so live
    // still needs REDEEM_DOMAINS.
    const config = (() => {
      try {
        return loadConfig({ ...io.env, ...(values.mode ? { REDEEM_MODE: values.mode } : {}), ...(values.accounts !== undefined ? { REDEEM_ACCOUNTS: values.accounts } : {}) });
      } catch (error) {
        // What --accounts gave is named as the flag: the person set no REDEEM_ACCOUNTS (or set one the flag replaced).
        if (!(error instanceof ConfigError) || values.accounts === undefined) throw error;
        throw new ConfigError(error.problems.map((p) => (p.variable === 'REDEEM_ACCOUNTS' ? { ...p, variable: '--accounts' } : p)), error.fallback);
      }
    })();
    if (values.accounts !== undefined && !config.accounts) throw new UsageError('--accounts needs role ARNs (acs:ram::<account-id>:role/<role-name>, comma-separated) or rd:<role-name>');
    const domains = values.domains?.split(',').map((d) => d.trim()).filter(Boolean);
    if (domains?.length === 0) throw new UsageError('--domains names no domain (expected a.com,b.net); leave it out to take every domain the allow-list takes');
    const options = optionsFromFlags({
      ...(command === 'plan' ? { mode: 'dry-run' } : {}),
      ...(domains !== undefined ? { domains } : {}),
      ...(values.reason !== undefined ? { reason: values.reason } : {}),
    });
    const credentials = resolveCredentials(credentialsFromEnv(io.env));
    const logger = createLogger(values.records ? (line) => io.out(`${line}\n`) : () => undefined);
    const human = values.json || values.records ? io.err : io.out;
    const live = config.mode === 'live' && options.mode !== 'dry-run';
    if (config.accounts) {
      const accounts = config.accounts;
      // Each account's live orders are kept for the next run on this machine, as a single account's are (below).
      const orderJournal = live ? (account: { readonly id: string }) => hostOrderJournal(io.env, Date.now, account.id) : undefined;
      const work = () => runAccounts({ config, accounts, credentials, options, budgetMs: budgetSeconds * 1000, logger, orderJournal });
      const result = live ? await withHostLock(io.env, budgetSeconds * 1000, work) : await work();
      human(`${renderAccounts(result, { recordsNote: recordsNote(values) })}\n`);
      if (values.json) io.out(`${JSON.stringify({ accounts: result.runs.map(({ account, summary }) => ({ account_id: account.id, role_arn: account.roleArn, ...summary })), listing_error: result.listingError })}\n`);
      return accountsExitCode(result);
    }
    const run = () =>
      runRedemption({
        config,
        credentials,
        trigger: 'cli',
        options,
        budgetMs: budgetSeconds * 1000,
        logger,
        onProgress: io.onProgress,
        // Live runs keep their orders beside the host lock for the next run on this machine (see host-lock.ts).
        orderJournal: live ? hostOrderJournal(io.env) : undefined,
      });
    // Live runs on one machine take turns, so two started together cannot both pass the day's cap; across
    // machines the fresh look at the ledger before each submission is what holds it.
    const summary = live ? await withHostLock(io.env, budgetSeconds * 1000, run) : await run();
    // With JSON on stdout the table is for the person watching, on stderr.
    human(`${renderTable(summary, { recordsNote: recordsNote(values) })}\n`);
    if (values.json) io.out(`${JSON.stringify(summary)}\n`);
    return exitCodeFor(summary);
  } catch (error) {
    io.err(`redeemer: ${errorMessage(error)}\n${error instanceof UsageError ? `${USAGE}\n` : ''}`);
    return error instanceof UserError ? exitCodeForError(error) : 1;
  }
}
