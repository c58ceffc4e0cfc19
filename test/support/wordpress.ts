/**
 * Real WordPress sites for the plugin tests, the way site owners host them: Debian 12's WordPress 6.1
 * and Debian 13's 6.8 (downloaded from Debian's archive into a cache folder with a private apt
 * config, unpacked with dpkg-deb, installed nowhere), served by `php -S`, Apache 2.4 with mod_php,
 * Apache with PHP-FPM (proxy_fcgi) or nginx with PHP-FPM, all Debian packages (installed with
 * apt-get when missing). One private MariaDB on a unix socket serves every site, one database each.
 * Each part gets a free loopback port, is stopped by its own pid, and lives in a temporary folder.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aptInstall } from '../../scripts/apt.mjs';
import { closedPort } from '../server/helpers.ts';
import { until } from './wait.mjs';

/** How the site is served. */
export type Stack = 'php -S' | 'Apache mod_php' | 'Apache PHP-FPM' | 'nginx PHP-FPM';
export const STACKS: Stack[] = ['php -S', 'Apache mod_php', 'Apache PHP-FPM', 'nginx PHP-FPM'];
/** Debian 12's WordPress (installed as a package) and Debian 13's (downloaded, unpacked into a cache). */
export type WordPressVersion = '6.1' | '6.8';
export const VERSIONS: WordPressVersion[] = ['6.1', '6.8'];

const SYSTEM_WORDPRESS = '/usr/share/wordpress';
const THEME = `${SYSTEM_WORDPRESS}/wp-content/themes/twentytwentythree`;
const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';
const APACHE = '/usr/sbin/apache2';
const APACHE_MODULES = '/usr/lib/apache2/modules';
const NGINX = '/usr/sbin/nginx';
const FAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
/** Debian 13's packages, kept between runs: WordPress and the libraries its symlinks point into. */
const TRIXIE_PACKAGES = ['wordpress', 'libjs-cropper', 'libjs-lodash', 'libjs-underscore', 'php-getid3'];
const CACHE = join(tmpdir(), 'accura-id-liveness-cache');

/** What each part needs on disk, and the Debian package that puts it there. */
const PARTS: [check: () => boolean, pkg: string][] = [
  // wordpress brings PHP for Apache, not the php command.
  [() => phpHas('json'), 'php-cli'],
  [() => existsSync(`${SYSTEM_WORDPRESS}/wp-settings.php`), 'wordpress'],
  [() => existsSync(THEME), 'wordpress-theme-twentytwentythree'],
  [() => phpHas('mysqli'), 'php-mysql'],
  [() => existsSync(MARIADBD) && existsSync(INSTALL_DB), 'mariadb-server'],
  [() => existsSync(APACHE), 'apache2'],
  [() => existsSync(`${APACHE_MODULES}/libphp${phpVersion()}.so`), 'libapache2-mod-php'],
  [() => existsSync(fpmBinary()), 'php-fpm'],
  [() => existsSync(NGINX), 'nginx'],
  [() => existsSync(FAKETIME), 'libfaketime'],
];

function phpVersion(): string {
  try {
    return execFileSync('php', ['-r', 'echo PHP_MAJOR_VERSION . "." . PHP_MINOR_VERSION;'], { encoding: 'utf8' });
  } catch {
    return '8.2';
  }
}

function fpmBinary(): string {
  return `/usr/sbin/php-fpm${phpVersion()}`;
}

/** True when the php command runs and has the extension (json is built into every PHP 8). */
export function phpHas(extension: string): boolean {
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
    aptInstall(missing, 'real WordPress sites on Apache and nginx for the plugin tests', { recommends: false });
    const still = PARTS.filter(([check]) => !check()).map(([, pkg]) => pkg);
    if (still.length > 0) throw new Error(`Installed, but still missing: ${still.join(', ')}`);
  }
  return missing;
}

/**
 * The folder holding that version's WordPress (its usr/share/wordpress). 6.8 is Debian 13's
 * package: on first use, `apt-get update` and `apt-get download` through a private apt config with
 * only a trixie source (the system's sources and packages are left alone), then `dpkg-deb -x`.
 */
export function wordpressTree(version: WordPressVersion): { root: string; fetched?: string } {
  if (version === '6.1') return { root: SYSTEM_WORDPRESS };
  const base = join(CACHE, 'trixie');
  const root = join(base, 'root/usr/share/wordpress');
  if (existsSync(join(base, 'root/.complete'))) return { root };
  rmSync(base, { recursive: true, force: true });
  for (const dir of ['lists/partial', 'cache/archives/partial', 'sources', 'preferences', 'debs', 'root'])
    mkdirSync(join(base, dir), { recursive: true });
  writeFileSync(
    join(base, 'sources/trixie.sources'),
    'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n',
  );
  writeFileSync(
    join(base, 'apt.conf'),
    [
      'Dir::Etc::SourceList "/dev/null";',
      `Dir::Etc::SourceParts "${base}/sources";`,
      'Dir::Etc::Preferences "/dev/null";',
      `Dir::Etc::PreferencesParts "${base}/preferences";`,
      `Dir::State::Lists "${base}/lists";`,
      `Dir::Cache "${base}/cache";`,
      'Acquire::Languages "none";',
      // Downloads land in a folder of ours, which apt's own _apt user needn't read.
      'APT::Sandbox::User "root";',
      '',
    ].join('\n'),
  );
  console.log(`# Fetching Debian 13's ${TRIXIE_PACKAGES.join(', ')} with a private apt config into ${base} (nothing is installed)…`);
  const env = { ...process.env, APT_CONFIG: join(base, 'apt.conf') };
  execFileSync('apt-get', ['-qq', 'update'], { env, stdio: 'inherit' });
  execFileSync('apt-get', ['-qq', 'download', ...TRIXIE_PACKAGES], { env, cwd: join(base, 'debs'), stdio: 'inherit' });
  for (const deb of readdirSync(join(base, 'debs'))) execFileSync('dpkg-deb', ['-x', join(base, 'debs', deb), join(base, 'root')]);
  writeFileSync(join(base, 'root/.complete'), TRIXIE_PACKAGES.join('\n'));
  return { root, fetched: base };
}

/** One MariaDB for every site of a run. */
export interface Database {
  socket: string;
  /** Creates an empty database and returns its name. */
  create(): string;
  logs(): string;
  stop(): Promise<void>;
}

function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  // Its own process group (spawned detached): the server's workers and nothing else.
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // Already gone.
    }
  };
  const groupAlive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => signal('SIGKILL'), 10_000);
    child.once('exit', () => (clearTimeout(force), resolve()));
    signal('SIGTERM');
  }).then(async () => {
    // The leader can exit before its workers (php -S's PHP_CLI_SERVER_WORKERS), which still hold the port a restart
    // binds again: wait for the whole group, and end it if it lingers.
    const deadline = performance.now() + 10_000;
    while (groupAlive() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    if (groupAlive()) signal('SIGKILL');
  });
}

const asRoot = process.getuid?.() === 0;

/** Starts a private MariaDB on a unix socket, no TCP port. */
export async function startDatabase(): Promise<Database> {
  const dir = mkdtempSync(join(tmpdir(), 'accura-db-'));
  // Apache's www-data reaches the socket through this folder.
  chmodSync(dir, 0o755);
  const socket = join(dir, 'mysql.sock');
  const rootFlag = asRoot ? ['--user=root'] : [];
  execFileSync(
    INSTALL_DB,
    ['--no-defaults', `--datadir=${dir}/db`, '--auth-root-authentication-method=normal', '--skip-test-db', ...rootFlag],
    { stdio: 'ignore' },
  );
  const mariadb = spawn(
    MARIADBD,
    [
      '--no-defaults',
      `--datadir=${dir}/db`,
      `--socket=${socket}`,
      '--skip-networking',
      `--pid-file=${dir}/mariadb.pid`,
      `--log-error=${dir}/mariadb.log`,
      '--innodb-buffer-pool-size=64M',
      ...rootFlag,
    ],
    { stdio: 'ignore', detached: true },
  );
  try {
    await until('MariaDB to open its socket', () => existsSync(socket), { timeout: 120_000, interval: 50 });
  } catch (error) {
    await stopProcess(mariadb);
    throw error;
  }
  let count = 0;
  return {
    socket,
    create() {
      const name = `wp${++count}`;
      execFileSync('mariadb', ['--no-defaults', `--socket=${socket}`, '-uroot', '-e', `CREATE DATABASE ${name}`]);
      return name;
    },
    logs: () => (existsSync(`${dir}/mariadb.log`) ? readFileSync(`${dir}/mariadb.log`, 'utf8') : ''),
    async stop() {
      await stopProcess(mariadb);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface WordPress {
  /** http://127.0.0.1:port, the site's home and origin. */
  url: string;
  version: string;
  stack: Stack;
  admin: { user: string; password: string };
  /** The temporary folder: WordPress and the logs. */
  dir: string;
  /** Runs PHP with WordPress (and wp-admin's includes) loaded, as the administrator; resolves with its output. */
  php(code: string): string;
  /** Restarts the PHP side (php -S, Apache with mod_php, or PHP-FPM) with its clock moved by `offset` (libfaketime, e.g. '+2d'); '' puts it back. */
  moveClock(offset: string): Promise<void>;
  /** The text of every log the servers wrote, and WordPress's debug.log. */
  logs(): string;
  /** The last `lines` lines of each of those logs and of the site's MariaDB's, under its name (less core's own deprecations). */
  logTails(lines: number): string;
  /** What starting took, in ms per step. */
  timings: Record<string, number>;
  stop(): Promise<void>;
}

export interface WordPressOptions {
  pluginZip: string;
  database: Database;
  version?: WordPressVersion;
  stack?: Stack;
  phpConstants?: Record<string, string | number | boolean>;
  /** A network (subdirectory multisite) with the plugin network-activated, not served over HTTP. */
  multisite?: boolean;
}

/** Makes a site on `options.database`, installs it, installs and activates the plugin from the zip, and serves it. */
export async function startWordPress(options: WordPressOptions): Promise<WordPress> {
  const { version = '6.1', stack = 'php -S', database } = options;
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
  chmodSync(dir, 0o755);
  const root = join(dir, 'wordpress');
  const admin = { user: 'admin', password: randomBytes(12).toString('base64url') };
  const servers: ChildProcess[] = [];
  const stopServers = async () => {
    for (const server of servers.splice(0).reverse()) await stopProcess(server);
  };
  const stop = async () => {
    await stopServers();
    rmSync(dir, { recursive: true, force: true });
  };
  const read = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : '');
  const logFiles = () => [...readdirSync(join(dir, 'logs')).map((file) => `logs/${file}`), 'debug.log'];

  try {
    const tree = await time('fetch', () => wordpressTree(version));
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const db = database.create();
    await time('copy', () => {
      // Debian's tree links into its libraries (getid3, lodash…): copy what the links point to.
      // Its .htaccess links to /etc/wordpress, which has none: WordPress writes the site's own below.
      cpSync(tree.root, root, { recursive: true, dereference: true, filter: (from) => existsSync(from) });
      if (!existsSync(join(root, 'wp-content/themes/twentytwentythree')))
        cpSync(THEME, join(root, 'wp-content/themes/twentytwentythree'), { recursive: true });
      const salts = ['AUTH', 'SECURE_AUTH', 'LOGGED_IN', 'NONCE']
        .flatMap((name) => [`${name}_KEY`, `${name}_SALT`])
        .map((name) => `define('${name}', '${randomBytes(32).toString('hex')}');`);
      const constants = Object.entries(options.phpConstants ?? {}).map(([name, value]) => `define('${name}', ${JSON.stringify(value)});`);
      writeFileSync(
        join(root, 'wp-config.php'),
        [
          '<?php',
          `define('DB_NAME', '${db}');`,
          "define('DB_USER', 'root');",
          "define('DB_PASSWORD', '');",
          `define('DB_HOST', 'localhost:${database.socket}');`,
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
          '/* multisite */',
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
          // Apache: WordPress then writes its .htaccess as it would on the site owner's server.
          "if (getenv('SERVER_SOFTWARE')) $_SERVER['SERVER_SOFTWARE'] = getenv('SERVER_SOFTWARE');",
          "if (getenv('WP_INSTALLING')) define('WP_INSTALLING', true);",
          `require '${root}/wp-load.php';`,
          "require_once ABSPATH . 'wp-admin/includes/admin.php';",
          "if (!getenv('WP_INSTALLING')) wp_set_current_user(1);",
          'eval(stream_get_contents(STDIN));',
          '',
        ].join('\n'),
      );
      // The servers' PHP may run as www-data: it appends to the debug log and writes uploads.
      for (const folder of ['php-uploads', 'logs']) mkdirSync(join(dir, folder), { mode: 0o1777 });
      chmodSync(join(dir, 'php-uploads'), 0o1777);
      chmodSync(join(dir, 'logs'), 0o1777);
      writeFileSync(join(dir, 'debug.log'), '');
      chmodSync(join(dir, 'debug.log'), 0o666);
    });

    const php = (code: string, env: Record<string, string> = {}) => {
      try {
        return execFileSync('php', [join(dir, 'run.php')], {
          input: code,
          encoding: 'utf8',
          env: { ...process.env, ...env },
          stdio: ['pipe', 'pipe', 'pipe'],
        });
      } catch (error) {
        // WordPress's "critical error" page says nothing: its debug.log says what failed.
        const { stderr } = error as { stderr?: string };
        throw new Error(`PHP failed: ${stderr ?? ''}\n${read('debug.log').slice(-3000)}`);
      }
    };
    const serverSoftware: Record<string, string> = stack.startsWith('Apache') ? { SERVER_SOFTWARE: 'Apache/2.4' } : {};

    await time('install', () => {
      php(
        `require_once ABSPATH . 'wp-admin/includes/upgrade.php';
        wp_install('ID Liveness Check test', ${JSON.stringify(admin.user)}, 'admin@example.test', false, '', ${JSON.stringify(admin.password)});
        switch_theme('twentytwentythree');`,
        { WP_INSTALLING: '1' },
      );
      if (options.multisite) {
        // What Tools → Network Setup does, then the constants it asks for in wp-config.php.
        php(`require_once ABSPATH . 'wp-admin/includes/upgrade.php';
          global $wpdb;
          // As wp-admin/network.php does: the network tables' names aren't set on a single site.
          foreach ($wpdb->tables('ms_global') as $table => $prefixed) $wpdb->$table = $prefixed;
          install_network();
          $made = populate_network(1, '127.0.0.1:${port}', 'admin@example.test', 'Test network', '/', false);
          if (is_wp_error($made)) { fwrite(STDERR, $made->get_error_message()); exit(1); }`);
        const config = readFileSync(join(root, 'wp-config.php'), 'utf8').replace(
          '/* multisite */',
          [
            "define('MULTISITE', true);",
            "define('SUBDOMAIN_INSTALL', false);",
            `define('DOMAIN_CURRENT_SITE', '127.0.0.1:${port}');`,
            "define('PATH_CURRENT_SITE', '/');",
            "define('SITE_ID_CURRENT_SITE', 1);",
            "define('BLOG_ID_CURRENT_SITE', 1);",
          ].join('\n'),
        );
        writeFileSync(join(root, 'wp-config.php'), config);
      }
      // Pretty permalinks; on Apache WordPress writes its own .htaccess (with the Authorization rule).
      php(
        `global $wp_rewrite; $wp_rewrite->set_permalink_structure('/%postname%/'); flush_rewrite_rules(true);
        if (${stack.startsWith('Apache') ? 'true' : 'false'} && !str_contains((string) @file_get_contents(ABSPATH . '.htaccess'), 'RewriteRule')) { fwrite(STDERR, 'WordPress wrote no .htaccess'); exit(1); }`,
        serverSoftware,
      );
      // The same path as Plugins → Add New → Upload: WordPress's own upgrader unpacks the zip.
      const result = php(
        `require_once ABSPATH . 'wp-admin/includes/class-wp-upgrader.php';
        $upgrader = new Plugin_Upgrader(new Automatic_Upgrader_Skin());
        $installed = $upgrader->install(${JSON.stringify(options.pluginZip)});
        if (true !== $installed) { fwrite(STDERR, print_r($upgrader->skin->get_upgrade_messages(), true)); exit(1); }
        $activated = activate_plugin($upgrader->plugin_info(), '', ${options.multisite ? 'true' : 'false'});
        if (is_wp_error($activated)) { fwrite(STDERR, $activated->get_error_message()); exit(1); }
        echo $upgrader->plugin_info();`,
      );
      if (result.trim() !== 'id-liveness-check-for-accura-scan/id-liveness-check-for-accura-scan.php')
        throw new Error(`Unexpected plugin file: ${result}`);
    });

    const serve = async (clock = '') => {
      // libfaketime moves the PHP side's clock; the monotonic clock stays real, so timeouts still work.
      const clockEnv: Record<string, string> = clock
        ? { LD_PRELOAD: FAKETIME, FAKETIME: clock, FAKETIME_DONT_FAKE_MONOTONIC: '1', DONT_FAKE_MONOTONIC: '1' }
        : {};
      const start = (name: string, command: string, args: string[], env: Record<string, string> = {}) => {
        const log = openSync(join(dir, 'logs', `${name}.out`), 'a');
        const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', log, log], detached: true });
        servers.push(child);
        return child;
      };
      const fpmPort = stack.endsWith('PHP-FPM') ? await closedPort() : 0;
      if (fpmPort) {
        writeFileSync(
          join(dir, 'php-fpm.conf'),
          [
            '[global]',
            `error_log = ${dir}/logs/php-fpm.log`,
            'daemonize = no',
            '[site]',
            ...(asRoot ? ['user = root', 'group = root'] : []),
            `listen = 127.0.0.1:${fpmPort}`,
            // Workers, so a check waiting on a slow upstream doesn't hold up every other request.
            'pm = static',
            'pm.max_children = 4',
            'catch_workers_output = yes',
            'clear_env = no',
            `php_admin_value[upload_tmp_dir] = ${dir}/php-uploads`,
            `php_admin_value[error_log] = ${dir}/logs/php-errors.log`,
            '',
          ].join('\n'),
        );
        start(
          'php-fpm',
          fpmBinary(),
          ['--nodaemonize', '--fpm-config', join(dir, 'php-fpm.conf'), ...(asRoot ? ['--allow-to-run-as-root'] : [])],
          clockEnv,
        );
        await until('PHP-FPM to start', () => read('logs/php-fpm.log').includes('ready to handle connections'), {
          timeout: 60_000,
          interval: 50,
        });
      }
      if (stack === 'php -S') {
        start(
          'php-server',
          'php',
          ['-d', `upload_tmp_dir=${dir}/php-uploads`, '-S', `127.0.0.1:${port}`, '-t', root, join(dir, 'router.php')],
          {
            PHP_CLI_SERVER_WORKERS: '4',
            ...clockEnv,
          },
        );
      } else if (stack.startsWith('Apache')) {
        const modPhp = stack === 'Apache mod_php';
        const modules = [
          modPhp ? 'mpm_prefork' : 'mpm_event',
          'authz_core',
          'dir',
          'mime',
          'rewrite',
          'env',
          ...(modPhp ? [] : ['proxy', 'proxy_fcgi']),
        ].map((name) => `LoadModule ${name}_module ${APACHE_MODULES}/mod_${name}.so`);
        if (modPhp) modules.push(`LoadModule php_module ${APACHE_MODULES}/libphp${phpVersion()}.so`);
        writeFileSync(
          join(dir, 'apache.conf'),
          [
            ...modules,
            `ServerRoot ${dir}`,
            'ServerName 127.0.0.1',
            `Listen 127.0.0.1:${port}`,
            `PidFile ${dir}/logs/apache.pid`,
            `DefaultRuntimeDir ${dir}/logs`,
            `Mutex file:${dir}/logs default`,
            `ErrorLog ${dir}/logs/apache-error.log`,
            'LogLevel warn',
            // Each request with its status and time (µs): a failing test's message shows which one hung.
            `CustomLog ${dir}/logs/access.log "%t \\"%r\\" %>s %Dus"`,
            'TypesConfig /etc/mime.types',
            // Apache won't serve as root: its workers are www-data, as on a Debian server.
            ...(asRoot ? ['User www-data', 'Group www-data'] : []),
            modPhp ? 'StartServers 2\nMinSpareServers 2\nMaxSpareServers 4' : 'StartServers 1',
            `DocumentRoot ${root}`,
            `<Directory ${root}>`,
            '  AllowOverride All',
            '  Require all granted',
            '</Directory>',
            'DirectoryIndex index.php index.html',
            modPhp
              ? `<FilesMatch "\\.php$">\n  SetHandler application/x-httpd-php\n</FilesMatch>\nphp_admin_value upload_tmp_dir ${dir}/php-uploads\nphp_admin_value error_log ${dir}/logs/php-errors.log`
              : // As Debian's php-fpm.conf for Apache has it; Apache passes no Authorization header to FastCGI.
                `<FilesMatch "\\.php$">\n  SetHandler "proxy:fcgi://127.0.0.1:${fpmPort}"\n</FilesMatch>`,
            '',
          ].join('\n'),
        );
        start('apache', APACHE, ['-f', join(dir, 'apache.conf'), '-DFOREGROUND'], modPhp ? clockEnv : {});
      } else {
        mkdirSync(join(dir, 'nginx'), { recursive: true });
        writeFileSync(
          join(dir, 'nginx.conf'),
          [
            ...(asRoot ? ['user www-data;'] : []),
            'worker_processes 1;',
            'daemon off;',
            `pid ${dir}/logs/nginx.pid;`,
            `error_log ${dir}/logs/nginx-error.log warn;`,
            'events { worker_connections 256; }',
            'http {',
            '  include /etc/nginx/mime.types;',
            // Each request with its status and time: a failing test's message shows which one hung.
            '  log_format timed \'$time_local "$request" $status ${request_time}s\';',
            `  access_log ${dir}/logs/access.log timed;`,
            ...['client_body', 'fastcgi', 'proxy', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${dir}/nginx/${kind};`),
            // What a WordPress host sets for media uploads (nginx's default is 1m), matching PHP's post_max_size.
            '  client_max_body_size 8m;',
            '  server {',
            `    listen 127.0.0.1:${port};`,
            `    root ${root};`,
            '    index index.php;',
            // WordPress's own nginx recipe: files as they are, everything else through index.php.
            '    location / { try_files $uri $uri/ /index.php?$args; }',
            '    location ~ \\.php$ {',
            '      include /etc/nginx/fastcgi.conf;',
            `      fastcgi_pass 127.0.0.1:${fpmPort};`,
            '    }',
            '  }',
            '}',
            '',
          ].join('\n'),
        );
        start('nginx', NGINX, ['-p', join(dir, 'nginx'), '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs/nginx-error.log')]);
      }
      await until(
        `${stack} to serve the site`,
        () =>
          fetch(url).then(
            (response) => response.ok,
            () => false,
          ),
        {
          timeout: 60_000,
          interval: 50,
          // What the servers said, so a server that could not start shows why.
          seen: () =>
            readdirSync(join(dir, 'logs'))
              .filter((file) => file.endsWith('.out'))
              .map((file) => `${file}: ${read(`logs/${file}`).slice(-400)}`)
              .join(' | ') || 'no server output',
        },
      );
    };

    if (!options.multisite) await time(stack, () => serve());

    return {
      url,
      version: php('echo get_bloginfo("version");'),
      stack,
      admin,
      dir,
      php: (code) => php(code),
      async moveClock(offset) {
        await stopServers();
        await serve(offset);
      },
      logs: () => logFiles().map(read).join('\n'),
      logTails: (lines) => {
        // Core's own deprecations under PHP 8 fill debug.log and say nothing about a failure.
        const tail = (name: string, text: string) =>
          `--- ${name}: ${
            text
              .trimEnd()
              .split('\n')
              .filter((line) => !/PHP Deprecated: .* in \S*\/wp-includes\//.test(line))
              .slice(-lines)
              .join('\n') || '(empty)'
          }`;
        const files = logFiles().filter((file) => !file.endsWith('.pid'));
        return [...files.map((file) => tail(file, read(file))), tail('mariadb.log', database.logs())].join('\n');
      },
      timings,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
