/**
 * PostgreSQL NOTIFY channel raised by every change to the pools table (a statement trigger, so
 * also changes made with psql): each node empties its cached pool list at once.
 */
export const POOL_CHANGES_CHANNEL = 'pools_changed';
