/**
 * PostgreSQL NOTIFY channel raised whenever a bearer token appears, disappears or changes hash or
 * role (a trigger on api_tokens, so also for changes made with psql): every node drops its token
 * cache at once, so a revocation on one node holds on all of them.
 */
export const TOKEN_CHANGES_CHANNEL = 'api_tokens_changed';
