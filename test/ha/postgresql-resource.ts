import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const WRAPPER = join(__dirname, '../../deploy/pacemaker/pg_ctl-wait');

/**
 * The `params` of the test clusters' ocf:heartbeat:pgsql resource, as deploy/pacemaker/controller.yaml
 * sets them (pg_ctl-wait as its pgctl, syncfs at crash recovery), for the PostgreSQL binaries
 * `pgbin` the cluster runs: pg_ctl-wait finds Debian's pg_ctl itself, these it is told through
 * PG_CTL by a two-line script in the run's directory.
 */
export function postgresqlParams(run: string, pgbin: string, vip: string): string {
  const pgctl = join(run, 'pg_ctl-wait');
  writeFileSync(pgctl, `#!/bin/sh\nPG_CTL='${pgbin}/pg_ctl' exec '${WRAPPER}' "$@"\n`);
  chmodSync(pgctl, 0o755);
  return (
    `{ pgctl: ${pgctl}, psql: /usr/bin/psql, pgdata: ${run}/shared/pgsql, pghost: ${vip}, socketdir: /run/postgresql, ` +
    `logfile: ${run}/shared/postgresql.log, start_opt: "-c recovery_init_sync_method=syncfs" }`
  );
}
