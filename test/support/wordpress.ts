/**
 * A real WordPress for the plugin tests: Debian's wordpress, php-cli, php-mysql and mariadb-server
 * (installed with apt-get when missing), a private MariaDB on a unix socket (no TCP port), a copy
 * of WordPress with its own wp-config.php, served by `php -S` on a free loopback port. Everything
 * lives in one temporary folder; `stop()` ends both servers by their own pids and removes it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aptInstall } from '../../scripts/apt.mjs';
import { closedPort } from '../server/helpers.ts';
import { until } from './wait.mjs';

const WORDPRESS = '/usr/share/wordpress';
const THEME = `${WORDPRESS}/wp-content/themes/twentytwentythree`;
const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';

/** What each part needs on disk, and the Debian package that puts it there. */
const PARTS: [check: () => boolean, pkg: string][] = [
  // wordpress brings PHP for Apache, not the php command.
  [() => phpHas('json'), 'php-cli'],
  [() => existsSync(`${WORDPRESS}/wp-settings.php`), 'wordpress'],
  [() => existsSync(THEME), 'wordpress-theme-twentytwentythree'],
  [() => phpHas('mysqli'), 'php-mysql'],
  [() => existsSync(MARIADBD) && existsSync(INSTALL_DB), 'mariadb-server'],
];

/** True when the php command runs and has the extension (json is built into every PHP 8). */
function phpHas(extension: string): boolean {
  try {
    return execFileSync('php', ['-r', `echo extension_loaded('${extension}') ? 'yes' : 'no';`], { encoding: 'utf8' }) === 'yes';
  } catch {
    return false;
  }
}

/** Installs whatever is missing, and says what it installed. */
export function ensureWordPressPackages(): string[] {
  const missing = PARTS.filter(([check]) => !check()).map(([, pkg]) => pkg);
  if (missing.length > 0) {
    // Without recommends: wordpress would pull in every translation; the theme is named above.
    aptInstall(missing, 'a real WordPress for the plugin tests', { recommends: false });
    const still = PARTS.filter(([check]) => !check()).map(([, pkg]) => pkg);
    if (still.length > 0) throw new Error(`Installed, but still missing: ${still.join(', ')}`);
  }
  return missing;
}

export interface WordPress {
  /** http://127.0.0.1:port, the site's home and origin. */
  url: string;
  admin: { user: string; password: string };
  /** The temporary folder: WordPress, the database and the logs. */
  dir: string;
  /** Runs PHP with WordPress (and wp-admin's includes) loaded, as the administrator; resolves with its output. */
  php(code: string): string;
  /** The text of every log the servers wrote: php -S, WordPress's debug.log, MariaDB's error log. */
  logs(): string;
  /** What starting took, in ms per step. */
  timings: Record<string, number>;
  stop(): Promise<void>;
}

function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  // Its own process group (spawned detached): php -S's workers and nothing else.
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // Already gone.
    }
  };
  return new Promise((resolve) => {
    const force = setTimeout(() => signal('SIGKILL'), 10_000);
    child.once('exit', () => (clearTimeout(force), resolve()));
    signal('SIGTERM');
  });
}

/** Starts MariaDB and WordPress, installs the site, and installs and activates the plugin from `pluginZip`. */
export async function startWordPress(options: { pluginZip: string; phpConstants?: Record<string, string | number | boolean> }): Promise<WordPress> {
  const timings: Record<string, number> = {};
  const time = async <T>(step: string, run: () => T | Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await run();
    } finally {
      timings[step] = Math.round(performance.now() - started);
    }
  };
  const dir = mkdtempSync(join(tmpdir(), 'accura-wp-'));
  const socket = join(dir, 'mysql.sock');
  const root = join(dir, 'wordpress');
  const admin = { user: 'admin', password: randomBytes(12).toString('base64url') };
  let mariadb: ChildProcess | undefined;
  let server: ChildProcess | undefined;

  const stop = async () => {
    await stopProcess(server);
    await stopProcess(mariadb);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await time('mariadb', async () => {
      const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
      execFileSync(INSTALL_DB, ['--no-defaults', `--datadir=${dir}/db`, '--auth-root-authentication-method=normal', '--skip-test-db', ...asRoot], { stdio: 'ignore' });
      mariadb = spawn(
        MARIADBD,
        ['--no-defaults', `--datadir=${dir}/db`, `--socket=${socket}`, '--skip-networking', `--pid-file=${dir}/mariadb.pid`, `--log-error=${dir}/mariadb.log`, '--innodb-buffer-pool-size=32M', ...asRoot],
        { stdio: 'ignore', detached: true },
      );
      await until('MariaDB to open its socket', () => existsSync(socket), { timeout: 120_000, interval: 50 });
      execFileSync('mariadb', ['--no-defaults', `--socket=${socket}`, '-uroot', '-e', 'CREATE DATABASE wordpress']);
    });

    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    await time('copy', () => {
      cpSync(WORDPRESS, root, { recursive: true, verbatimSymlinks: true });
      const salts = ['AUTH', 'SECURE_AUTH', 'LOGGED_IN', 'NONCE']
        .flatMap((name) => [`${name}_KEY`, `${name}_SALT`])
        .map((name) => `define('${name}', '${randomBytes(32).toString('hex')}');`);
      const constants = Object.entries(options.phpConstants ?? {}).map(([name, value]) => `define('${name}', ${JSON.stringify(value)});`);
      writeFileSync(
        join(root, 'wp-config.php'),
        [
          '<?php',
          "define('DB_NAME', 'wordpress');",
          "define('DB_USER', 'root');",
          "define('DB_PASSWORD', '');",
          `define('DB_HOST', 'localhost:${socket}');`,
          "define('DB_CHARSET', 'utf8mb4');",
          ...salts,
          `define('WP_HOME', '${url}');`,
          `define('WP_SITEURL', '${url}');`,
          `define('WP_CONTENT_DIR', '${root}/wp-content');`,
          "define('WP_DEBUG', true);",
          `define('WP_DEBUG_LOG', '${dir}/debug.log');`,
          "define('WP_DEBUG_DISPLAY', false);",
          // Plugin installs write straight to disk; no update checks, no cron, no request leaves 127.0.0.1.
          "define('FS_METHOD', 'direct');",
          "define('AUTOMATIC_UPDATER_DISABLED', true);",
          "define('DISABLE_WP_CRON', true);",
          "define('WP_HTTP_BLOCK_EXTERNAL', true);",
          ...constants,
          "$table_prefix = 'wp_';",
          "if (!defined('ABSPATH')) define('ABSPATH', __DIR__ . '/');",
          "require_once ABSPATH . 'wp-settings.php';",
          '',
        ].join('\n'),
      );
      // php -S: files as they are, everything else through WordPress (pretty permalinks, /wp-json/).
      writeFileSync(
        join(dir, 'router.php'),
        [
          '<?php',
          "$path = urldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH));",
          "if ($path !== '/' && file_exists($_SERVER['DOCUMENT_ROOT'] . $path)) return false;",
          "$_SERVER['SCRIPT_NAME'] = '/index.php';",
          "require $_SERVER['DOCUMENT_ROOT'] . '/index.php';",
          '',
        ].join('\n'),
      );
      // `php()` runs code on stdin with WordPress loaded, as a request to the site would see it.
      writeFileSync(
        join(dir, 'run.php'),
        [
          '<?php',
          `$_SERVER['HTTP_HOST'] = '127.0.0.1:${port}';`,
          "$_SERVER['REQUEST_URI'] = '/';",
          "$_SERVER['REMOTE_ADDR'] = '127.0.0.1';",
          "if (getenv('WP_INSTALLING')) define('WP_INSTALLING', true);",
          `require '${root}/wp-load.php';`,
          "require_once ABSPATH . 'wp-admin/includes/admin.php';",
          "if (!getenv('WP_INSTALLING')) wp_set_current_user(1);",
          "eval(stream_get_contents(STDIN));",
          '',
        ].join('\n'),
      );
    });

    const read = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : '');
    const php = (code: string, env: Record<string, string> = {}) => {
      try {
        return execFileSync('php', [join(dir, 'run.php')], { input: code, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
      } catch (error) {
        // WordPress's "critical error" page says nothing: its debug.log says what failed.
        const { stderr } = error as { stderr?: string };
        throw new Error(`PHP failed: ${stderr ?? ''}\n${read('debug.log').slice(-3000)}`);
      }
    };

    await time('install', () => {
      php(
        `require_once ABSPATH . 'wp-admin/includes/upgrade.php';
        wp_install('Accura ID Liveness test', ${JSON.stringify(admin.user)}, 'admin@example.test', false, '', ${JSON.stringify(admin.password)});
        update_option('permalink_structure', '/%postname%/');
        switch_theme('twentytwentythree');`,
        { WP_INSTALLING: '1' },
      );
      // The same path as Plugins → Add New → Upload: WordPress's own upgrader unpacks the zip.
      const result = php(
        `require_once ABSPATH . 'wp-admin/includes/class-wp-upgrader.php';
        $upgrader = new Plugin_Upgrader(new Automatic_Upgrader_Skin());
        $installed = $upgrader->install(${JSON.stringify(options.pluginZip)});
        if (true !== $installed) { fwrite(STDERR, print_r($upgrader->skin->get_upgrade_messages(), true)); exit(1); }
        $activated = activate_plugin($upgrader->plugin_info());
        if (is_wp_error($activated)) { fwrite(STDERR, $activated->get_error_message()); exit(1); }
        echo $upgrader->plugin_info();`,
      );
      if (result.trim() !== 'accura-id-liveness/accura-id-liveness.php') throw new Error(`Unexpected plugin file: ${result}`);
    });

    await time('php -S', async () => {
      const log = openSync(join(dir, 'php-server.log'), 'a');
      // Uploads land in a folder of our own, so a test can see that none is left behind.
      mkdirSync(join(dir, 'php-uploads'));
      server = spawn('php', ['-d', `upload_tmp_dir=${dir}/php-uploads`, '-S', `127.0.0.1:${port}`, '-t', root, join(dir, 'router.php')], {
        cwd: root,
        // Workers, so a check waiting on a slow upstream doesn't hold up every other request.
        env: { ...process.env, PHP_CLI_SERVER_WORKERS: '4' },
        stdio: ['ignore', log, log],
        detached: true,
      });
      await until('php -S to start', () => readFileSync(join(dir, 'php-server.log'), 'utf8').includes('started'), { timeout: 60_000, interval: 50 });
      const home = await fetch(url);
      if (!home.ok) throw new Error(`WordPress answered ${home.status} at ${url}`);
    });

    return {
      url,
      admin,
      dir,
      php: (code) => php(code),
      logs: () => ['php-server.log', 'debug.log', 'mariadb.log'].map(read).join('\n'),
      timings,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
