import { extname } from 'node:path';
import { Command, Option } from 'commander';
import { CliContext } from './cli-context';

const FORMATS: Record<string, string> = { text: 'text/plain', csv: 'text/csv', json: 'application/json' };
const FORMAT_OF_EXTENSION: Record<string, string> = { '.csv': 'csv', '.json': 'json' };

interface UploadOptions {
  replace?: boolean;
  dryRun?: boolean;
  format?: string;
}

type UploadView = Record<'added' | 'updated' | 'removed' | 'unchanged', number>;

export function addUploadCommand(program: Command, cli: CliContext): void {
  program
    .command('upload <pool> <file>')
    .description(
      'add the MACs of a file to a pool (text: MAC or first-last per line; csv: header with mac[,hostname,ipv4,ipv6,description]; json)',
    )
    .option('--replace', 'make the pool equal to the file (removes free MACs not listed)')
    .option('--dry-run', 'report what would change, write nothing')
    .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(Object.keys(FORMATS)))
    .action(async (pool: string, file: string, o: UploadOptions) => {
      const format = o.format ?? FORMAT_OF_EXTENSION[extname(file).toLowerCase()] ?? 'text';
      const path = `/v1/pools/${encodeURIComponent(pool)}/macs${o.dryRun ? '?dryRun=true' : ''}`;
      const progress = new Progress();
      const result = await cli
        .client()
        .upload<UploadView>(o.replace ? 'PUT' : 'POST', path, file, FORMATS[format], (sent, total) => progress.update(sent, total));
      progress.done();
      cli.print(
        result,
        () =>
          `${o.dryRun ? 'dry run, nothing written: would have ' : ''}added ${result.added}, updated ${result.updated}, removed ${result.removed}, unchanged ${result.unchanged}`,
      );
    });
}

/** Upload progress on stderr: a live line on a terminal, a line every 10% otherwise. */
class Progress {
  private lastShown = -1;
  private readonly started = Date.now();

  update(sent: number, total: number) {
    const pct = total ? Math.floor((sent / total) * 100) : 100;
    const step = process.stderr.isTTY ? pct : Math.floor(pct / 10) * 10;
    if (step === this.lastShown) return;
    this.lastShown = step;
    const mb = (n: number) => (n / 1048576).toFixed(1);
    const text = `uploading: ${mb(sent)} / ${mb(total)} MiB (${pct}%)`;
    process.stderr.write(process.stderr.isTTY ? `\r${text}` : `${text}\n`);
  }

  done() {
    if (this.lastShown >= 0)
      process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}done in ${((Date.now() - this.started) / 1000).toFixed(1)} s\n`);
  }
}
