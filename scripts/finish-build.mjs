// The steps of `npm run build` after tsc: copy the dashboard's static files next to the compiled
// REST server, and make the package's bin files executable. tsc writes them 0644, and `npx
// gokv-cli` in this checkout runs the bin file directly (npm only sets the mode when it links
// bins at install time, before dist/ exists), so without this it fails with "Permission denied".
import { chmodSync, cpSync, readFileSync } from 'node:fs';

cpSync('internal/rest/dashboard', 'dist/internal/rest/dashboard', { recursive: true });

const { bin } = JSON.parse(readFileSync('package.json', 'utf8'));
for (const file of Object.values(bin)) chmodSync(file, 0o755);
