#!/usr/bin/env node
// The Docker CLI plugin entry point: with this file linked as ~/.docker/cli-plugins/docker-iscout,
// `docker iscout cves IMAGE` runs `scout cves IMAGE`. The Docker CLI first asks a plugin for its
// metadata (`docker-iscout docker-cli-plugin-metadata`), then runs it with the plugin's own name
// as the first argument (`docker-iscout iscout cves IMAGE`), which is dropped here.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args[0] === 'docker-cli-plugin-metadata') {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(
    JSON.stringify({
      SchemaVersion: '0.1.0',
      Vendor: 'iEchor',
      Version: version,
      ShortDescription: 'iEchor Scout: image SBOMs, vulnerabilities and policies',
    }) + '\n',
  );
} else {
  if (args[0] === 'iscout') process.argv.splice(2, 1);
  // Help and usage lines then say `docker iscout …`, the command the user typed
  // (src/cli/usage-name.ts); command names, config keys and completion stay `scout`'s.
  process.env.SCOUT_USAGE_NAME = 'docker iscout';
  await import('./scout.js');
}
