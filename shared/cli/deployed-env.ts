/**
 * The function's environment as `s deploy` sets it: s.yaml's `environmentVariables`, each `${env('NAME',
 * 'default')}` resolved from the variables of the shell it runs in. That is what FC counts against its 4 KB
 * (function-compute.md section 5: "the total size of all environment variables cannot exceed 4 KB"), and
 * not the CLI's own environment: every variable s.yaml sets is deployed, unset ones with their default or
 * "", and a variable of this shell that s.yaml does not name (REDEEM_ROLE_ARN, read by `s deploy` itself)
 * is not. The CLI's alone: `yaml` is a development dependency, bundled into the CLI, never into the function
 * (where the process's own variables are the deployed ones); loaded by the doctor alone (the other commands
 * never evaluate it).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Env } from '../config/index.js';

/** `${env('NAME')}` or `${env('NAME', 'default')}`, with either quote (Serverless Devs' own syntax). */
const ENV_REFERENCE = /\$\{\s*env\(\s*(['"])([^'"]*)\1\s*(?:,\s*(['"])([^'"]*)\3\s*)?\)\s*\}/g;

/** s.yaml beside the package: this file is shared/cli/deployed-env.ts, or the CLI bundle dist/cli/index.js. */
const S_YAML = new URL('../../s.yaml', import.meta.url);

export interface DeployedEnv {
  /** The variables as deployed; this shell's function variables when s.yaml cannot be read (`problem` says why). */
  readonly variables: Readonly<Record<string, string>>;
  /** Where the variables come from, for the doctor's report. */
  readonly source: string;
  readonly problem?: string | undefined;
}

/**
 * The variables s.yaml deploys, resolved with `env`. A variable set to "" takes the default, which measures
 * at least as long as either reading of Serverless Devs' env() (whether "" counts as set is not documented):
 * a pass here is a pass there. Undefined when s.yaml names no environmentVariables.
 */
export async function deployedVariables(sYaml: string, env: Env): Promise<Record<string, string> | undefined> {
  const { parse } = await import('yaml');
  const doc = parse(sYaml) as { resources?: Record<string, { props?: { environmentVariables?: unknown } } | null> } | null;
  for (const resource of Object.values(doc?.resources ?? {})) {
    const variables = resource?.props?.environmentVariables;
    if (typeof variables !== 'object' || variables === null) continue;
    return Object.fromEntries(
      Object.entries(variables as Record<string, unknown>).map(([name, value]) => [
        name,
        String(value ?? '').replace(ENV_REFERENCE, (...match: string[]) => env[match[2]!] || match[4] || ''),
      ]),
    );
  }
  return undefined;
}

/** The deployed environment from the package's s.yaml; `fallback` (this shell's function variables) when it cannot be read. */
export async function readDeployedEnv(env: Env, fallback: Readonly<Record<string, string>>, file: URL = S_YAML): Promise<DeployedEnv> {
  const path = fileURLToPath(file);
  let problem: string;
  try {
    const variables = await deployedVariables(readFileSync(file, 'utf8'), env);
    if (variables) return { variables, source: `as ${path} deploys it with this shell's variables` };
    problem = `${path} names no environmentVariables`;
  } catch (error) {
    problem = `${path} could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0]})`;
  }
  return { variables: fallback, source: `this shell's variables: ${problem}`, problem };
}
