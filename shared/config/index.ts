/** The function's configuration (environment variables), credentials, and domain-name patterns. */
export { ConfigError, loadConfig, type ConfigProblem, type Env, type Mode, type RedeemerConfig, type SlsTarget } from './config.js';
export { MissingCredentialsError, credentialsFromEnv, resolveCredentials, type PartialCredentials } from './credentials.js';
export { matchesAny, normalizeDomainName, parsePatternList, type DomainPattern } from './domain-patterns.js';
export { MAX_AMOUNT, loadMoneyConfig, parseEndpoint, priceFor, type MoneyConfig, type PriceTable } from './money.js';
