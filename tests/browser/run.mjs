// Browser tests for the generated site, run by `bash .ci/test` (see README).
//
// Builds the real content into a temporary site, serves it with `lexicon serve`, and drives
// Debian's chromium (never a downloaded browser) with playwright-core:
//   - axe-core, WCAG 2.1 AA tags, no rules disabled: every page type, light and dark, 375 and 1280 px;
//   - keyboard only: Tab reaches the search box and every link, each with a visible focus outline;
//   - the search box's suggestions are reachable with the keyboard when the page offers them;
//   - no request leaves the server (no fonts or assets from other hosts);
//   - the heaviest entry page with its CSS and scripts stays under 60 kB;
//   - screenshots of every page type at both widths go to tests/browser/screenshots/ (CI output);
//   - every generated HTML file (plus the server-rendered search results and 404) is valid per
//     the Nu Html Checker (vnu-jar, run with Debian's java).
// Exit status 0 when everything passes, 1 on any failure, 2 when the environment is missing.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const widths = [375, 1280];
const schemes = ['light', 'dark'];
const axeTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const maxEntryBytes = 60 * 1024;
const screenshotDir = path.join(here, 'screenshots');

const failures = [];
const fail = (msg) => { failures.push(msg); console.log(`  FAIL ${msg}`); };

function findLexicon() {
  const candidates = [process.env.LEXICON, path.join(repo, '.build/generator/lexicon'), path.join(repo, 'build/generator/lexicon')];
  const found = candidates.filter((p) => p && existsSync(p));
  if (!found.length) {
    console.error('lexicon binary not found (set LEXICON or build .build/ first)');
    process.exit(2);
  }
  // The most recently built binary is the one the developer means.
  return found.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
    srv.on('error', reject);
  });
}

async function waitForServer(url, child) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`lexicon serve exited with ${child.exitCode}`);
    try { const r = await fetch(url); if (r.ok) return; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('lexicon serve did not start');
}

function htmlFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...htmlFiles(p));
    else if (name.endsWith('.html')) out.push(p);
  }
  return out;
}

// Axe on one loaded page; returns nothing, records failures.
async function checkAxe(page, label) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const result = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`) }));
  }, axeTags);
  for (const v of result) fail(`${label}: axe ${v.id} (${v.help})\n      ${v.nodes.join('\n      ')}`);
  return result.length;
}

// Tabs through the whole page; every visible link and the search box must receive focus, each
// with a visible outline.
async function checkKeyboard(page, label) {
  const expected = await page.evaluate(() => {
    const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden' && !el.closest('[inert]');
    const els = [...document.querySelectorAll('a[href], input:not([type=hidden]), button, summary, [tabindex]:not([tabindex="-1"])')].filter(visible);
    els.forEach((el, i) => el.setAttribute('data-kb', String(i)));
    return els.map((el) => ({ id: el.getAttribute('data-kb'), tag: el.tagName.toLowerCase(), text: (el.textContent || el.getAttribute('aria-label') || el.name || '').trim().slice(0, 40), search: el.matches('input[type=search]') }));
  });
  if (!expected.some((e) => e.search)) fail(`${label}: no search box on the page`);
  await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
  const reached = new Set();
  const noOutline = [];
  const limit = expected.length + 25;
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const s = getComputedStyle(el);
      const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
      const shadow = s.boxShadow && s.boxShadow !== 'none';
      const r = el.getBoundingClientRect();
      const inView = r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
      return { id: el.getAttribute('data-kb'), visibleFocus: (outline || shadow) && inView, text: (el.textContent || el.name || '').trim().slice(0, 40) };
    });
    if (!info) { if (reached.size) break; continue; }
    if (info.id !== null) {
      if (reached.has(info.id)) break;  // wrapped around
      reached.add(info.id);
    }
    if (!info.visibleFocus) noOutline.push(info.text || info.id);
  }
  const missed = expected.filter((e) => !reached.has(e.id));
  if (missed.length) fail(`${label}: Tab never reaches ${missed.length} of ${expected.length}: ${missed.slice(0, 8).map((m) => `${m.tag} "${m.text}"`).join(', ')}`);
  if (noOutline.length) fail(`${label}: focus not visible on ${noOutline.length}: ${noOutline.slice(0, 8).join(', ')}`);
  return reached.size;
}

// When the search box offers suggestions (a combobox), the keyboard must be able to reach them.
async function checkSuggestions(page, label) {
  const box = page.locator('input[type=search][role=combobox]').first();
  if (!(await box.count())) return false;
  await box.focus();
  await box.fill('');
  await page.keyboard.type('pres', { delay: 20 });
  const listId = await box.getAttribute('aria-controls');
  try {
    await page.waitForFunction((id) => { const l = id && document.getElementById(id); return l && !l.hidden && l.querySelector('[role=option]'); }, listId, { timeout: 3000 });
  } catch {
    fail(`${label}: typing in the search box shows no suggestions`);
    return true;
  }
  await page.keyboard.press('ArrowDown');
  const active = await page.evaluate(() => {
    const el = document.activeElement;
    const id = el && el.getAttribute('aria-activedescendant');
    const opt = id ? document.getElementById(id) : (el && el.getAttribute('role') === 'option' ? el : null);
    return opt ? opt.textContent.trim() : null;
  });
  if (!active) fail(`${label}: ArrowDown does not move to a suggestion`);
  await page.keyboard.press('Escape');
  return true;
}

// Link previews (preview.js): focus and hover show the target's summary, Escape closes it.
async function checkPreview(page, label) {
  const link = page.locator('.body a[data-preview]').first();
  if (!(await link.count())) { fail(`${label}: no link previews (preview.js did not run)`); return; }
  const state = () => page.evaluate(() => {
    const t = document.getElementById('linkvoorbeeld');
    const a = document.activeElement;
    return { visible: !!t && !t.hidden && t.getBoundingClientRect().height > 0, text: t ? t.textContent : '',
      role: t && t.getAttribute('role'), describedby: a && a.getAttribute('aria-describedby'), want: a && a.getAttribute('data-preview') };
  });
  await link.focus();
  let s = await state();
  if (!s.visible || s.role !== 'tooltip' || s.describedby !== 'linkvoorbeeld' || !s.want || s.text !== s.want) fail(`${label}: focusing a link shows no preview of its target (${JSON.stringify(s)})`);
  await page.keyboard.press('Escape');
  s = await state();
  if (s.visible || s.describedby) fail(`${label}: Escape does not close the link preview`);
  await link.blur();
  await link.hover();
  await page.waitForTimeout(600);
  if (!(await state()).visible) fail(`${label}: hovering a link shows no preview`);
  await page.mouse.move(0, 0);
}

async function main() {
  const lexicon = findLexicon();
  if (!existsSync(chromiumPath)) { console.error(`${chromiumPath} not found (apt-get install chromium)`); process.exit(2); }
  const { chromium } = require('playwright-core');

  const work = mkdtempSync(path.join(os.tmpdir(), 'lexicon-browser-'));
  const site = path.join(work, 'site');
  console.log(`build: ${lexicon} -> ${site}`);
  const build = spawnSync(lexicon, ['--content', path.join(repo, 'content'), '--templates', path.join(repo, 'templates'), '--site', site, 'build'], { encoding: 'utf8' });
  if (build.status !== 0) { console.error(build.stdout, build.stderr); process.exit(2); }
  // The same content with A–Z as an overview and a page per letter (what a lexicon of az_per_letter_from
  // entries or more gets), served beside it.
  const lettersContent = path.join(work, 'content-letters');
  cpSync(path.join(repo, 'content'), lettersContent, { recursive: true });
  appendFileSync(path.join(lettersContent, 'lexicon.yaml'), '\naz_per_letter_from: 0\n');
  const lettersSite = path.join(work, 'site-letters');
  const lettersBuild = spawnSync(lexicon, ['--content', lettersContent, '--templates', path.join(repo, 'templates'), '--site', lettersSite, 'build'], { encoding: 'utf8' });
  if (lettersBuild.status !== 0) { console.error(lettersBuild.stdout, lettersBuild.stderr); process.exit(2); }

  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = spawn(lexicon, ['--site', site, 'serve', '--port', String(port), '--host', '127.0.0.1'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const lettersPort = await freePort();
  const lettersOrigin = `http://127.0.0.1:${lettersPort}`;
  const lettersServer = spawn(lexicon, ['--site', lettersSite, 'serve', '--port', String(lettersPort), '--host', '127.0.0.1'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
  try {
    await waitForServer(`${origin}/`, server);
    await waitForServer(`${lettersOrigin}/`, lettersServer);
    const firstTheme = readdirSync(path.join(site, 'themas')).filter((n) => statSync(path.join(site, 'themas', n)).isDirectory()).sort()[0];
    const pages = [
      ['home', '/'],
      ['entry', '/begrippen/presentie/'],
      ['a-z', '/a-z/'],
      ['theme', `/themas/${firstTheme}/`],
      ['sources', '/bronnen/'],
      ['search', '/zoeken/?q=presentie'],
      ['404', '/bestaat-niet/'],
      ['a-z-letters', '/a-z/', lettersOrigin],
      ['a-z-letter', '/a-z/p/', lettersOrigin],
    ];
    rmSync(screenshotDir, { recursive: true, force: true });
    mkdirSync(screenshotDir, { recursive: true });

    for (const scheme of schemes) {
      for (const width of widths) {
        const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme, reducedMotion: 'reduce' });
        const foreign = [];
        await context.route('**/*', (route) => {
          const u = new URL(route.request().url());
          if (u.origin !== origin && u.origin !== lettersOrigin) { foreign.push(u.href); return route.abort(); }
          return route.continue();
        });
        const page = await context.newPage();
        const consoleErrors = [];
        page.on('pageerror', (e) => consoleErrors.push(String(e)));
        for (const [name, url, pageOrigin = origin] of pages) {
          const label = `${name} ${scheme} ${width}px`;
          const resp = await page.goto(pageOrigin + url, { waitUntil: 'load' });
          const wantStatus = name === '404' ? 404 : 200;
          if (resp.status() !== wantStatus) fail(`${label}: HTTP ${resp.status()}, expected ${wantStatus}`);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
          if (overflow > 1) fail(`${label}: page scrolls horizontally by ${overflow}px`);
          await page.screenshot({ path: path.join(screenshotDir, `${name}-${width}-${scheme}.png`), fullPage: true });
          const violations = await checkAxe(page, label);
          let tabbed = 0;
          let suggestions = false;
          if (scheme === 'light') {
            await page.goto(pageOrigin + url, { waitUntil: 'load' });  // fresh, without axe in the page
            tabbed = await checkKeyboard(page, label);
            if (width === 1280) suggestions = await checkSuggestions(page, label);
            if (name === 'entry') await checkPreview(page, label);
          }
          console.log(`${label}: ${violations} axe violations${scheme === 'light' ? `, ${tabbed} elements reached by Tab${suggestions ? ', suggestions checked' : ''}` : ''}`);
        }
        if (foreign.length) fail(`${scheme} ${width}px: requests to other hosts: ${[...new Set(foreign)].join(', ')}`);
        if (consoleErrors.length) fail(`${scheme} ${width}px: script errors: ${consoleErrors.join('; ')}`);
        await context.close();
      }
    }

    // Weight: the heaviest entry page with everything it loads.
    const entries = readdirSync(path.join(site, 'begrippen'))
      .map((slug) => path.join(site, 'begrippen', slug, 'index.html'))
      .filter((p) => existsSync(p))
      .sort((a, b) => statSync(b).size - statSync(a).size);
    const heaviest = path.basename(path.dirname(entries[0]));
    {
      const context = await browser.newContext();
      const page = await context.newPage();
      let bytes = 0;
      const loaded = [];
      page.on('response', async (r) => {
        try { const b = await r.body(); bytes += b.length; loaded.push(`${new URL(r.url()).pathname} ${b.length}`); } catch { /* redirects have no body */ }
      });
      await page.goto(`${origin}/begrippen/${heaviest}/`, { waitUntil: 'networkidle' });
      await context.close();
      console.log(`weight: /begrippen/${heaviest}/ with its assets: ${bytes} bytes (${loaded.join(', ')})`);
      if (bytes >= maxEntryBytes) fail(`weight: /begrippen/${heaviest}/ loads ${bytes} bytes, limit ${maxEntryBytes}`);
    }

    // HTML validity: every generated page plus what the server renders itself.
    const served = path.join(work, 'served');
    mkdirSync(served);
    for (const [name, url] of [['search', '/zoeken/?q=presentie'], ['search-empty', '/zoeken/?q=xyzzyqq'], ['404', '/bestaat-niet/']]) {
      const r = await fetch(origin + url);
      writeFileSync(path.join(served, `${name}.html`), await r.text());
    }
    const lettersAz = path.join(lettersSite, 'a-z');
    const files = htmlFiles(site).length + htmlFiles(lettersAz).length;
    const vnu = spawnSync('java', ['-jar', require.resolve('vnu-jar/build/dist/vnu.jar'), '--errors-only', '--skip-non-html', site, lettersAz, served], { encoding: 'utf8' });
    if (vnu.error) fail(`vnu: ${vnu.error.message} (apt-get install default-jre-headless)`);
    else if (vnu.status !== 0) fail(`vnu: invalid HTML\n${(vnu.stderr + vnu.stdout).split('\n').slice(0, 40).join('\n')}`);
    console.log(`vnu: ${files} generated pages and 3 served pages checked`);
  } finally {
    await browser.close();
    server.kill();
    lettersServer.kill();
    rmSync(work, { recursive: true, force: true });
  }

  if (failures.length) {
    console.log(`\n${failures.length} browser test failure(s)`);
    process.exit(1);
  }
  console.log(`\nbrowser tests passed; screenshots in ${path.relative(process.cwd(), screenshotDir) || '.'}`);
}

main().catch((e) => { console.error(e); process.exit(2); });
