// Browser test: a real JupyterLab server (PyPI) with the installed kale4j kernel and extension,
// driven in Debian's Chromium by playwright-core. Run by scripts/test.d/extension.sh, which sets:
//   JUPYTER_BIN    the `jupyter` executable of the venv
//   TEST_ROOT      the server's root dir (fixture notebooks copied in)
//   TEST_HOME      a fresh dir for Jupyter's config/data/runtime and Chromium's profile
//   OUT            where screenshots go
//   JUPYTER_PATH   includes the prefix where the extension and kernelspec were installed
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import assert from 'node:assert/strict';

const { JUPYTER_BIN, TEST_ROOT, TEST_HOME, OUT } = process.env;
const RUN_TIMEOUT = Number(process.env.RUN_TIMEOUT_MS || 240000);
fs.mkdirSync(OUT, { recursive: true });

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

const sleep = ms => new Promise(r => setTimeout(r, ms));
let shot = 0;
async function screenshot(page, name) {
  const file = path.join(OUT, `${String(++shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  console.log(`  screenshot ${file}`);
}

function step(msg) {
  console.log(`- ${msg}`);
}

const port = await freePort();
const token = randomBytes(16).toString('hex');
// Served under a Kubeflow-style prefix, as the notebook image serves JupyterLab under $NB_PREFIX.
const prefix = '/notebook/kubeflow-user/kale4j';
const base = `http://127.0.0.1:${port}${prefix}`;
const serverLog = fs.openSync(path.join(OUT, 'jupyter-server.log'), 'w');
const server = spawn(
  JUPYTER_BIN,
  [
    'lab', '--no-browser', '--ServerApp.ip=127.0.0.1', `--ServerApp.port=${port}`, '--ServerApp.port_retries=0', '--allow-root',
    `--ServerApp.base_url=${prefix}/`,
    `--IdentityProvider.token=${token}`, `--ServerApp.root_dir=${TEST_ROOT}`, '--LabApp.expose_app_in_browser=True',
    `--LabApp.workspaces_dir=${TEST_HOME}/workspaces`, `--LabApp.user_settings_dir=${TEST_HOME}/settings`
  ],
  { detached: true, stdio: ['ignore', serverLog, serverLog], env: process.env }
);
let browser;
let page;
let failed = false;
try {
  step(`JupyterLab on ${base}`);
  const deadline = Date.now() + 90000;
  for (;;) {
    try {
      const r = await fetch(`${base}/api/status?token=${token}`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline || server.exitCode !== null) throw new Error('JupyterLab did not start; see jupyter-server.log');
    await sleep(500);
  }

  // A fresh profile (--user-data-dir) through launchPersistentContext, which owns that flag.
  browser = await chromium.launchPersistentContext(`${TEST_HOME}/chromium`, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'
    ],
    viewport: { width: 1440, height: 900 }
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  const consoleErrors = [];
  page.on('console', m => {
    if (m.type() === 'error' && /kale4j/i.test(m.text())) consoleErrors.push(m.text());
  });
  page.on('pageerror', e => consoleErrors.push(String(e)));

  // ---- 1. open the sample notebook: every code cell gets a header -------------------------------
  step('open word-stats.ipynb');
  await page.goto(`${base}/lab/tree/word-stats.ipynb?token=${token}`);
  await page.waitForSelector('.jp-NotebookPanel .kale4j-CellHeader', { timeout: 90000 });
  await page.waitForFunction(() => document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .kale4j-CellHeader').length === 9, null, { timeout: 30000 });
  // Wait for the kernel to be idle so that nothing (e.g. a kernel chooser) pops up later.
  await page.waitForSelector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', { timeout: 90000 }).catch(() => undefined);
  const roles = await page.$$eval('.jp-CodeCell .kale4j-role', els => els.map(e => e.textContent));
  assert.deepEqual(roles, ['Imports', 'Functions', 'Pipeline Parameters', 'Step', 'Step', 'Step', 'Step', 'Step', 'Pipeline Metrics']);
  const cellOf = name => page.locator('.jp-CodeCell', { has: page.locator(`.kale4j-step-name:text-is("${name}")`) });
  const border = async loc => loc.evaluate(e => getComputedStyle(e).borderLeftColor);
  const reportCells = cellOf('report');
  assert.equal(await reportCells.count(), 2, 'the untagged cell continues the report step');
  assert.equal(await border(reportCells.nth(0)), await border(reportCells.nth(1)), 'cells of one step share a colour');
  assert.notEqual(await border(cellOf('tokenize')), await border(reportCells.nth(0)), 'steps have different colours');
  assert.match(await reportCells.nth(0).locator('.kale4j-deps').textContent(), /frequencies, lengths/);
  await screenshot(page, 'annotations');

  step('keyboard: Edit opens the editor with Enter, Escape closes it');
  const tokEdit = cellOf('tokenize').locator('.kale4j-edit');
  await tokEdit.focus();
  await page.keyboard.press('Enter');
  await cellOf('tokenize').locator('.kale4j-Editor').waitFor();
  await page.waitForFunction(() => document.activeElement?.classList.contains('kale4j-role-select'));
  await page.keyboard.press('Escape');
  await cellOf('tokenize').locator('.kale4j-Editor').waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.activeElement?.classList.contains('kale4j-edit'));
  assert.equal(await page.locator('.jp-Notebook.jp-mod-editMode').count(), 0, 'the notebook stayed in command mode');

  // ---- 2. change a cell's step with the editor: lengths -> word_lengths -------------------------
  step('rename step lengths to word_lengths with the editor');
  const lengths = cellOf('lengths');
  await lengths.locator('.kale4j-edit').click();
  const editor = lengths.locator('.kale4j-Editor');
  await editor.waitFor();
  const nameInput = editor.locator('.kale4j-step-input');
  await nameInput.fill('Word Lengths');
  assert.match(await editor.locator('.kale4j-field-error').textContent(), /not a valid step name.*"word_lengths"/);
  assert.equal(await editor.locator('.kale4j-apply').isDisabled(), true, 'invalid names cannot be applied');
  await nameInput.fill('frequencies');
  assert.match(await editor.locator('.kale4j-field-error').textContent(), /already exists/);
  await nameInput.fill('word_lengths');
  await editor.locator('.kale4j-gpu-count').fill('1');
  await screenshot(page, 'editor');
  await editor.locator('.kale4j-apply').click();
  await cellOf('word_lengths').waitFor();
  assert.match(await cellOf('word_lengths').locator('.kale4j-gpu').textContent(), /GPU 1/);
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.kale4j-deps')].some(e => e.textContent.includes('frequencies, word_lengths')));
  // The GPU request is only for the screenshot; take it back (local runs have no GPUs).
  await cellOf('word_lengths').locator('.kale4j-edit').click();
  await cellOf('word_lengths').locator('.kale4j-gpu-count').fill('0');
  await cellOf('word_lengths').locator('.kale4j-gpu-count').press('Enter');
  await page.waitForFunction(() => !document.querySelector('.kale4j-gpu'));
  await screenshot(page, 'renamed');

  // ---- 3. the pipeline panel -----------------------------------------------------------------------
  step('pipeline panel');
  await page.locator('.jp-SideBar .lm-TabBar-tab[data-id="kale4j-pipeline-panel"]').click();
  const panel = page.locator('#kale4j-pipeline-panel');
  await panel.locator('.kale4j-Panel-fields').waitFor();
  assert.equal(await panel.locator('[data-field="pipeline_name"]').inputValue(), 'word-stats');
  assert.equal(await panel.locator('[data-field="experiment_name"]').inputValue(), 'examples');
  const targetOptions = await panel.locator('[data-field="target"] option').evaluateAll(os => os.map(o => [o.value, o.disabled]));
  assert.deepEqual(targetOptions.find(o => o[0] === 'local'), ['local', false], 'Local is always a target');
  // No cluster here: once the kernel has answered `targets`, Argo and KFP are disabled with its reason.
  const argoOption = panel.locator('[data-field="target"] option[value="argo"][title]');
  await argoOption.waitFor({ state: 'attached', timeout: 60000 });
  const cluster = await panel.locator('[data-field="target"] option').evaluateAll(os => os.map(o => [o.value, o.disabled, o.title]));
  assert.deepEqual(cluster.filter(o => !o[1]).map(o => o[0]), ['local'], 'only Local is enabled without a cluster');
  assert.match(cluster.find(o => o[0] === 'argo')[2], /kubeconfig|cluster|Argo/i, 'Argo says why it is not available');
  assert.match(await panel.locator('[data-field="target-hint"]').textContent(), /Runs locally/);
  await panel.locator('[data-field="experiment_name"]').fill('ui-test');
  await panel.locator('[data-field="experiment_name"]').press('Tab');
  await panel.locator('[data-field="katib_run"]').check();
  await panel.locator('[data-field="katib-top-min"]').waitFor();
  await panel.locator('[data-field="katib-top-min"]').fill('1');
  await panel.locator('[data-field="katib-top-max"]').fill('5');
  await panel.locator('[data-field="katib-top-max"]').press('Tab');
  await screenshot(page, 'panel');
  await panel.locator('[data-field="katib_run"]').uncheck();

  // ---- 4. Compile & Run from the notebook toolbar --------------------------------------------------
  step('Compile & Run');
  // Record every status word the run view shows, to check that it is live (Running, then Succeeded).
  await page.evaluate(() => {
    window.kale4jSeen = new Set();
    new MutationObserver(() => {
      for (const n of document.querySelectorAll('.kale4j-dag-node')) window.kale4jSeen.add(`${n.dataset.step}:${n.dataset.status}`);
      if (document.querySelector('.kale4j-RunView .kale4j-stop')) window.kale4jSeen.add('stop-button');
    }).observe(document.body, { subtree: true, childList: true });
  });
  await page.locator('.jp-NotebookPanel-toolbar').getByText('Compile & Run', { exact: true }).click();
  const panelError = '#kale4j-pipeline-panel .kale4j-Panel-status[data-kind="error"]';
  await page.waitForSelector(`.kale4j-RunView .kale4j-dag-node, ${panelError}`, { timeout: 120000 });
  if (await page.locator(panelError).count()) {
    throw new Error(`Compile & Run failed: ${await page.locator(panelError).textContent()}`);
  }
  await screenshot(page, 'run-started');
  const saved = JSON.parse(fs.readFileSync(path.join(TEST_ROOT, 'word-stats.ipynb'), 'utf8'));
  const savedTags = saved.cells.map(c => (c.metadata.tags || []).join(' '));
  assert.ok(savedTags.includes('step:word_lengths prev:tokenize'), `saved tags: ${JSON.stringify(savedTags)}`);
  assert.ok(savedTags.includes('step:report prev:frequencies prev:word_lengths'), `saved tags: ${JSON.stringify(savedTags)}`);
  assert.equal(saved.metadata.kubeflow_notebook.experiment_name, 'ui-test');
  assert.deepEqual(saved.metadata.kubeflow_notebook.katib_metadata.parameters[0].feasibleSpace, { min: '1', max: '5' });
  try {
    await page.waitForFunction(() => {
      const nodes = [...document.querySelectorAll('.kale4j-RunView .kale4j-dag-node')];
      return nodes.length === 4 && nodes.every(n => n.querySelector('.kale4j-dag-status').textContent === 'Succeeded');
    }, null, { timeout: RUN_TIMEOUT });
  } catch (e) {
    await screenshot(page, 'run-not-succeeded');
    throw e;
  }
  const seen = await page.evaluate(() => [...window.kale4jSeen]);
  assert.ok(seen.filter(x => x.endsWith(':Running')).length >= 2, `live statuses seen: ${seen.join(' ')}`);
  assert.ok(seen.includes('stop-button'), 'Stop is offered while the run goes on');
  const nodes = await page.$$eval('.kale4j-dag-node', ns => ns.map(n => `${n.dataset.step}:${n.dataset.status}`));
  assert.deepEqual(nodes.sort(), ['frequencies:Succeeded', 'report:Succeeded', 'tokenize:Succeeded', 'word_lengths:Succeeded']);
  assert.equal(await page.locator('.kale4j-dag-edge').count(), 4);
  await page.waitForSelector('.kale4j-RunView-header [data-run-status="Succeeded"]', { timeout: 30000 });
  assert.equal(await page.locator('.kale4j-RunView .kale4j-stop').count(), 0, 'no Stop once the run is over');
  const metricNames = await page.$$eval('.kale4j-RunView-details .kale4j-metrics th', ths => ths.map(t => t.textContent).sort());
  assert.deepEqual(metricNames, ['distinct', 'meanLength'], 'pipeline metrics when done');
  await screenshot(page, 'run-succeeded');

  // ---- 5. restore one step: its files into a folder (over the comm), then its variables -------------
  step('restore step tokenize (chosen with the keyboard): files into a folder');
  await page.locator('.kale4j-dag-node[data-step="tokenize"]').focus();
  await page.keyboard.press('Enter');
  await page.locator('.kale4j-restore-files').waitFor();
  await page.waitForFunction(() => !document.querySelector('.kale4j-logs')?.textContent.startsWith('Loading'), null, { timeout: 30000 });
  const runId = await page.$eval('.kale4j-RunView-header .kale4j-muted', e => e.textContent.match(/run (\S+)/)[1]);
  const restoreFolder = `restored/${runId}/tokenize`;
  assert.equal(await page.locator('.kale4j-restore-folder').inputValue(), restoreFolder, 'the default folder names run and step');
  assert.equal(await page.locator('.kale4j-restore-when').inputValue(), 'after');
  await page.locator('.kale4j-restore-files').click();
  await page.waitForFunction(() => /^Restored \d+ files? into /.test(document.querySelector('.kale4j-restore-result')?.textContent || ''), null, { timeout: 60000 })
    .catch(async () => {
      await screenshot(page, 'restore-files-failed');
      throw new Error(`restore files: ${await page.locator('.kale4j-restore-result').textContent()}`);
    });
  assert.match(await page.locator('.kale4j-restore-result').textContent(), new RegExp(`into ${restoreFolder}\\.`));
  // The files are there for Jupyter (contents API) and on disk: tokens.txt, written by step tokenize.
  const listing = await (await fetch(`${base}/api/contents/${restoreFolder}?content=1&token=${token}`)).json();
  assert.equal(listing.type, 'directory', JSON.stringify(listing));
  assert.deepEqual(listing.content.map(f => f.name), ['tokens.txt'], JSON.stringify(listing.content));
  const tokensFile = await (await fetch(`${base}/api/contents/${restoreFolder}/tokens.txt?content=1&token=${token}`)).json();
  assert.equal(tokensFile.content.split('\n')[0], 'the', 'the restored file holds the step\'s tokens');
  assert.ok(fs.existsSync(path.join(TEST_ROOT, restoreFolder, 'tokens.txt')));
  await screenshot(page, 'restored-files');

  step('restore step tokenize: variables into the kernel');
  await page.locator('.kale4j-restore-variables').click();
  await page.waitForFunction(() => /^Restored\./.test(document.querySelector('.kale4j-restore-result')?.textContent || ''), null, { timeout: 60000 })
    .catch(async () => {
      await screenshot(page, 'restore-failed');
      throw new Error(`restore: ${await page.locator('.kale4j-restore-result').textContent()}`);
    });
  assert.match(await page.locator('.kale4j-restore-result').textContent(), /tokens/, 'the variables of tokenize are restored');
  await screenshot(page, 'restored');

  step('the panel lists the run; it reopens after its view is closed');
  await page.locator('#kale4j-pipeline-panel .kale4j-runs summary').click();
  const runLink = page.locator(`#kale4j-pipeline-panel button[data-run="${runId}"]`);
  await runLink.waitFor({ timeout: 30000 });
  await page.locator('.lm-TabBar-tab', { hasText: `Run word-stats ${runId}` }).locator('.lm-TabBar-tabCloseIcon').click();
  await page.locator('.kale4j-RunView').waitFor({ state: 'detached' });
  await runLink.click();
  await page.waitForSelector('.kale4j-RunView .kale4j-dag-node[data-step="report"][data-status="Succeeded"]', { timeout: 30000 });

  // ---- 6. dark theme ---------------------------------------------------------------------------------
  step('dark theme');
  await page.evaluate(() => window.jupyterapp.commands.execute('apputils:change-theme', { theme: 'JupyterLab Dark' }));
  await page.waitForSelector('body[data-jp-theme-light="false"]', { state: 'attached', timeout: 30000 });
  await sleep(500);
  await screenshot(page, 'dark-run');
  const darkText = await page.$eval('.kale4j-dag-node text', e => getComputedStyle(e).fill);
  const darkBg = await page.$eval('.kale4j-RunView', e => getComputedStyle(e).backgroundColor);
  assert.notEqual(darkText, darkBg, 'text is readable on the dark background');

  // ---- 7. validation errors point at the cell; deleting a step's last cell removes its references ----
  step('broken.ipynb: validation points at the cell');
  await page.evaluate(() => window.jupyterapp.commands.execute('docmanager:open', { path: 'broken.ipynb' }));
  await page.waitForFunction(() => [...document.querySelectorAll('.kale4j-problem')].some(e => e.textContent.includes('lenghts')), null, { timeout: 60000 });
  await page.locator('#kale4j-pipeline-panel .kale4j-Panel-notebook:text-is("broken.ipynb")').waitFor();
  await page.locator('#kale4j-pipeline-panel .kale4j-compile-run').click();
  await page.waitForSelector('#kale4j-pipeline-panel .kale4j-Panel-status[data-kind="error"]');
  assert.match(await page.locator('#kale4j-pipeline-panel .kale4j-Panel-status').textContent(), /Cell 8: tag "prev:lenghts": no step is named "lenghts"; did you mean "prev:lengths"\?/);
  const nb2 = page.locator('.jp-NotebookPanel', { has: page.locator('.kale4j-problem', { hasText: 'lenghts' }) });
  assert.equal(await nb2.count(), 1);
  const highlighted = page.locator('.jp-Cell.kale4j-highlight');
  await highlighted.waitFor();
  assert.equal(await highlighted.locator('.kale4j-step-name').first().textContent(), 'report');
  assert.equal(await page.locator('.jp-Dialog').count(), 0, 'no dialogs for validation errors');
  await screenshot(page, 'dark-validation');

  step('delete the only cell of step frequencies');
  const freq = nb2.locator('.jp-CodeCell', { has: page.locator('.kale4j-step-name:text-is("frequencies")') });
  await freq.locator('.jp-InputPrompt').click();
  await page.keyboard.press('Escape');
  await page.keyboard.press('d');
  await page.keyboard.press('d');
  await freq.waitFor({ state: 'detached' });
  const report = nb2.locator('.jp-CodeCell', { has: page.locator('.kale4j-step-name:text-is("report")') }).first();
  for (let i = 0; i < 50 && (await report.locator('.kale4j-deps').textContent()).includes('frequencies'); i++) await sleep(200);
  assert.equal((await report.locator('.kale4j-deps').textContent()).trim(), '\u2190 lenghts', 'references to the deleted step are gone');
  assert.equal(await nb2.locator('.jp-Cell.kale4j-highlight .kale4j-step-name').first().textContent(), 'report');
  assert.equal(await nb2.locator('.jp-Cell.kale4j-highlight .kale4j-muted').count(), 0, 'the highlight stays on the first report cell');
  await screenshot(page, 'dark-deleted-step');

  assert.deepEqual(consoleErrors, [], 'no kale4j errors in the browser console');
  console.log('browser test passed');
} catch (e) {
  failed = true;
  console.error('browser test FAILED:', e);
  if (page) {
    await screenshot(page, 'failure').catch(() => undefined);
    const status = await page.locator('#kale4j-pipeline-panel .kale4j-Panel-status').textContent().catch(() => '');
    console.error(`panel status: ${status}`);
  }
} finally {
  await browser?.close().catch(() => undefined);
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  await sleep(1000);
  try {
    process.kill(-server.pid, 'SIGKILL');
  } catch {
    // gone
  }
}
process.exit(failed ? 1 : 0);
