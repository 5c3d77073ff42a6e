/** The `redeemer` command line (bin.ts runs main.ts on this process); the run table the demo scripts print too. */
export { renderTable } from './table.js';
