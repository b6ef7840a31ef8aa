/** `scout login SERVER [--token-stdin]` and `scout logout`. */
import type { Command } from 'commander';
import { ScoutError } from '../../util/errors.js';
import { action } from '../common.js';

async function readToken(fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').trim();
  }
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // Keep the token off the screen: echo nothing while it is typed.
  const out = rl as unknown as { _writeToOutput?: (s: string) => void };
  process.stderr.write('Token: ');
  out._writeToOutput = () => {};
  try {
    return (await rl.question('')).trim();
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

export function register(program: Command): void {
  program
    .command('login')
    .argument('<server>', 'the server URL (http://127.0.0.1:8080)')
    .description('check a token against a Scout server and remember both (in a 0600 file under the config directory)')
    .option('--token-stdin', 'read the token from standard input')
    .action(
      action(async (server: string, o: { tokenStdin?: boolean }) => {
        const { callApi, normaliseServerUrl, saveLogin } = await import('../server-client.js');
        const url = normaliseServerUrl(server);
        const token = await readToken(o.tokenStdin ?? false);
        if (!token) throw new ScoutError('bad-option', 'no token given');
        const { body } = await callApi<{ org: { name: string }; token: { scope: string } }>({ server: url, token }, { method: 'GET', path: '/v1/whoami' });
        const file = saveLogin({ server: url, token });
        process.stdout.write(`Logged in to ${url} as organisation ${body.org.name} (${body.token.scope} scope); saved in ${file}\n`);
      }),
    );
  program
    .command('logout')
    .description('forget the server and token scout login saved')
    .action(
      action(async () => {
        const { forgetLogin, loginFile } = await import('../server-client.js');
        process.stdout.write(forgetLogin() ? `Removed ${loginFile()}\n` : 'Not logged in\n');
      }),
    );
}
