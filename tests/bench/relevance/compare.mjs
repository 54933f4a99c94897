// Relevance comparison (not part of CTest): lexicon's own search vs Omega (omindex + quest) vs
// Pagefind, on the same queries, mapped to entry slugs by URL. Prepared and started by
// tests/bench/relevance-compare.sh, which builds the site and the indexes; this file only asks.
//
//   node compare.mjs WORK_DIR LEXICON_BINARY REPO_DIR
//
// WORK_DIR holds: site/ (lexicon build incl. .xapian), omega-<variant>.db, pagefind-<variant>/
// (a site copy with pagefind/ inside). The queries are read from tests/test_relevance.cpp, so the
// ctest set and this comparison can never drift apart.
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';

const [work, lexicon, repo] = process.argv.slice(2);
if (!work || !lexicon || !repo) {
  console.error('usage: node compare.mjs WORK_DIR LEXICON_BINARY REPO_DIR');
  process.exit(2);
}
const depth = 10;  // hits asked from every engine, as in tests/test_relevance.cpp
const stemmer = process.env.OMEGA_STEMMER || 'kraaij_pohlmann';

// --- the queries -------------------------------------------------------------------------------
const categoryNames = {
  typo: 'typo', diacritics: 'zonder diakrieten', derived: 'verbogen/afgeleid', english: 'Engels',
  phrase: 'meerwoords', body: 'alleen in tekst',
};
const source = readFileSync(path.join(repo, 'tests/test_relevance.cpp'), 'utf8');
const listStart = source.indexOf('const Case cases[] = {');
const listEnd = source.indexOf('};', listStart);
const cases = [...source.slice(listStart, listEnd).matchAll(
  /\{Category::(\w+),\s*"((?:[^"\\]|\\.)*)",\s*"([^"]+)",\s*(\d+)\}/g)]
  .map(([, category, query, slug, within]) => ({ category, query: JSON.parse(`"${query}"`), slug, within: +within }));
if (listStart < 0 || cases.length < 40) {
  console.error(`could not read the queries from tests/test_relevance.cpp (found ${cases.length})`);
  process.exit(2);
}

// --- URL -> entry slug -------------------------------------------------------------------------
// Alias redirect pages (/begrippen/<alias>/ with a meta refresh) count as their target entry, so
// no engine is punished for returning one (both Omega and Pagefind skip them in practice).
const redirects = new Map();
const begrippen = path.join(work, 'site', 'begrippen');
for (const slug of readdirSync(begrippen)) {
  const file = path.join(begrippen, slug, 'index.html');
  if (!existsSync(file)) continue;
  const m = readFileSync(file, 'utf8').match(/http-equiv="refresh" content="0; url=[^"]*\/begrippen\/([^/"]+)\//);
  if (m) redirects.set(slug, m[1]);
}
function slugOf(url) {
  const m = /\/begrippen\/([^/?#]+)\/(?:index\.html)?(?:[?#].*)?$/.exec(url);
  if (!m) return null;
  return redirects.get(m[1]) ?? m[1];
}
const positionOf = (slugs, slug) => slugs.indexOf(slug) + 1;  // 0 when absent

// --- the engines -------------------------------------------------------------------------------
function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function lexiconSearch(query) {
  const out = JSON.parse(run(lexicon, ['--site', path.join(work, 'site'), 'search', '--json', '--limit', String(depth), query]));
  return { slugs: out.hits.map((h) => (h.type === 'begrip' ? slugOf(h.url) : null)), note: out.corrected ? `gecorrigeerd: ${out.corrected}` : '' };
}

// quest as shipped: BM25, default operator OR, QueryParser default flags (phrase, boolean,
// love/hate), the same stemmer as omindex. With `suggest`, Omega's "Did you mean" (spelling data
// from omindex --spelling) is followed when the query as typed found nothing: what a student gets
// after one click. (Following it always is worse: Xapian also "corrects" words that are fine, e.g.
// tunnel vision -> kunnen visie.)
function omegaSearch(db, query, suggest) {
  const args = ['--db', db, `--stemmer=${stemmer}`, '-m', String(depth), '-f', 'default,spelling_correction'];
  let out = run('quest', [...args, query]);
  let note = '';
  const didYouMean = /^Did you mean: (.*)$/m.exec(out);
  const found = !/^Exactly 0 matches$/m.test(out) && /^url=/m.test(out);
  if (suggest && !found && didYouMean && didYouMean[1].trim() && didYouMean[1].trim() !== query) {
    note = `suggestie: ${didYouMean[1].trim()}`;
    out = run('quest', [...args, didYouMean[1].trim()]);
  }
  const slugs = [...out.matchAll(/^url=(.*)$/gm)].map((m) => slugOf(m[1]));
  return { slugs, note };
}

function serveStatic(root) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
    '.wasm': 'application/wasm' };
  const server = http.createServer((req, res) => {
    let p = path.join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (!p.startsWith(root)) { res.writeHead(403).end(); return; }
    if (existsSync(p) && statSync(p).isDirectory()) p = path.join(p, 'index.html');
    if (!existsSync(p)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': types[path.extname(p)] || 'application/octet-stream' });
    createReadStream(p).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function pagefindSearchAll(browser, root, queries) {
  const server = await serveStatic(root);
  const page = await browser.newPage();
  try {
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    return await page.evaluate(async ({ queries, depth }) => {
      const pagefind = await import('/pagefind/pagefind.js');
      await pagefind.init();
      const answers = [];
      for (const q of queries) {
        const r = await pagefind.search(q);
        const data = await Promise.all(r.results.slice(0, depth).map((x) => x.data()));
        answers.push(data.map((d) => d.url));
      }
      return answers;
    }, { queries, depth });
  } finally {
    await page.close();
    server.close();
  }
}

// --- run ---------------------------------------------------------------------------------------
const engines = [
  { key: 'lexicon', label: 'lexicon', ask: lexiconSearch },
  { key: 'omega-main', label: 'Omega (main)', ask: (q) => omegaSearch(path.join(work, 'omega-main.db'), q, false) },
  { key: 'omega-main+dym', label: 'Omega (main) + "Did you mean" bij 0 hits', ask: (q) => omegaSearch(path.join(work, 'omega-main.db'), q, true) },
  { key: 'omega-page', label: 'Omega (hele pagina)', ask: (q) => omegaSearch(path.join(work, 'omega-page.db'), q, false) },
  { key: 'pagefind-main', label: 'Pagefind (main)', pagefind: path.join(work, 'pagefind-main') },
  { key: 'pagefind-page', label: 'Pagefind (hele pagina)', pagefind: path.join(work, 'pagefind-page') },
];

const results = {};  // engine key -> [{slugs, note}] per case
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  for (const e of engines) {
    if (e.pagefind) {
      const urls = await pagefindSearchAll(browser, e.pagefind, cases.map((c) => c.query));
      results[e.key] = urls.map((list) => ({ slugs: list.map(slugOf), note: '' }));
    } else {
      results[e.key] = cases.map((c) => e.ask(c.query));
    }
  }
} finally {
  await browser.close();
}

// --- report ------------------------------------------------------------------------------------
const categories = Object.keys(categoryNames);
const score = (key, filter) => {
  let top1 = 0, top3 = 0, n = 0;
  cases.forEach((c, i) => {
    if (!filter(c)) return;
    const pos = positionOf(results[key][i].slugs, c.slug);
    n += 1;
    top1 += pos === 1;
    top3 += pos >= 1 && pos <= 3;
  });
  return { top1, top3, n };
};
const cell = ({ top1, top3 }) => `${top1} / ${top3}`;

const lines = [];
lines.push(`| categorie (n) | ${engines.map((e) => e.label).join(' | ')} |`);
lines.push(`|---|${engines.map(() => '---:').join('|')}|`);
for (const cat of categories) {
  const n = cases.filter((c) => c.category === cat).length;
  lines.push(`| ${categoryNames[cat]} (${n}) | ${engines.map((e) => cell(score(e.key, (c) => c.category === cat))).join(' | ')} |`);
}
lines.push(`| **totaal (${cases.length})** | ${engines.map((e) => `**${cell(score(e.key, () => true))}**`).join(' | ')} |`);
const summary = `Top-1 / top-3 (aantal queries waarvoor het verwachte begrip op plaats 1 / in de eerste 3 staat):\n\n${lines.join('\n')}\n`;

const detail = [];
detail.push(`| categorie | query | verwacht | ${engines.map((e) => e.label).join(' | ')} |`);
detail.push(`|---|---|---|${engines.map(() => '---').join('|')}|`);
cases.forEach((c, i) => {
  const cells = engines.map((e) => {
    const r = results[e.key][i];
    const pos = positionOf(r.slugs, c.slug);
    const first = r.slugs.length ? (r.slugs[0] ?? '(geen begrip)') : '(niets)';
    return `${pos ? `#${pos}` : '–'}${pos === 1 ? '' : ` (1e: ${first})`}${r.note ? ` [${r.note}]` : ''}`;
  });
  detail.push(`| ${categoryNames[c.category]} | ${c.query} | ${c.slug} | ${cells.join(' | ')} |`);
});

console.log(summary);
writeFileSync(path.join(work, 'per-query.md'), `${detail.join('\n')}\n`);
writeFileSync(path.join(work, 'summary.md'), summary);
console.log(`Per query: ${path.join(work, 'per-query.md')}`);
