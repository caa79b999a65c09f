// Builds each service's console page (apps/console/<app>/index.html and what it imports) into
// dist/console/<app>/, one self-contained folder per service, served under that service's /admin.
// Relative asset URLs (base './') keep it working under any path prefix a proxy or VIP adds.
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const apps = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['mac-pool', 'aai-bridge'];

for (const app of apps) {
  await build({
    configFile: false,
    root: `${here}${app}`,
    base: './',
    logLevel: 'warn',
    esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
    build: {
      outDir: `${here}../../dist/console/${app}`,
      emptyOutDir: true,
      // The preload polyfill is the one script Vite would inline; every browser we target has modulepreload.
      modulePreload: { polyfill: false },
      assetsInlineLimit: 0,
      chunkSizeWarningLimit: 200,
    },
  });
  console.log(`console: built dist/console/${app}`);
}
