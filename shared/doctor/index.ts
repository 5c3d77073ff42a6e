/** `redeemer doctor`: read-only checks of a real account, with injected ports, and their rendering. */
export { runDoctor, type DoctorReport } from './doctor.js';
export { renderDoctor, renderDoctorJson } from './render.js';
export { buildDoctorPorts } from './wire.js';
export { functionVariables } from './checks.js';
