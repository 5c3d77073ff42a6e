/** The function's configuration (environment variables), credentials, and domain-name patterns. */
export { ConfigError, loadConfig, type ConfigProblem, type Env, type Mode, type RedeemerConfig, type SlsTarget } from './config.js';
export { echoed, envText } from './env.js';
export { completeCredentials, credentialsFromEnv, credentialsOrProblem, resolveCredentials, STS_KEY_PREFIX, type PartialCredentials } from './credentials.js';
export { matchesAny, normalizeDomainName, parsePatternList } from './domain-patterns.js';
export { loadMoneyConfig, parseEndpoint, priceFor, type MoneyConfig } from './money.js';
