/** The `redeemer` command: runs the CLI on this process's arguments and environment. */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
