// A real headless Chromium loads the package from a page on 127.0.0.1 (a static server started
// here), runs the vectors, and drives AuthSession against a live authd on another port, so CORS
// is exercised for real. Needs /usr/bin/chromium (or CHROMIUM) and the authd binary (AUTHD_BIN,
// default target/debug/authd); test.sh provides both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const ROOT = path.resolve(PACKAGE, '../..');
const VECTORS = path.join(ROOT, 'tests/vectors/vectors.json');
const SESSIONS = path.join(ROOT, 'tests/vectors/sessions.json');
/** The corpus files the page fetches, by URL path. */
const CORPUS = { '/vectors.json': VECTORS, '/sessions.json': SESSIONS };
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const AUTHD_BIN = process.env.AUTHD_BIN || path.join(ROOT, 'target/debug/authd');
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** Serves the package directory (and the corpus at /vectors.json and /sessions.json) on 127.0.0.1. */
function staticServer() {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const file = CORPUS[url.pathname] || path.join(PACKAGE, path.normalize(decodeURIComponent(url.pathname)));
    const inside = Object.values(CORPUS).includes(file) || (file.startsWith(PACKAGE) && !file.includes(`${path.sep}node_modules${path.sep}`));
    if (!inside || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A port that was free a moment ago. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function waitReady(url, child, log) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`authd exited with ${child.exitCode}:\n${log()}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`authd not ready within 30 s:\n${log()}`);
}

test('Chromium: vectors and an AuthSession against a live authd', { timeout: 180_000 }, async (t) => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  assert.ok(existsSync(AUTHD_BIN), `no authd at ${AUTHD_BIN} (cargo build -p authcore-server --bin authd)`);

  const temp = mkdtempSync(path.join(tmpdir(), 'authcore-browser-'));
  const server = await staticServer();
  const staticPort = server.address().port;
  const authdPort = await freePort();
  const secret = randomBytes(32).toString('hex');
  let authdLog = '';
  const authd = spawn(AUTHD_BIN, [], {
    env: {
      ...process.env,
      PORT: String(authdPort),
      AUTHD_BIND: '127.0.0.1',
      AUTHD_DATA_DIR: path.join(temp, 'data'),
      AUTHD_CORS_ORIGINS: `http://127.0.0.1:${staticPort}`,
      AUTHD_JWT_SECRET: secret,
      AUTHD_BCRYPT_COST: '4',
      RUST_LOG: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  authd.stdout.on('data', (d) => { authdLog += d; });
  authd.stderr.on('data', (d) => { authdLog += d; });
  let context;
  t.after(async () => {
    if (context) await context.close().catch(() => {});
    authd.kill('SIGTERM');
    server.close();
    rmSync(temp, { recursive: true, force: true });
  });

  await waitReady(`http://127.0.0.1:${authdPort}/readyz`, authd, () => authdLog);

  context = await chromium.launchPersistentContext(path.join(temp, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const page = context.pages()[0] || (await context.newPage());
  const console_ = [];
  page.on('console', (m) => console_.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => console_.push(`pageerror: ${e.stack || e}`));

  const query = new URLSearchParams({ authd: `http://127.0.0.1:${authdPort}`, secret });
  await page.goto(`http://127.0.0.1:${staticPort}/test/browser/index.html?${query}`);
  await page.waitForFunction(() => window.__done === true, null, { timeout: 120_000 }).catch((e) => {
    throw new Error(`${e.message}\nconsole:\n${console_.join('\n')}`);
  });
  const results = await page.evaluate(() => window.__results);
  const version = context.browser() ? context.browser().version() : await page.evaluate(() => navigator.userAgent);
  t.diagnostic(`Chromium ${version}; ${results.length} checks`);

  assert.ok(results.length > 100, `only ${results.length} results\nconsole:\n${console_.join('\n')}`);
  // Every session scenario of sessions.json ran in the page (none skipped: the page injects the clock).
  const scenarios = JSON.parse(readFileSync(SESSIONS, 'utf8')).scenarios;
  const replayed = results.filter((r) => r.name.startsWith('session scenario: '));
  t.diagnostic(`sessions (chromium): ${replayed.filter((r) => r.ok).length} of ${scenarios.length} scenarios passed`);
  assert.ok(scenarios.length > 0, 'sessions.json has no scenarios');
  assert.equal(replayed.length, scenarios.length, 'every session scenario replayed in Chromium');
  for (const r of results) {
    await t.test(r.name, (st) => {
      assert.ok(r.ok, `${r.detail}\nconsole:\n${console_.join('\n')}`);
    });
  }

  await t.test('two tabs of one origin refresh once (Web Locks + re-read of localStorage)', async () => {
    const tabs = [await context.newPage(), await context.newPage()];
    const tabQuery = new URLSearchParams({ authd: `http://127.0.0.1:${authdPort}` });
    for (const tab of tabs) {
      tab.on('pageerror', (e) => console_.push(`tab pageerror: ${e.stack || e}`));
      await tab.goto(`http://127.0.0.1:${staticPort}/test/browser/tabs.html?${tabQuery}`);
      await tab.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
    }
    assert.equal(await tabs[0].evaluate(() => window.hasWebLocks), true, 'Chromium has navigator.locks');
    await tabs[0].evaluate(() => window.signIn('tabs_user', 'correct-horse-9'));
    // Let the clock move on, so that a refreshed token has more time left than the one it
    // replaces; then ask both tabs for a token with more time left than the current one has.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const left = await tabs[1].evaluate(() => window.secondsLeft());
    const tokens = await Promise.all(tabs.map((tab) => tab.evaluate((ttl) => window.refreshOnce(ttl), left)));
    const calls = await Promise.all(tabs.map((tab) => tab.evaluate(() => window.refreshCalls)));
    assert.equal(calls[0] + calls[1], 1, `refresh calls per tab: ${calls} \nconsole:\n${console_.join('\n')}`);
    assert.equal(tokens[0], tokens[1], 'both tabs use the one refreshed token');
    assert.equal(await tabs[1].evaluate(() => window.accepted()), 200, 'authd accepts the refreshed token');
  });
});
