#!/usr/bin/env node
// The CLI is compiled with the services: `npm run build` (npm start and npm test do it).
try {
  require('../dist/apps/aai-bridge/src/cli/main.js');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('cli/main.js')) {
    process.stderr.write('aai-bridge: not built yet; run `npm run build` first\n');
    process.exit(2);
  }
  throw err;
}
