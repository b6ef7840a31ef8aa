// The `ssh` of the ssh:// engine tests (put first on PATH by a wrapper script named `ssh`):
// it records its arguments, checks that the remote command is the Docker CLI's
// `docker system dial-stdio`, and then does what that command does on the remote machine:
// joins stdin and stdout to the engine's socket (FAKE_SSH_ENGINE_SOCKET). With FAKE_SSH_FAIL
// set it fails as ssh does when the server refuses the key.
import { appendFileSync } from 'node:fs';
import { connect } from 'node:net';

const args = process.argv.slice(2);
if (process.env.FAKE_SSH_LOG) appendFileSync(process.env.FAKE_SSH_LOG, JSON.stringify(args) + '\n');
if (process.env.FAKE_SSH_FAIL) {
  process.stderr.write(`${process.env.FAKE_SSH_FAIL}\n`);
  process.exit(255);
}
const dash = args.indexOf('--');
const remote = dash < 0 ? [] : args.slice(dash + 2);
if (remote[0] !== 'docker' || remote.slice(-2).join(' ') !== 'system dial-stdio') {
  process.stderr.write(`fake ssh: not a dial-stdio command: ${remote.join(' ')}\n`);
  process.exit(127);
}
const sock = connect(process.env.FAKE_SSH_ENGINE_SOCKET);
sock.on('error', (err) => {
  process.stderr.write(`dial-stdio: ${err.message}\n`);
  process.exit(1);
});
process.stdin.pipe(sock);
sock.pipe(process.stdout);
sock.on('end', () => process.stdout.end(() => process.exit(0)));
