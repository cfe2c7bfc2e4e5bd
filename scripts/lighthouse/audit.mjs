// Lighthouse (mobile, simulated throttling) over the pages named in a JSON file: each page RUNS
// times, the median score of each category kept; prints a table and exits 1 when a median is
// below the bar. Called by run.sh, which starts the site and writes the file:
//   [{"name": "首页", "url": "http://127.0.0.1:8765/", "cookie": "sessionid=…"}, …]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import puppeteer from "puppeteer-core";

const BAR = Number(process.env.LIGHTHOUSE_BAR || 0.95);
const RUNS = Number(process.env.LIGHTHOUSE_RUNS || 3);
const CATEGORIES = ["performance", "accessibility", "best-practices"];
// As the browser tests start Chromium (tests/browser/conftest.py), headless.
const FLAGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// LIGHTHOUSE_PAGES=驾驶舱,登录 audits only those pages.
const only = (process.env.LIGHTHOUSE_PAGES || "").split(",").filter(Boolean);
const pages = JSON.parse(readFileSync(process.argv[2], "utf-8")).filter((p) => !only.length || only.includes(p.name));
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  chromeFlags: FLAGS,
});
// The session goes into the browser's cookie jar, as a signed-in phone has it: Lighthouse keeps
// cookies across runs (it resets only storage and cache), so the jar is emptied before each run;
// a Cookie header (extraHeaders) would be overridden by whatever cookie an earlier page set.
const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
async function tab(page) {
  const tab = await browser.newPage();
  const cdp = await tab.createCDPSession();
  await cdp.send("Network.clearBrowserCookies");
  if (page.cookie) {
    const [name, ...value] = page.cookie.split("=");
    await cdp.send("Network.setCookie", { name, value: value.join("="), url: new URL("/", page.url).href });
  }
  return tab;
}
const rows = [];
let failed = false;
try {
  for (const page of pages) {
    const scores = Object.fromEntries(CATEGORIES.map((c) => [c, []]));
    const misses = new Set();
    const fcp = [], tbt = [], bytes = [];
    for (let i = 0, retries = 2; i < RUNS; i++) {
      const target = await tab(page);
      const result = await lighthouse(page.url, {
        logLevel: "error",
        output: "json",
        onlyCategories: CATEGORIES,
        // Unscored and slow: the back/forward-cache check navigates away and back, the screenshots.
        disableFullPageScreenshot: true,
        skipAudits: ["bf-cache", "screenshot-thumbnails", "final-screenshot"],
      }, undefined, target);
      await target.close();
      const lhr = result.lhr;
      // LIGHTHOUSE_REPORTS=dir keeps each run's full report (JSON) there.
      if (process.env.LIGHTHOUSE_REPORTS) {
        mkdirSync(process.env.LIGHTHOUSE_REPORTS, { recursive: true });
        writeFileSync(`${process.env.LIGHTHOUSE_REPORTS}/${new URL(page.url).pathname.replace(/\W+/g, "_")}-${i}.json`, result.report);
      }
      // A trace lost on a busy machine (NO_NAVSTART and the like) is run again, twice at most.
      if (lhr.runtimeError && retries-- > 0) {
        console.error(`${page.name}: ${lhr.runtimeError.code}, once more`);
        i--;
        continue;
      }
      if (lhr.runtimeError) throw new Error(`${page.name}: ${lhr.runtimeError.message}`);
      for (const c of CATEGORIES) {
        scores[c].push(lhr.categories[c].score);
        for (const ref of lhr.categories[c].auditRefs) {
          const audit = lhr.audits[ref.id];
          if (ref.weight > 0 && audit.score !== null && audit.score < 0.9) {
            const first = audit.details && audit.details.items && audit.details.items[0];
            misses.add(`${c}:${ref.id}${first && (first.url || first.source) ? ` (${first.url || first.source})` : ""}`);
          }
        }
      }
      fcp.push(lhr.audits["first-contentful-paint"].numericValue);
      tbt.push(lhr.audits["total-blocking-time"].numericValue);
      bytes.push(lhr.audits["total-byte-weight"].numericValue);
    }
    const row = { page: page.name, url: new URL(page.url).pathname };
    for (const c of CATEGORIES) {
      row[c] = median(scores[c]);
      if (row[c] < BAR) failed = true;
    }
    row.fcp = Math.round(median(fcp));
    row.tbt = Math.round(median(tbt));
    row.kb = Math.round(median(bytes) / 1024);
    row.misses = [...misses].join(" ");
    rows.push(row);
    console.error(`${page.name}: ${CATEGORIES.map((c) => scores[c].join("/")).join("  ")}`);
  }
} finally {
  await browser.disconnect();
  await chrome.kill();
}

// Pad to n columns, a Chinese character taking two.
const pad = (s, n) => String(s) + " ".repeat(Math.max(0, n - [...String(s)].reduce((w, c) => w + (c > "\u2e80" ? 2 : 1), 0)));
console.log(`\nLighthouse ${RUNS}× mobile, medians (bar ${BAR}):`);
console.log(`${pad("page", 10)} ${pad("path", 22)} perf  a11y  best  FCP ms  TBT ms  KB     below 0.9`);
for (const r of rows) {
  console.log(
    `${pad(r.page, 10)} ${pad(r.url, 22)} ${r.performance.toFixed(2)}  ${r.accessibility.toFixed(2)}  ` +
      `${r["best-practices"].toFixed(2)}  ${pad(r.fcp, 6)}  ${pad(r.tbt, 6)}  ${pad(r.kb, 5)}  ${r.misses}`,
  );
}
if (failed) {
  console.log(`\nA median below ${BAR}: see the audits named above.`);
  process.exit(1);
}
