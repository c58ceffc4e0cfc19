/**
 * A real redis-server for tests: Debian's package (installed when missing, as root on Debian), on
 * an ephemeral loopback port, with no persistence, stopped by its own pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aptInstall } from '../../scripts/apt.mjs';
import { freePort } from './ports.ts';

export interface RunningRedis {
  url: string;
  port: number;
  pid: number;
  /** True when this run installed Debian's redis-server. */
  installed: boolean;
  stop(): Promise<void>;
}

/** Starts redis-server and resolves once it accepts connections. */
export async function startRedis(): Promise<RunningRedis> {
  const find = () => ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((candidate) => existsSync(candidate));
  const installed = !find();
  if (installed) aptInstall(['redis-server'], 'the shared-store tests run against a real Redis');
  const path = find();
  if (!path) throw new Error('redis-server was installed but not found in /usr/bin');
  const dir = mkdtempSync(join(tmpdir(), 'redis-test-'));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn(
      path,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout!.on('data', (part) => (output += part));
    child.stderr!.on('data', (part) => (output += part));
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 60_000); // generous: a loaded machine is slow to start it
      child.stdout!.on('data', () => /Ready to accept connections/.test(output) && (clearTimeout(timer), resolve(true)));
      child.once('exit', () => (clearTimeout(timer), resolve(false)));
    });
    if (ready) {
      console.log(`redis-server ${installed ? '(installed from Debian just now) ' : ''}pid ${child.pid} on 127.0.0.1:${port}`);
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        pid: child.pid!,
        installed,
        async stop() {
          if (child.exitCode === null) {
            process.kill(child.pid!, 'SIGTERM');
            await once(child, 'exit');
          }
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    if (child.exitCode === null) process.kill(child.pid!, 'SIGKILL');
    if (attempt === 2) throw new Error(`redis-server did not start: ${output}`);
  }
}
