// `lexicon serve --watch` in a real browser, run by `bash .ci/test` (see README):
//   - an entry page open in Debian's headless chromium shows an edit of that entry within a second;
//   - a broken entry shows the error overlay with file:line:col (as text, never as HTML), while the
//     page underneath and a search keep working; fixing it reloads the page and the overlay is gone.
// Exit status 0 when everything passes, 1 on any failure, 2 when the environment is missing.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const failures = [];
const check = (ok, msg) => { console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${msg}`); if (!ok) failures.push(msg); };

function findLexicon() {
  const candidates = [process.env.LEXICON, path.join(repo, '.build/generator/lexicon'), path.join(repo, 'build/generator/lexicon')];
  const found = candidates.filter((p) => p && existsSync(p));
  if (!found.length) { console.error('lexicon binary not found (set LEXICON)'); process.exit(2); }
  return path.resolve(found.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]);
}

const freePort = () => new Promise((resolve, reject) => {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  srv.on('error', reject);
});

async function main() {
  if (!existsSync(chromiumPath)) { console.error(`${chromiumPath} not found`); process.exit(2); }
  const lexicon = findLexicon();
  const work = mkdtempSync(path.join(os.tmpdir(), 'lexicon-watch-'));
  cpSync(path.join(repo, 'tests/fixtures/good/content'), path.join(work, 'content'), { recursive: true });
  cpSync(path.join(repo, 'templates'), path.join(work, 'templates'), { recursive: true });
  const port = await freePort();
  let log = '';
  const server = spawn(lexicon, ['serve', '--watch', '--port', String(port)], { cwd: work });
  server.stderr.on('data', (d) => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  const { chromium } = require('playwright-core');
  let browser;
  try {
    for (let i = 0; i < 200 && !log.includes('site op http'); i++) await new Promise((r) => setTimeout(r, 50));
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
    const page = await browser.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(`${base}/begrippen/de-klik/`);
    await page.waitForFunction(() => document.readyState === 'complete');
    await new Promise((r) => setTimeout(r, 300));  // the event stream connects
    const file = path.join(work, 'content/begrippen/de-klik.md');
    const original = readFileSync(file, 'utf8');

    // 1. An edit shows in the open page within a second.
    let start = Date.now();
    writeFileSync(file, original.replace('De klik is het moment', 'De klik is het bijzondere moment'));
    let updated = true;
    try {
      await page.waitForFunction(() => document.body.textContent.includes('bijzondere moment'), null, { timeout: 1000 });
    } catch { updated = false; }
    check(updated, `edit visible in the open page within 1 s (${Date.now() - start} ms)`);

    // 2. A broken entry: overlay with file:line:col, as text.
    start = Date.now();
    writeFileSync(file, original.replace('De klik is het moment', 'De klik <b>vet</b> is [[bestaat-niet]] het moment'));
    let overlay = true;
    try {
      await page.waitForSelector('#lexicon-live-fouten', { timeout: 1000 });
    } catch { overlay = false; }
    check(overlay, `error overlay within 1 s (${Date.now() - start} ms)`);
    const text = overlay ? await page.textContent('#lexicon-live-fouten') : '';
    check(/content\/begrippen\/de-klik\.md:\d+:\d+: error: onbekende verwijzing \[\[bestaat-niet\]\]/.test(text),
      `overlay names file:line:col: ${JSON.stringify(text.slice(0, 160))}`);
    check(await page.$('#lexicon-live-fouten b') === null, 'overlay text is not parsed as HTML');
    check((await page.textContent('h1')).includes('De klik'), 'the page underneath is still there');
    const search = await page.evaluate(async () => (await fetch('/api/search?q=klik')).status);
    check(search === 200, `search answers while the content is broken (${search})`);

    // 3. Fixed: the page reloads with the new text, no overlay.
    start = Date.now();
    writeFileSync(file, original.replace('De klik is het moment', 'De klik is weer het moment'));
    let fixed = true;
    try {
      await page.waitForFunction(() => document.body.textContent.includes('weer het moment') &&
        !document.getElementById('lexicon-live-fouten'), null, { timeout: 1500 });
    } catch { fixed = false; }
    check(fixed, `fixed entry reloads without overlay (${Date.now() - start} ms)`);
    check(pageErrors.length === 0, `no script errors ${pageErrors.join('; ')}`);

    // The built files themselves carry no live-reload script.
    const built = readFileSync(path.join(work, 'site/begrippen/de-klik/index.html'), 'utf8');
    check(!built.includes('_live/events'), 'built files have no live-reload script');
  } finally {
    if (browser) await browser.close();
    server.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
  if (failures.length) {
    console.log(`watch: ${failures.length} failure(s)\n--- lexicon serve --watch log ---\n${log}`);
    process.exit(1);
  }
  console.log(`watch: all checks passed\n--- log ---\n${log}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
