/** The `redeemer` command: runs the CLI on this process's arguments, environment and streams. */
import { main } from './main.js';
import { processIo } from './process-io.js';

process.exitCode = await main(process.argv.slice(2), processIo());
