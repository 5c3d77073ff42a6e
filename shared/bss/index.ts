/** BSS OpenAPI: the account balance, for the balance guard and the doctor. */
export { BSS_ENDPOINTS, BSS_VERSION, BssClient, MAX_BSS_BODY_BYTES, type AccountBalance, type BssClientOptions } from './client.js';
export { BSS_PERMISSION_CODES, BssApiError, BssForbiddenError } from './errors.js';
export { parseAmount } from './schemas.js';
