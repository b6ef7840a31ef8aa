/**
 * Real headless Chromium (Debian's /usr/bin/chromium, installed by .ci/run) driven by
 * playwright-core, with a fresh profile per launch and nothing that phones home. Every request
 * the page makes is recorded, so tests can prove none leaves the server under test; one for
 * any other host is aborted before it goes out and recorded in `blocked`, so a stray font or
 * script fails the test rather than quietly reaching the internet from a developer's machine.
 */
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { tempDir } from './tmp.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested, in order. */
  requests: string[];
  /** Every request as `METHOD url`, in order (what the dashboard asked of the API). */
  calls: string[];
  /** Requests to a host other than this machine, aborted before they went out. */
  blocked: string[];
  /** Console errors and uncaught page errors. */
  errors: string[];
  close(): Promise<void>;
}

/** The hosts a test server listens on; a request to any other is blocked. */
const LOCAL_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

export async function openBrowser(opts: { colorScheme?: 'light' | 'dark' } = {}): Promise<Browser> {
  const context = await chromium.launchPersistentContext(tempDir('chromium-profile-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
    colorScheme: opts.colorScheme ?? 'light',
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const requests: string[] = [];
  const calls: string[] = [];
  const blocked: string[] = [];
  const errors: string[] = [];
  await context.route(
    (url) => !LOCAL_HOSTS.has(url.hostname),
    (route) => {
      blocked.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  context.on('request', (r) => {
    requests.push(r.url());
    calls.push(`${r.method()} ${r.url()}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.setDefaultTimeout(15_000);
  return { context, page, requests, calls, blocked, errors, close: () => context.close() };
}

// Page-side checks are built from source text: they run in the browser, and the test program
// is type-checked without the DOM's types.
type ElementCheck = (el: unknown) => unknown;
const inPage = (body: string) => new Function('el', body) as ElementCheck;

/** Whether the element has keyboard focus. */
export async function hasFocus(l: import('playwright-core').Locator): Promise<boolean> {
  return (await l.evaluate(inPage('return el === document.activeElement'))) as boolean;
}

/** The element's outline as `style width` (what a focused control shows). */
export async function outlineOf(l: import('playwright-core').Locator): Promise<string> {
  return (await l.evaluate(inPage('const s = getComputedStyle(el); return s.outlineStyle + " " + s.outlineWidth'))) as string;
}
