/** BSS OpenAPI: the account balance, for the balance guard and the doctor. */
export { BssClient } from './client.js';
