/** `redeemer doctor`: read-only checks of a real account, with injected ports, and their rendering. */
export {
  FC_ENV_LIMIT_BYTES,
  FUNCTION_ENV_PREFIXES,
  MAX_CLOCK_SKEW_S,
  environmentSize,
  fixForError,
  functionVariables,
  planSummary,
  type CheckId,
  type CheckStatus,
  type DoctorCheck,
} from './checks.js';
export { runDoctor, type DoctorOptions, type DoctorReport } from './doctor.js';
export {
  readOnlyDomainApi,
  type ApiClockReading,
  type CredentialFacts,
  type CredentialSource,
  type DoctorPorts,
  type DoctorRecord,
  type DomainReadApi,
  type NotifyTestResult,
  type PlanSummary,
} from './ports.js';
export { probeApiClock, type ClockProbeOptions } from './probe.js';
export { CANNOT_CHECK, renderDoctor, renderDoctorJson } from './render.js';
export { buildDoctorPorts, type DoctorContext } from './wire.js';
