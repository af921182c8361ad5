// Browser end-to-end tests of Balai in headless Chromium (Debian's /usr/bin/chromium), driven by
// playwright-core. Starts `balai serve --demo` on a fresh temporary SQLite database, then walks the
// demo flows of the README like people would, by clicking links and posting forms:
//   1. letters: a resident signs up, the operator confirms, the resident requests an SKTM with
//      attachments, the operator verifies, the kepala desa signs, the resident downloads the PDF
//      and opens the verification page;
//   2. reports: an anonymous report, verified and disposed to Dinas PUPR, answered and closed by
//      the office, rated by the reporter on the tracking page;
//   3. public information: the village portal and a DIP page, a request extended once and granted
//      with its written notice, another refused, objected to and answered by the atasan PPID, the
//      annual report, and the poster whose QR code opens the portal;
//   4. assisted filing: the pendamping files an SKTM for an elderly resident with her consent;
//   5. every citizen page on a 390×844 phone: a full-page screenshot (artifacts/*.png) and no
//      horizontal overflow.
// Citizens' and staff's browser contexts run with JavaScript disabled: the pages must work by
// plain links and form posts.
//
// Environment: BALAI_BIN (default ../target/debug/balai), CHROMIUM (default /usr/bin/chromium),
// E2E_ARTIFACTS (default e2e/artifacts), E2E_KEEP=1 keeps the temporary database directory.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.resolve(here, process.env.BALAI_BIN || '../target/debug/balai');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = path.resolve(process.env.E2E_ARTIFACTS || path.join(here, 'artifacts'));
const PHONE_WIDTH = 390;
const VILLAGE = '32.07.06.2001';
const RESIDENT = { nik: '3207065208950002', name: 'Euis Nurhayati', masked: 'E*** N********', email: 'euis@contoh.id', phone: '0812-3456-7890', password: 'rahasia-sekali-e2e' };
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// ---------- reporting ----------

const results = []; // { name, ok, error? }
const warnings = [];
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;

/** Runs one named step; a failure is recorded and rethrown so the flow stops there. */
async function step(name, fn) {
  try {
    const value = await fn();
    results.push({ name, ok: true });
    console.log(`  ok   ${name}  (${elapsed()})`);
    return value;
  } catch (error) {
    results.push({ name, ok: false, error });
    console.log(`  FAIL ${name}  (${elapsed()})\n${indent(String(error?.stack || error))}`);
    throw new StepFailed(name);
  }
}
class StepFailed extends Error {}
const indent = (s) => s.split('\n').map((l) => `       ${l}`).join('\n');

/** Runs a flow; a failing step ends the flow but not the run. */
async function flow(name, fn) {
  console.log(`\n== ${name}`);
  try {
    await fn();
  } catch (error) {
    if (!(error instanceof StepFailed)) {
      results.push({ name: `${name} (unexpected error)`, ok: false, error });
      console.log(`  FAIL ${name}: ${error?.stack || error}`);
    } else {
      console.log(`  (the rest of "${name}" was skipped)`);
    }
  }
}

// ---------- the server ----------

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function startServer() {
  if (!fs.existsSync(BIN)) throw new Error(`Balai binary not found at ${BIN} (build it: cargo build -p balai-web --bin balai, or set BALAI_BIN)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'balai-e2e-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // Only our own BALAI_* settings: a developer's SMTP or database variables must not leak in.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BALAI_')));
  Object.assign(env, {
    BALAI_DATABASE_URL: `sqlite://${dir}/balai.db`,
    BALAI_LISTEN: `127.0.0.1:${port}`,
    BALAI_SECRET_KEY_FILE: `${dir}/secret.key`,
    BALAI_PUBLIC_URL: base,
    BALAI_OUTBOX_POLL_SECONDS: '60',
  });
  const child = spawn(BIN, ['serve', '--demo'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = fs.createWriteStream(path.join(ARTIFACTS, 'server.log'));
  let stdout = '';
  child.stdout.on('data', (d) => { stdout += d; log.write(d); });
  child.stderr.on('data', (d) => log.write(d));
  let exited = null;
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => { exited = { code, signal }; resolve(); }));
  const server = { child, dir, base, log, exit, passwords: {} };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`balai serve exited early (${JSON.stringify(exited)}); see ${ARTIFACTS}/server.log`);
    if (Date.now() > deadline) throw new Error(`no answer on ${base}/healthz within 30 s; see ${ARTIFACTS}/server.log`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) break;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  // "  admin.ciamis         X9H8GrxxWdnV7bcT   admin_kabupaten  32.07", printed before it listens.
  for (const line of stdout.split('\n')) {
    const m = line.match(/^\s+([a-z]+\.[a-z]+)\s+(\S+)\s+([a-z_]+)\s+(\S+)\s*$/);
    if (m) server.passwords[m[1]] = m[2];
  }
  for (const user of ['operator.sukamulya', 'kades.sukamulya', 'admin.ciamis', 'pupr.ciamis', 'ppid.sukamulya', 'pendamping.sukamulya']) {
    if (!server.passwords[user]) throw new Error(`no demo password for ${user} in the server's output:\n${stdout}`);
  }
  return server;
}

async function stopServer(server) {
  if (!server) return;
  if (server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGTERM');
    const killed = await Promise.race([server.exit.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
    if (!killed) {
      server.child.kill('SIGKILL');
      await server.exit;
    }
  }
  server.log.end();
  if (process.env.E2E_KEEP) console.log(`database kept in ${server.dir}`);
  else fs.rmSync(server.dir, { recursive: true, force: true });
}

// ---------- files to upload, made here ----------

/** A small but valid one-page PDF (xref offsets computed). */
function tinyPdf(text) {
  const content = `BT /F1 18 Tf 20 50 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 120] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const at of offsets) out += `${String(at).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** Real JPEG and PNG images, drawn and encoded by Chromium itself. */
async function makeImages(browser) {
  const context = await browser.newContext({ viewport: { width: 160, height: 100 } });
  const page = await context.newPage();
  await page.setContent('<body style="margin:0"><div style="width:160px;height:100px;background:linear-gradient(90deg,#0b5d3b,#ffbf47);font:bold 20px sans-serif;color:#fff">KTP e2e</div></body>');
  const jpeg = await page.screenshot({ type: 'jpeg', quality: 80 });
  const png = await page.screenshot({ type: 'png' });
  await context.close();
  assert.equal(jpeg.subarray(0, 3).toString('hex'), 'ffd8ff');
  assert.equal(png.subarray(0, 8).toString('hex'), '89504e470d0a1a0a');
  return { jpeg, png };
}

// ---------- page helpers ----------

/** Clicks something that loads a new page (link or form submit) and waits for it to load. */
async function go(page, locator, expectUrl) {
  const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 15_000 });
  navigated.catch(() => {}); // if the click fails, its error is the one to report
  await locator.click();
  await navigated;
  await page.waitForLoadState('load');
  await checkTitle(page);
  if (expectUrl) assertUrl(page, expectUrl);
}

/** A warning (not a failure) when a page's <title> shows markup, as a stray template block would. */
async function checkTitle(page) {
  const title = await page.title();
  if (/[<>]/.test(title)) {
    const warning = `${new URL(page.url()).pathname}: the page title contains markup: ${JSON.stringify(title.slice(0, 100))}…`;
    if (!warnings.includes(warning)) warnings.push(warning);
  }
}

function assertUrl(page, expected) {
  const { pathname, search } = new URL(page.url());
  const actual = pathname + search;
  const ok = expected instanceof RegExp ? expected.test(actual) : actual === expected;
  assert.ok(ok, `expected to be on ${expected}, but the browser is on ${actual}`);
}

async function visit(page, pathAndQuery) {
  const res = await page.goto(new URL(pathAndQuery, page.context().__base).href);
  assert.ok(res && res.status() < 400, `GET ${pathAndQuery}: HTTP ${res?.status()}`);
  await checkTitle(page);
}

/** Asserts the page's main text contains each string. */
async function expectText(page, ...needles) {
  const text = await page.locator('body').innerText();
  for (const n of needles) {
    const ok = n instanceof RegExp ? n.test(text) : text.includes(n);
    assert.ok(ok, `expected ${n} on ${page.url()}; the page says:\n${text.slice(0, 3000)}`);
  }
  return text;
}

/** Fails with the page's error summary, if it shows one (a refused form). */
async function noFormErrors(page) {
  const summary = page.locator('.error-summary, .error-message');
  if (await summary.count()) {
    const text = await summary.allInnerTexts();
    assert.fail(`the form was refused on ${page.url()}: ${text.join(' | ')}`);
  }
}

const shots = [];
/** A full-page phone screenshot of a citizen page, and the 390 px no-overflow check. */
async function capture(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  shots.push({ name, url: new URL(page.url()).pathname, scrollWidth });
  await checkTitle(page);
  // Recorded as its own result: a layout problem does not stop the flow.
  const check = `${name}: no horizontal overflow at ${PHONE_WIDTH} px`;
  if (scrollWidth <= PHONE_WIDTH) {
    results.push({ name: check, ok: true });
    return;
  }
  // Name the elements that stick out, to find the CSS to fix.
  const wide = await page.evaluate((w) => [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > w + 0.5)
    .slice(0, 5)
    .map((e) => `<${e.tagName.toLowerCase()}${e.className ? ` class="${e.className}"` : ''}> right=${Math.round(e.getBoundingClientRect().right)}`), PHONE_WIDTH);
  const error = new Error(`${page.url()} is ${scrollWidth} px wide; sticking out: ${wide.join(', ')}`);
  results.push({ name: check, ok: false, error });
  console.log(`  FAIL ${check}\n${indent(error.message)}`);
}

async function newContext(browser, base, kind) {
  const options = kind === 'phone'
    ? { viewport: { width: PHONE_WIDTH, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
    : { viewport: { width: 1280, height: 900 } };
  const context = await browser.newContext({ ...options, javaScriptEnabled: false, locale: 'id-ID', acceptDownloads: true });
  context.__base = base;
  context.setDefaultTimeout(15_000);
  return context;
}

async function staffLogin(browser, server, username) {
  const context = await newContext(browser, server.base, 'desktop');
  const page = await context.newPage();
  await visit(page, '/masuk');
  await page.getByLabel('Nama pengguna').fill(username);
  await page.getByLabel('Kata sandi').fill(server.passwords[username]);
  await go(page, page.getByRole('button', { name: 'Masuk' }), '/staf');
  await expectText(page, 'Selamat datang');
  return page;
}

/** From the staff home to Desa Sukamulya's staff page. */
async function openVillageAsStaff(page) {
  await visit(page, '/staf');
  await go(page, page.getByRole('link', { name: /— Desa Sukamulya/ }), `/staf/desa/${VILLAGE}`);
}

// ---------- flow 1: letters ----------

async function letterFlow(browser, server, files) {
  const resident = await (await newContext(browser, server.base, 'phone')).newPage();
  let operator;
  let requestUrl;

  await step('home page lists the villages; the kecamatan and village pages open by links', async () => {
    await visit(resident, '/');
    await expectText(resident, 'Layanan publik Kabupaten Ciamis', 'Kecamatan Cihaurbeuti');
    await capture(resident, '01-home');
    await resident.locator('summary', { hasText: 'Kecamatan Cihaurbeuti' }).click(); // <details>, no JS
    await go(resident, resident.getByRole('link', { name: 'Lihat kecamatan Cihaurbeuti' }), '/wilayah/32.07.06');
    await expectText(resident, 'Kecamatan Cihaurbeuti', 'Desa Sukamulya');
    await capture(resident, '02-region-kecamatan');
    await go(resident, resident.getByRole('link', { name: 'Desa Sukamulya' }), `/desa/${VILLAGE}`);
    await expectText(resident, 'Desa Sukamulya', 'Layanan surat daring', 'Jl. Raya Sukamulya');
    await capture(resident, '03-village');
  });

  await step('resident signs up from the village page', async () => {
    await go(resident, resident.getByRole('link', { name: 'Daftar akun warga' }), `/warga/daftar?desa=${VILLAGE}`);
    await expectText(resident, 'Daftar akun warga', 'Sukamulya');
    await capture(resident, '04-warga-daftar');
    await resident.getByLabel('NIK').fill(RESIDENT.nik);
    await resident.getByLabel('Nama lengkap').fill(RESIDENT.name);
    await resident.getByLabel('Nomor HP (WhatsApp)').fill(RESIDENT.phone);
    await resident.getByLabel('Email').fill(RESIDENT.email);
    await resident.getByLabel(/^Kata sandi/).fill(RESIDENT.password);
    await resident.getByLabel('Ketik ulang kata sandi').fill(RESIDENT.password);
    await go(resident, resident.getByRole('button', { name: 'Daftar' }));
    await noFormErrors(resident);
    assertUrl(resident, '/warga?pesan=terdaftar');
    await expectText(resident, `Halo, ${RESIDENT.name}`, 'Pendaftaran berhasil', 'menunggu konfirmasi kantor desa');
    await capture(resident, '05-warga-beranda-menunggu');
  });

  await step('operator confirms the sign-up against the population register', async () => {
    operator = await staffLogin(browser, server, 'operator.sukamulya');
    await openVillageAsStaff(operator);
    await go(operator, operator.getByRole('link', { name: 'Pendaftaran warga' }), `/staf/desa/${VILLAGE}/warga`);
    const card = operator.locator('section.card', { hasText: RESIDENT.nik });
    await expectText(operator, RESIDENT.name, RESIDENT.nik);
    assert.match(await card.innerText(), /Di data penduduk\s+Euis Nurhayati/, 'the register name is shown next to the sign-up');
    await go(operator, card.getByRole('button', { name: 'Konfirmasi' }), `/staf/desa/${VILLAGE}/warga?pesan=dikonfirmasi`);
    await expectText(operator, 'Akun warga dikonfirmasi', 'Tidak ada pendaftaran yang menunggu');
  });

  await step('resident signs out and in again with NIK and password', async () => {
    await go(resident, resident.getByRole('button', { name: 'Keluar' }), '/');
    await go(resident, resident.getByRole('link', { name: 'Layanan warga' }), /^\/warga\/masuk/);
    await expectText(resident, 'Masuk ke layanan warga');
    await capture(resident, '06-warga-masuk');
    await resident.getByLabel('NIK').fill(RESIDENT.nik);
    await resident.getByLabel('Kata sandi').fill(RESIDENT.password);
    await go(resident, resident.getByRole('button', { name: 'Masuk' }), '/warga');
    await expectText(resident, `Halo, ${RESIDENT.name}`, 'Belum ada permohonan');
    await capture(resident, '07-warga-beranda');
  });

  await step('resident requests an SKTM with KTP (JPEG), KK (PNG) and RT/RW letter (PDF)', async () => {
    await go(resident, resident.getByRole('link', { name: 'Ajukan surat' }), '/warga/ajukan');
    await capture(resident, '08-warga-pilih-surat');
    await go(resident, resident.getByRole('link', { name: 'Surat Keterangan Tidak Mampu' }), '/warga/ajukan/sktm');
    await capture(resident, '09-warga-form-sktm');
    await resident.getByLabel('Penghasilan keluarga per bulan').fill('750000');
    await resident.getByLabel('Jumlah tanggungan').fill('4');
    await resident.getByLabel('Keperluan').fill('Pendaftaran beasiswa anak');
    await resident.getByLabel('Foto KTP').setInputFiles({ name: 'ktp.jpg', mimeType: 'image/jpeg', buffer: files.jpeg });
    await resident.getByLabel('Foto Kartu Keluarga').setInputFiles({ name: 'kk.png', mimeType: 'image/png', buffer: files.png });
    await resident.getByLabel('Surat pengantar RT/RW').setInputFiles({ name: 'pengantar.pdf', mimeType: 'application/pdf', buffer: files.pdf });
    await go(resident, resident.getByRole('button', { name: 'Kirim permohonan' }));
    await noFormErrors(resident);
    assertUrl(resident, /^\/warga\/permohonan\/[^/?]+\?pesan=terkirim$/);
    requestUrl = resident.url().split('?')[0];
    await expectText(resident, 'Permohonan terkirim', 'Diajukan', 'ktp.jpg', 'kk.png', 'pengantar.pdf', 'Pendaftaran beasiswa anak');
    await capture(resident, '10-warga-permohonan');
  });

  await step('operator opens the request from the queue and verifies it', async () => {
    await openVillageAsStaff(operator);
    await go(operator, operator.getByRole('link', { name: 'Layanan surat' }), `/staf/desa/${VILLAGE}/surat`);
    await go(operator, operator.getByRole('link', { name: RESIDENT.name }), /^\/staf\/surat\/[^/?]+$/);
    await expectText(operator, 'Surat Keterangan Tidak Mampu', RESIDENT.nik, 'ktp.jpg', 'kk.png', 'pengantar.pdf');
    await go(operator, operator.getByRole('button', { name: 'Verifikasi', exact: true }), /\?pesan=tersimpan$/);
    await expectText(operator, 'Menunggu tanda tangan');
  });

  await step('kepala desa signs it from the queue', async () => {
    const kades = await staffLogin(browser, server, 'kades.sukamulya');
    await openVillageAsStaff(kades);
    await go(kades, kades.getByRole('link', { name: 'Layanan surat' }), `/staf/desa/${VILLAGE}/surat`);
    await kades.getByRole('checkbox', { name: `Pilih permohonan ${RESIDENT.name}` }).check();
    await go(kades, kades.getByRole('button', { name: 'Tandatangani yang dipilih' }), `/staf/desa/${VILLAGE}/surat/tandatangani`);
    await expectText(kades, 'Hasil tanda tangan', 'Terbit');
    await kades.context().close();
  });

  let verifyHref;
  await step('resident sees the letter issued and downloads the PDF', async () => {
    await visit(resident, requestUrl);
    const text = await expectText(resident, 'Surat Anda sudah terbit', 'Selesai');
    assert.match(text, /Nomor 400\.9\.14\/001\//, 'the letter number is shown');
    await capture(resident, '11-warga-permohonan-terbit');
    const downloaded = resident.waitForEvent('download');
    await resident.getByRole('link', { name: 'Unduh surat (PDF)' }).click();
    const download = await downloaded;
    const file = path.join(ARTIFACTS, 'surat-sktm.pdf');
    await download.saveAs(file);
    const pdf = fs.readFileSync(file);
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-', 'the download is a PDF');
    assert.ok(pdf.length > 10_000, `the letter PDF is only ${pdf.length} bytes`);
    assert.match(download.suggestedFilename(), /^surat-.*\.pdf$/);
    verifyHref = await resident.getByRole('link', { name: 'Periksa keaslian surat' }).getAttribute('href');
    assert.match(verifyHref, /^\/v\/[^/]+$/);
  });

  await step('the verification page (the QR code\'s address) says the letter is genuine', async () => {
    await go(resident, resident.getByRole('link', { name: 'Periksa keaslian surat' }), verifyHref);
    await expectText(resident, 'Verifikasi surat', 'SAH', 'Surat ini diterbitkan oleh Desa Sukamulya',
      'Tanda tangan elektronik desa cocok dengan isi surat', 'Surat Keterangan Tidak Mampu', RESIDENT.masked);
    const text = await resident.locator('main').innerText();
    assert.ok(!text.includes(RESIDENT.nik) && !text.includes(RESIDENT.name), 'no NIK or full name on the public verification page');
    await capture(resident, '12-verifikasi');
    // Anyone holding the paper (no session) gets the same answer.
    const stranger = await (await newContext(browser, server.base, 'phone')).newPage();
    await visit(stranger, verifyHref);
    await expectText(stranger, 'SAH', 'Surat ini diterbitkan oleh Desa Sukamulya');
    await stranger.context().close();
  });

  // The evaluation dashboard before and after the resident rates the service.
  const responsesOf = async (page) => {
    const figures = await page.locator('dl.figures').innerText();
    const m = figures.match(/(\d+) responden/);
    assert.ok(m, `no respondent count on ${page.url()}: ${figures}`);
    return Number(m[1]);
  };
  let admin;
  let before;
  await step('admin.ciamis opens the evaluation dashboard from the staff home and drills down to Desa Sukamulya', async () => {
    admin = await staffLogin(browser, server, 'admin.ciamis');
    await go(admin, admin.getByRole('link', { name: 'Dasbor evaluasi Kabupaten Ciamis' }), '/staf/evaluasi/32.07');
    await expectText(admin, 'Per kecamatan', 'Per unit penanganan', 'Per bulan', 'Angka dihitung');
    await go(admin, admin.getByRole('link', { name: 'Kecamatan Cihaurbeuti' }), /^\/staf\/evaluasi\/32\.07\.06\?tahun=\d{4}$/);
    await go(admin, admin.getByRole('link', { name: 'Desa Sukamulya' }), /^\/staf\/evaluasi\/32\.07\.06\.2001\?tahun=\d{4}$/);
    before = await responsesOf(admin);
  });

  await step('the resident answers the satisfaction survey from the link of the finished request', async () => {
    await visit(resident, requestUrl);
    await go(resident, resident.getByRole('link', { name: 'Isi survei kepuasan' }), /^\/survei\/surat\//);
    const questions = resident.locator('fieldset');
    assert.equal(await questions.count(), 9, 'nine unsur');
    for (let i = 0; i < 9; i++) await questions.nth(i).getByRole('radio').nth(3).check();
    await go(resident, resident.getByRole('button', { name: 'Kirim penilaian' }), '/survei/terima-kasih');
    await expectText(resident, 'Terima kasih');
    await visit(resident, requestUrl);
    assert.equal(await resident.getByRole('link', { name: 'Isi survei kepuasan' }).count(), 0, 'answered once: no more invitation');
  });

  await step('the dashboard counts the answer; the tables download as CSV and XLSX; the public summary fits a phone', async () => {
    await admin.reload();
    assert.equal(await responsesOf(admin), before + 1, 'one more respondent for Desa Sukamulya');
    const csv = admin.waitForEvent('download');
    await admin.getByRole('link', { name: 'Unduh tabel ini (CSV)' }).first().click();
    assert.match((await csv).suggestedFilename(), /^dasbor-3207062001-\d{4}-opd\.csv$/);
    const xlsx = admin.waitForEvent('download');
    await admin.getByRole('link', { name: 'Unduh semua tabel (XLSX)' }).click();
    assert.match((await xlsx).suggestedFilename(), /\.xlsx$/);
    await visit(resident, '/wilayah/32.07.06/ringkasan');
    await expectText(resident, 'Ringkasan kinerja layanan Kecamatan Cihaurbeuti', 'Per desa/kelurahan', 'Desa Sukamulya');
    await capture(resident, '13-ringkasan-kecamatan');
    await admin.context().close();
  });

  await operator?.context().close();
  await resident.context().close();
}

// ---------- flow 2: reports ----------

async function reportFlow(browser, server, files) {
  const reporter = await (await newContext(browser, server.base, 'phone')).newPage();
  const title = 'Jalan desa berlubang di Dusun Cibodas';
  let code; // ABCDE-FGHJK as shown

  await step('anonymous report via /lapor shows its tracking code', async () => {
    await visit(reporter, '/');
    await go(reporter, reporter.getByRole('link', { name: 'Kirim pengaduan atau aspirasi' }), '/lapor');
    await capture(reporter, '13-lapor-form');
    await reporter.getByRole('radio', { name: 'Pengaduan', exact: true }).check();
    await reporter.getByLabel('Desa/kelurahan').selectOption({ label: 'Sukamulya' });
    await reporter.getByLabel('Kategori').selectOption({ label: 'Pekerjaan Umum dan Penataan Ruang' });
    await go(reporter, reporter.getByRole('button', { name: 'Lanjut' }), '/lapor/langkah');
    await noFormErrors(reporter);
    await expectText(reporter, 'Langkah 2 dari 5');
    await reporter.getByLabel('Judul').fill(title);
    await reporter.getByLabel('Uraian').fill('Jalan desa sepanjang 200 meter berlubang sejak musim hujan; motor sering tergelincir.');
    await go(reporter, reporter.getByRole('button', { name: 'Lanjut' }), '/lapor/langkah');
    await reporter.getByLabel('Alamat atau patokan').fill('Depan SD Negeri 1 Cibodas');
    // Back and forward again: what was typed stays.
    await go(reporter, reporter.getByRole('button', { name: 'Kembali' }), '/lapor/langkah');
    assert.equal(await reporter.getByLabel('Judul').inputValue(), title, 'going back keeps the title');
    await go(reporter, reporter.getByRole('button', { name: 'Lanjut' }), '/lapor/langkah');
    await reporter.getByLabel('Alamat atau patokan').fill('Depan SD Negeri 1 Cibodas');
    await go(reporter, reporter.getByRole('button', { name: 'Lanjut' }), '/lapor/langkah');
    await expectText(reporter, 'Langkah 4 dari 5');
    await reporter.getByLabel('Email').fill('pelapor-e2e@example.org');
    await reporter.getByRole('checkbox', { name: /^Anonim/ }).check();
    await go(reporter, reporter.getByRole('button', { name: 'Lanjut' }), '/lapor/langkah');
    await noFormErrors(reporter);
    await expectText(reporter, 'Periksa kembali laporan Anda', title, 'Depan SD Negeri 1 Cibodas', 'Anonim');
    await reporter.getByLabel('Berkas 1', { exact: true }).setInputFiles({ name: 'jalan.jpg', mimeType: 'image/jpeg', buffer: files.jpeg });
    await capture(reporter, '13b-lapor-periksa');
    await go(reporter, reporter.getByRole('button', { name: 'Kirim laporan' }));
    await noFormErrors(reporter);
    assertUrl(reporter, /^\/lapor\/lacak\/[0-9A-Z]{10}\?baru=1$/);
    const text = await expectText(reporter, 'Laporan Anda terkirim', 'Simpan kode pelacakan ini', title, 'jalan.jpg', 'Anonim');
    code = (await reporter.locator('strong.code').innerText()).trim();
    assert.match(code, /^[0-9A-Z]{5}-[0-9A-Z]{5}$/, `tracking code shown as ABCDE-FGHJK, got ${code}`);
    assert.equal(code.replace('-', ''), new URL(reporter.url()).pathname.split('/').pop());
    assert.ok(text.includes('Kode pelacakan'));
    await capture(reporter, '14-lapor-terkirim');
  });

  let reportPath;
  await step('admin.ciamis verifies it and disposes it to Dinas PUPR', async () => {
    const admin = await staffLogin(browser, server, 'admin.ciamis');
    await go(admin, admin.getByRole('link', { name: 'Kotak laporan' }), '/staf/lapor');
    await expectText(admin, 'Menunggu verifikasi (1)');
    await go(admin, admin.getByRole('link', { name: title }), /^\/staf\/lapor\/[^/?]+$/);
    reportPath = new URL(admin.url()).pathname;
    await expectText(admin, title, 'pelapor-e2e@example.org');
    await admin.getByLabel('Teruskan kepada').selectOption({ label: 'Dinas Pekerjaan Umum dan Penataan Ruang' });
    await admin.getByLabel('Tingkat penyelesaian').selectOption({ value: 'normatif' });
    await go(admin, admin.getByRole('button', { name: 'Verifikasi dan disposisikan' }));
    await noFormErrors(admin);
    await expectText(admin, 'Dinas Pekerjaan Umum dan Penataan Ruang');
    await admin.context().close();
  });

  const answer = 'Tim pemeliharaan jalan akan menambal lubang pekan ini.';
  const done = 'Sudah ditambal dan dipadatkan.';
  await step('pupr.ciamis answers it, then answers and closes it', async () => {
    const pupr = await staffLogin(browser, server, 'pupr.ciamis');
    await go(pupr, pupr.getByRole('link', { name: 'Kotak laporan' }), '/staf/lapor');
    await expectText(pupr, 'Didisposisikan kepada kami (1)');
    await go(pupr, pupr.getByRole('link', { name: title }), reportPath);
    const text = await expectText(pupr, title);
    assert.ok(!text.includes('pelapor-e2e@example.org'), 'the office does not see an anonymous reporter\'s contact');
    await pupr.getByLabel('Tanggapan').fill(answer);
    await go(pupr, pupr.getByRole('button', { name: 'Kirim tanggapan' }));
    await noFormErrors(pupr);
    await expectText(pupr, answer);
    await pupr.getByLabel('Tanggapan').fill(done);
    await go(pupr, pupr.getByRole('button', { name: 'Kirim dan tandai selesai' }));
    await noFormErrors(pupr);
    await expectText(pupr, done, 'Selesai');
    await pupr.context().close();
  });

  await step('the reporter finds it by code, sees the answer and rates it', async () => {
    await visit(reporter, '/');
    await go(reporter, reporter.getByRole('link', { name: 'Lacak laporan' }), '/lapor/lacak');
    await reporter.getByLabel('Kode pelacakan').fill(code.toLowerCase()); // any case
    await go(reporter, reporter.getByRole('button', { name: 'Lacak' }), `/lapor/lacak/${code.replace('-', '')}`);
    await expectText(reporter, title, answer, done, 'Nilai penanganan');
    await reporter.getByRole('radio', { name: '5', exact: true }).check();
    await reporter.getByLabel('Catatan (boleh kosong)').fill('Cepat dan jelas, terima kasih.');
    await go(reporter, reporter.getByRole('button', { name: 'Kirim penilaian' }));
    await noFormErrors(reporter);
    await expectText(reporter, 'Penilaian pelapor', '5 dari 5');
    assert.equal(await reporter.getByRole('button', { name: 'Kirim penilaian' }).count(), 0, 'rated once: the form is gone');
    await capture(reporter, '15-lapor-lacak');
  });

  await step('the public list shows it, never the reporter; the performance page is there', async () => {
    await visit(reporter, '/');
    await go(reporter, reporter.getByRole('link', { name: 'Laporan warga' }), '/lapor/publik');
    const list = await expectText(reporter, title);
    assert.ok(!list.includes('pelapor-e2e@example.org'));
    await capture(reporter, '16-lapor-publik');
    await go(reporter, reporter.getByRole('link', { name: title }), /^\/lapor\/publik\/[^/?]+$/);
    const page = await expectText(reporter, title, answer);
    assert.ok(!page.includes('pelapor-e2e@example.org') && !page.includes(code), 'no contact, no tracking code in public');
    await capture(reporter, '17-lapor-publik-laporan');
    // The figures are recomputed at most once a minute (a year of reports is read for them), so
    // a report filed seconds ago need not be counted yet; the use-case tests check the figures.
    await visit(reporter, '/lapor/kinerja');
    await expectText(reporter, 'Kinerja penanganan laporan', 'dihitung ulang paling lama setiap menit', 'Per instansi');
    await capture(reporter, '18-lapor-kinerja');
  });

  await reporter.context().close();
}

// ---------- flow 3: public information (PPID) ----------

/** A visitor asks the village PPID for information from the portal; returns the tracking code. */
async function askPpid(visitor, information) {
  await visit(visitor, `/desa/${VILLAGE}`);
  await go(visitor, visitor.getByRole('link', { name: 'Informasi publik Sukamulya' }), `/desa/${VILLAGE}/ppid`);
  await go(visitor, visitor.getByRole('link', { name: 'Minta informasi', exact: true }), `/desa/${VILLAGE}/ppid/minta`);
  await visitor.getByLabel('Rincian informasi yang dibutuhkan').fill(information);
  await visitor.getByLabel('Tujuan penggunaan informasi').fill('Bahan musyawarah kelompok tani');
  await visitor.getByRole('radio', { name: 'Mendapatkan salinan (softcopy)' }).check();
  await visitor.getByRole('radio', { name: 'Email', exact: true }).check();
  await visitor.getByLabel('Nama lengkap').fill('Rina Marlina');
  await visitor.getByLabel('NIK').fill('3207064101920005');
  await visitor.getByLabel('Alamat').fill('Dusun Sukamulya RT 002 RW 002');
  await visitor.locator('#email').fill('rina-e2e@example.org');
  await go(visitor, visitor.getByRole('button', { name: 'Kirim permohonan' }));
  await noFormErrors(visitor);
  assertUrl(visitor, /^\/ppid\/lacak\/[0-9A-Z]{10}\?baru=1$/);
  await expectText(visitor, 'Permohonan informasi terkirim', 'Kode pelacakan', information);
  return new URL(visitor.url()).pathname.split('/').pop();
}

/** Downloads a PDF the page links to and returns its bytes. */
async function downloadPdf(page, linkName) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: linkName }).click()]);
  const file = path.join(ARTIFACTS, download.suggestedFilename() || 'unduhan.pdf');
  await download.saveAs(file);
  const bytes = fs.readFileSync(file);
  assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-', `${linkName} is a PDF`);
  return { file, bytes };
}

/** The URLs in a PDF's QR codes (pdftoppm renders it, zbarimg reads them). */
function qrUrls(pdfFile) {
  const prefix = pdfFile.replace(/\.pdf$/, '');
  execFileSync('pdftoppm', ['-r', '150', '-png', pdfFile, prefix]);
  const pngs = fs.readdirSync(path.dirname(prefix)).filter((f) => f.startsWith(path.basename(prefix)) && f.endsWith('.png'));
  const out = pngs.map((f) => {
    try {
      return execFileSync('zbarimg', ['-q', '--raw', path.join(path.dirname(prefix), f)], { encoding: 'utf8' });
    } catch (e) {
      return e.stdout || ''; // zbarimg exits non-zero when a page has no code
    }
  }).join('\n');
  return out.split('\n').map((l) => l.trim()).filter(Boolean);
}

async function ppidFlow(browser, server) {
  const visitor = await (await newContext(browser, server.base, 'phone')).newPage();
  const granted = 'Rincian APBDes Sukamulya 2026 per bidang';
  const refused = 'Daftar NIK penerima BLT Dana Desa 2026';
  let grantedCode;
  let refusedCode;

  await step('the village portal shows the DIP with one item per class; a DIP page opens', async () => {
    await visit(visitor, `/desa/${VILLAGE}`);
    await go(visitor, visitor.getByRole('link', { name: 'Informasi publik Sukamulya' }), `/desa/${VILLAGE}/ppid`);
    await expectText(visitor, 'Informasi berkala', 'Informasi serta-merta', 'Informasi tersedia setiap saat', 'Informasi yang dikecualikan');
    await capture(visitor, '20-ppid-portal');
    await go(visitor, visitor.locator('ul.links a[href^="/ppid/dip/"]').first(), /^\/ppid\/dip\/[^/?]+$/);
    await expectText(visitor, 'Minta informasi ini');
    await capture(visitor, '21-ppid-dip');
  });

  await step('a visitor asks for a document and gets a number and a tracking code', async () => {
    grantedCode = await askPpid(visitor, granted);
    await capture(visitor, '22-ppid-terkirim');
  });

  const ppid = await step('ppid.sukamulya extends it once with a reason, then grants it; the notice is a PDF', async () => {
    const page = await staffLogin(browser, server, 'ppid.sukamulya');
    await visit(page, `/staf/desa/${VILLAGE}/ppid`);
    await go(page, page.locator('tr', { hasText: granted }).getByRole('link').first(), `/staf/ppid/${grantedCode}`);
    await page.getByLabel('Alasan perpanjangan (dikirim kepada pemohon)').fill('Dokumen sedang dihimpun dari bendahara desa.');
    await go(page, page.getByRole('button', { name: 'Perpanjang 7 hari kerja' }));
    await noFormErrors(page);
    await expectText(page, 'Dokumen sedang dihimpun dari bendahara desa.');
    assert.equal(await page.getByRole('button', { name: 'Perpanjang 7 hari kerja' }).count(), 0, 'extended once: no second extension');
    await page.getByRole('radio', { name: 'Dikabulkan seluruhnya' }).check();
    await page.locator('#answer').fill('APBDes 2026 terlampir dalam bentuk PDF.');
    await go(page, page.getByRole('button', { name: 'Simpan keputusan' }));
    await noFormErrors(page);
    await expectText(page, 'Dikabulkan');
    await downloadPdf(page, 'Unduh pemberitahuan tertulis (PDF)');
    return page;
  });

  await step('a second request is refused citing Pasal 17 huruf h', async () => {
    refusedCode = await askPpid(visitor, refused);
    await visit(ppid, `/staf/desa/${VILLAGE}/ppid`);
    await go(ppid, ppid.locator('tr', { hasText: refused }).getByRole('link').first(), `/staf/ppid/${refusedCode}`);
    await ppid.getByRole('radio', { name: 'Ditolak', exact: true }).check();
    await ppid.locator('#info_class').selectOption({ value: 'dikecualikan' });
    await ppid.locator('#exemption').selectOption({ value: 'ps17h' });
    await ppid.getByLabel('Alasan penolakan').fill('NIK dan alamat penerima adalah data pribadi.');
    await go(ppid, ppid.getByRole('button', { name: 'Simpan keputusan' }));
    await noFormErrors(ppid);
    await expectText(ppid, 'Ditolak', 'Pasal 17 huruf h');
  });

  await step('the requester files a keberatan from the tracking page', async () => {
    await visit(visitor, '/ppid/lacak');
    await visitor.getByLabel('Kode pelacakan').fill(refusedCode.toLowerCase());
    await go(visitor, visitor.getByRole('button', { name: 'Cek status' }), new RegExp(`^/ppid/lacak/${refusedCode}`));
    await expectText(visitor, 'Ditolak', 'Tidak puas? Ajukan keberatan');
    await go(visitor, visitor.getByRole('button', { name: 'Ajukan keberatan' }));
    await expectText(visitor, 'Alasan keberatan'); // none chosen: refused with the reason
    await visitor.getByRole('checkbox', { name: /^a\. / }).check();
    await visitor.getByLabel('Uraian keberatan (boleh kosong)').fill('Saya hanya butuh jumlah penerima per dusun.');
    await go(visitor, visitor.getByRole('button', { name: 'Ajukan keberatan' }));
    await noFormErrors(visitor);
    await expectText(visitor, 'Keberatan', 'Batas tanggapan atasan PPID');
    await capture(visitor, '23-ppid-keberatan');
  });

  await step('kades.sukamulya (atasan PPID) answers; the requester is told of the Komisi Informasi window', async () => {
    const kades = await staffLogin(browser, server, 'kades.sukamulya');
    await visit(kades, `/staf/ppid/${refusedCode}`);
    await kades.getByRole('radio', { name: /^Keberatan ditolak/ }).check();
    await kades.getByLabel('Tanggapan tertulis dan alasannya').fill('Data pribadi dikecualikan; jumlah per dusun ada di DIP.');
    await go(kades, kades.getByRole('button', { name: 'Kirim tanggapan' }));
    await noFormErrors(kades);
    await kades.context().close();
    await visit(visitor, `/ppid/lacak/${refusedCode}`);
    await expectText(visitor, 'Data pribadi dikecualikan', 'Komisi Informasi', '14 hari kerja');
  });

  await step('the annual PPID report counts both requests, as a page, PDF and XLSX', async () => {
    await visit(ppid, `/staf/desa/${VILLAGE}/ppid`);
    await go(ppid, ppid.getByRole('link', { name: /^Laporan layanan informasi publik/ }), /^\/staf\/wilayah\/.*\/ppid\/laporan/);
    const text = await expectText(ppid, 'Tabel 2. Keputusan atas permohonan', 'Tabel 4. Keberatan');
    assert.match(text, /Dikabulkan seluruhnya\s+1/);
    assert.match(text, /Ditolak\s+1/);
    const { file } = await downloadPdf(ppid, 'Unduh PDF');
    const pdfText = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    assert.match(pdfText, /Dikabulkan seluruhnya\s+1/, 'the PDF counts the granted request');
    const [xlsx] = await Promise.all([ppid.waitForEvent('download'), ppid.getByRole('link', { name: 'Unduh XLSX' }).click()]);
    const xlsxFile = path.join(ARTIFACTS, 'laporan-ppid.xlsx');
    await xlsx.saveAs(xlsxFile);
    assert.equal(fs.readFileSync(xlsxFile).subarray(0, 2).toString('latin1'), 'PK', 'the XLSX is a zip package');
    await ppid.context().close();
  });

  await step("the poster PDF's QR code opens the village portal", async () => {
    await visit(visitor, `/desa/${VILLAGE}/ppid`);
    const { file } = await downloadPdf(visitor, 'poster A4');
    const urls = qrUrls(file);
    const portal = urls.find((u) => u === `${server.base}/desa/${VILLAGE}`);
    assert.ok(portal, `the poster's QR codes: ${urls.join(', ')}`);
    await visit(visitor, new URL(portal).pathname);
    await go(visitor, visitor.getByRole('link', { name: 'Informasi publik Sukamulya' }), `/desa/${VILLAGE}/ppid`);
  });

  await visitor.context().close();
}

// ---------- flow 4: assisted filing ----------

async function assistedFlow(browser, server, files) {
  const onah = { nik: '3207065704480004', name: 'Onah Rohanah' };
  const pendamping = await staffLogin(browser, server, 'pendamping.sukamulya');

  await step('pendamping.sukamulya files an SKTM for Onah Rohanah (born 1948) with her thumbprint consent', async () => {
    await go(pendamping, pendamping.getByRole('link', { name: /Desa Sukamulya/ }), `/staf/desa/${VILLAGE}/pendamping`);
    await pendamping.getByLabel('Permohonan surat').selectOption({ label: 'Surat Keterangan Tidak Mampu' });
    await go(pendamping, pendamping.getByRole('button', { name: 'Lanjut' }), `/staf/desa/${VILLAGE}/pendamping/surat?jenis=sktm`);
    await pendamping.getByLabel('NIK warga').fill(onah.nik);
    await pendamping.getByLabel(/^Nomor WhatsApp warga/).fill('0813-2222-3333');
    await pendamping.getByLabel('Penghasilan keluarga per bulan').fill('400000');
    await pendamping.getByLabel('Jumlah tanggungan').fill('1');
    await pendamping.getByLabel('Keperluan').fill('Keringanan biaya berobat');
    await pendamping.getByLabel('Foto KTP').setInputFiles({ name: 'ktp.jpg', mimeType: 'image/jpeg', buffer: files.jpeg });
    await pendamping.getByLabel('Foto Kartu Keluarga').setInputFiles({ name: 'kk.png', mimeType: 'image/png', buffer: files.png });
    await pendamping.getByLabel('Surat pengantar RT/RW').setInputFiles({ name: 'pengantar.pdf', mimeType: 'application/pdf', buffer: files.pdf });
    // Without consent it is refused, with the reason.
    await go(pendamping, pendamping.getByRole('button', { name: 'Kirim pengajuan' }));
    await expectText(pendamping, 'Ada yang perlu diperbaiki', 'menyetujui pengajuan ini melalui pendamping');
    await pendamping.getByRole('radio', { name: 'Cap jempol pada formulir persetujuan' }).check();
    await pendamping.getByRole('checkbox', { name: /^Warga telah menyetujui/ }).check();
    for (const [label, name, mimeType, buffer] of [['Foto KTP', 'ktp.jpg', 'image/jpeg', files.jpeg], ['Foto Kartu Keluarga', 'kk.png', 'image/png', files.png], ['Surat pengantar RT/RW', 'pengantar.pdf', 'application/pdf', files.pdf]]) {
      await pendamping.getByLabel(label).setInputFiles({ name, mimeType, buffer }); // files are not kept by a refused form
    }
    await go(pendamping, pendamping.getByRole('button', { name: 'Kirim pengajuan' }), /^\/staf\/desa\/[^/]+\/pendamping\?baru=/);
    await noFormErrors(pendamping);
    await expectText(pendamping, 'Pengajuan tercatat', onah.name, 'Cap jempol');
  });

  await step("the operator's queue has it; its page shows who assisted and with which consent", async () => {
    const operator = await staffLogin(browser, server, 'operator.sukamulya');
    await openVillageAsStaff(operator);
    await go(operator, operator.getByRole('link', { name: 'Layanan surat' }), `/staf/desa/${VILLAGE}/surat`);
    await go(operator, operator.getByRole('link', { name: onah.name }), /^\/staf\/surat\/[^/?]+$/);
    await expectText(operator, 'Diajukan dengan pendampingan', 'pendamping.sukamulya', 'Cap jempol pada formulir persetujuan');
    await operator.context().close();
  });

  await pendamping.context().close();
}

// ---------- flow 5: news on the village portal ----------

/** A 1600×1000 photo as a camera would send it (larger than the portal keeps), drawn by Chromium. */
async function makePhoto(browser) {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  await page.setContent('<body style="margin:0"><div style="width:1600px;height:1000px;background:linear-gradient(135deg,#0b5d3b,#7fb069 50%,#ffbf47);font:bold 120px sans-serif;color:#fff;display:flex;align-items:center;justify-content:center">Kerja bakti</div></body>');
  const jpeg = await page.screenshot({ type: 'jpeg', quality: 85 });
  await context.close();
  return jpeg;
}

async function newsFlow(browser, server) {
  const title = 'Kerja bakti membersihkan saluran RW 02';
  let postUrl;

  await step('operator.sukamulya publishes news with a photo; HTML in the body stays text', async () => {
    const photo = await makePhoto(browser);
    const operator = await staffLogin(browser, server, 'operator.sukamulya');
    await openVillageAsStaff(operator);
    await go(operator, operator.getByRole('link', { name: 'Berita dan pengumuman' }), `/staf/desa/${VILLAGE}/berita`);
    await operator.getByRole('radio', { name: 'Berita' }).check();
    await operator.getByLabel('Judul').fill(title);
    await operator.getByLabel('Isi').fill('Warga RW 02 bergotong royong **Minggu pagi**.\n\n<script>alert(1)</script>');
    await operator.getByLabel(/^Foto/).setInputFiles({ name: 'IMG_2026.jpg', mimeType: 'image/jpeg', buffer: photo });
    await operator.getByLabel('Keterangan foto').fill('Saluran di depan balai desa');
    await go(operator, operator.getByRole('button', { name: 'Terbitkan' }), /^\/desa\/[^/]+\/berita\/[0-9a-f]+$/);
    await noFormErrors(operator);
    await expectText(operator, title, 'Minggu pagi', '<script>alert(1)</script>', 'Saluran di depan balai desa');
    const size = await operator.evaluate(() => { const i = document.querySelector('figure img'); return [i.naturalWidth, i.naturalHeight]; });
    assert.deepEqual(size, [960, 600], `the photo is shrunk to 960 px: ${size}`);
    postUrl = new URL(operator.url()).pathname;
    await operator.context().close();
  });

  await step('a visitor on a phone finds it on the village page; it previews with its photo when shared', async () => {
    const visitor = await (await newContext(browser, server.base, 'phone')).newPage();
    await visit(visitor, `/desa/${VILLAGE}`);
    await go(visitor, visitor.getByRole('link', { name: title }), postUrl);
    const image = await visitor.locator('meta[property="og:image"]').getAttribute('content');
    assert.match(image || '', /\/berita\/foto\/[0-9a-f]+$/, 'og:image names the photo');
    assert.equal(await visitor.locator('meta[property="og:title"]').getAttribute('content'), title);
    await capture(visitor, '50-berita');
    await visitor.context().close();
  });
}

// ---------- flow 7: the portal as an installed app, read offline (stops the server: runs last) ----------

async function offlineFlow(server) {
  // The one browser with JavaScript (the service worker is the only script Balai has), and with
  // a profile on disk: Chromium does not install apps from an incognito context.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'balai-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: { width: PHONE_WIDTH, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'id-ID' });
  context.__base = server.base;
  context.setDefaultTimeout(15_000);
  try {
    const page = context.pages()[0] || await context.newPage();
    const kept = (p) => page.waitForFunction(async (path) => !!(await caches.match(path)), p, { polling: 200 });

    await step('a phone visiting the portal installs it: Chromium reports no installability error', async () => {
      await visit(page, `/desa/${VILLAGE}`);
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { polling: 200 });
      const cdp = await context.newCDPSession(page);
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
      assert.deepEqual(installabilityErrors, [], `installability: ${JSON.stringify(installabilityErrors)}`);
      const requests = [];
      page.on('request', (r) => requests.push(r.url()));
      await visit(page, `/desa/${VILLAGE}/berita`);
      await go(page, page.getByRole('link', { name: 'Kerja bakti membersihkan saluran RW 02' }), /^\/desa\/[^/]+\/berita\/[0-9a-f]+$/);
      const elsewhere = requests.filter((u) => !u.startsWith(server.base));
      assert.deepEqual(elsewhere, [], 'no request leaves the portal');
      const photo = new URL(await page.locator('figure img').getAttribute('src'), server.base).pathname;
      await Promise.all([kept(`/desa/${VILLAGE}`), kept(`/desa/${VILLAGE}/berita`), kept(new URL(page.url()).pathname), kept(photo)]);
    });

    await step('with the server gone, the pages read before still open; an unread one says it is offline', async () => {
      const postPath = new URL(page.url()).pathname;
      server.child.kill('SIGTERM');
      await server.exit;
      await visit(page, `/desa/${VILLAGE}`);
      await expectText(page, 'Desa Sukamulya', 'Berita dan pengumuman');
      await visit(page, postPath);
      await expectText(page, 'Kerja bakti membersihkan saluran RW 02', 'Saluran di depan balai desa');
      const photo = await page.evaluate(() => { const i = document.querySelector('figure img'); return i ? i.naturalWidth : 0; });
      assert.equal(photo, 960, 'the photo was kept with its post');
      await visit(page, `/desa/${VILLAGE}/layanan`);
      await expectText(page, 'tidak tersambung');
      await capture(page, '60-luring');
    });
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

// ---------- main ----------

// ---------- flow 6: e-readiness (STOPE) and the capability programme ----------

/** The "SDM" (People) score shown for the latest assessment. */
async function peopleScore(page) {
  const box = page.locator('dl.figures div').filter({ has: page.locator('dt', { hasText: /^SDM$/ }) });
  return (await box.locator('dd').first().innerText()).trim();
}

/** Scores every factor the platform did not propose 3, with a note as evidence. */
async function fillUnproposed(page) {
  const factors = page.locator('div.factor');
  const n = await factors.count();
  for (let i = 0; i < n; i++) {
    const f = factors.nth(i);
    if (await f.locator('input[type=radio]:checked').count() === 0) await f.getByRole('radio', { name: '3' }).check();
    const evidence = f.locator('textarea');
    if (!(await evidence.inputValue()).trim()) await evidence.fill('Diperiksa di kantor desa (dokumen dan wawancara).');
  }
  return n;
}

async function readinessFlow(browser, server) {
  const admin = await staffLogin(browser, server, 'admin.ciamis');
  let before;
  await step('admin.ciamis opens STOPE from the staff home; Desa Sukamulya is not assessed yet', async () => {
    await go(admin, admin.getByRole('link', { name: 'Kesiapan e-government (STOPE) Kabupaten Ciamis' }), '/staf/stope/32.07');
    await expectText(admin, 'Per kecamatan', '0 dari');
    await go(admin, admin.locator('a[href="/staf/stope/32.07.06"]'), '/staf/stope/32.07.06');
    await expectText(admin, 'Peringkat');
    await go(admin, admin.getByRole('link', { name: 'Desa Sukamulya' }), `/staf/stope/${VILLAGE}`);
    await expectText(admin, 'belum pernah dinilai');
  });

  await step('the form proposes scores from live data; a score without evidence is refused, nothing stored', async () => {
    await go(admin, admin.getByRole('link', { name: 'Nilai kesiapan sekarang' }), `/staf/stope/${VILLAGE}/nilai`);
    await admin.screenshot({ path: path.join(ARTIFACTS, '71-stope-nilai-staf.png'), fullPage: true });
    const proposals = await admin.locator('.proposal').count();
    assert.ok(proposals >= 2, `only ${proposals} proposals from live data`);
    await expectText(admin, 'Usulan dari data: skor 3.', 'operator.sukamulya', '4 dari 8 aparatur');
    const factors = await fillUnproposed(admin);
    assert.equal(factors, 22, 'ten indicators and the optional Anggaran one, two factors each');
    await admin.getByLabel('Bukti O2.1').fill('');
    await admin.getByRole('button', { name: 'Simpan penilaian' }).click();
    await expectText(admin, 'Ada yang perlu diperbaiki', 'skor tanpa bukti tidak diterima');
    assertUrl(admin, `/staf/stope/${VILLAGE}/nilai`);
    await admin.getByLabel('Bukti O2.1').fill('Belum ada perjanjian kerja sama dengan pihak lain.');
    await go(admin, admin.getByRole('button', { name: 'Simpan penilaian' }), /^\/staf\/stope\/32\.07\.06\.2001\?tersimpan=1$/);
    await expectText(admin, 'Penilaian tersimpan', 'Skor keseluruhan', 'Indikator terlemah', 'Riwayat penilaian');
    assert.equal(await admin.locator('svg.radar polygon.latest').count(), 1, 'the radar chart');
    before = await peopleScore(admin);
    assert.equal(before, '2,50', 'People: operator (3, 3) and training (2, 2)');
  });

  await step('the rest of the aparatur attend the workshop: the session records them', async () => {
    await go(admin, admin.getByRole('link', { name: 'Program peningkatan kapabilitas desa ini' }), `/staf/pelatihan/desa/${VILLAGE}`);
    await expectText(admin, 'Aparatur aktif', 'Daftar Informasi Publik (DIP)', '50,0 %');
    await admin.screenshot({ path: path.join(ARTIFACTS, '73-pelatihan-desa-staf.png'), fullPage: true });
    await visit(admin, '/staf/pelatihan/32.07');
    await go(admin, admin.getByRole('link', { name: /^Workshop layanan surat daring/ }), /^\/staf\/pelatihan\/sesi\/\d+$/);
    await admin.getByLabel('Desa').selectOption(VILLAGE);
    await go(admin, admin.getByRole('button', { name: 'Tampilkan aparatur' }), /desa=32\.07\.06\.2001/);
    const boxes = admin.locator('#hadir input[type=checkbox]');
    assert.equal(await boxes.count(), 8);
    for (let i = 0; i < 8; i++) await boxes.nth(i).check();
    await go(admin, admin.getByRole('button', { name: 'Simpan daftar hadir' }), /tersimpan=1/);
    await expectText(admin, 'Daftar hadir tersimpan', '8 aparatur');
    await admin.screenshot({ path: path.join(ARTIFACTS, '72-pelatihan-sesi-staf.png'), fullPage: true });
  });

  await step('a new assessment takes the new attendance: the People score rises, the history keeps both', async () => {
    await visit(admin, `/staf/stope/${VILLAGE}/nilai`);
    await expectText(admin, '8 dari 8 aparatur', 'Usulan dari data: skor 4.');
    await fillUnproposed(admin);
    await go(admin, admin.getByRole('button', { name: 'Simpan penilaian' }), /^\/staf\/stope\/32\.07\.06\.2001\?tersimpan=1$/);
    const after = await peopleScore(admin);
    assert.equal(after, '3,00', `People moved from ${before}`);
    assert.equal(await admin.locator('svg.radar polygon.previous').count(), 1, 'the previous assessment on the radar');
    assert.equal(await admin.locator('table.nums tbody tr').count(), 2, 'two assessments in the history');
    await admin.screenshot({ path: path.join(ARTIFACTS, '70-stope-desa-staf.png'), fullPage: true });
    await visit(admin, '/staf/stope/32.07');
    await expectText(admin, '1 dari', 'Indikator terlemah');
  });

  await step('the PUPR forum pack opens from the dashboard and downloads as PDF and XLSX', async () => {
    await visit(admin, '/staf/evaluasi/32.07');
    await go(admin, admin.locator('a[href="/staf/forum/dinas-pupr"]'), '/staf/forum/dinas-pupr');
    await expectText(admin, 'Bahan forum koordinasi Dinas Pekerjaan Umum dan Penataan Ruang', 'Melewati tenggat saat ini', 'dibandingkan');
    const pdf = admin.waitForEvent('download');
    await admin.getByRole('link', { name: 'Unduh PDF untuk dicetak' }).click();
    const file = await pdf;
    assert.match(file.suggestedFilename(), /^forum-dinas-pupr-\d{4}-T[1-4]\.pdf$/);
    const saved = path.join(ARTIFACTS, '74-forum-pupr.pdf');
    await file.saveAs(saved);
    assert.ok(fs.readFileSync(saved).subarray(0, 5).toString() === '%PDF-', 'a PDF');
    const xlsx = admin.waitForEvent('download');
    await admin.getByRole('link', { name: 'Unduh XLSX' }).click();
    assert.match((await xlsx).suggestedFilename(), /\.xlsx$/);
  });

  await step('the evaluator reads the assessment but may not score', async () => {
    const evaluator = await staffLogin(browser, server, 'evaluator.ciamis');
    await visit(evaluator, `/staf/stope/${VILLAGE}`);
    await expectText(evaluator, 'Skor keseluruhan');
    assert.equal(await evaluator.getByRole('link', { name: 'Nilai kesiapan sekarang' }).count(), 0);
    const res = await evaluator.goto(`${server.base}/staf/stope/${VILLAGE}/nilai`);
    assert.equal(res.status(), 403);
    await evaluator.context().close();
  });
  await admin.context().close();
}

async function main() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  for (const f of fs.readdirSync(ARTIFACTS)) if (/\.(png|pdf|log|xlsx)$/.test(f)) fs.rmSync(path.join(ARTIFACTS, f));
  let server;
  let browser;
  const stop = async () => {
    await browser?.close().catch(() => {});
    await stopServer(server).catch((e) => console.error(`could not stop the server: ${e}`));
  };
  // Last resort if Node itself dies: never leave the server running.
  process.on('exit', () => { if (server && server.child.exitCode === null) server.child.kill('SIGKILL'); });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, async () => { await stop(); process.exit(130); });
  }
  try {
    console.log('== setup');
    server = await step(`start balai serve --demo (${path.relative(process.cwd(), BIN) || BIN})`, startServer);
    console.log(`       serving on ${server.base}`);
    browser = await step(`launch ${CHROMIUM}`, () => chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true }));
    const files = await step('make a JPEG, a PNG and a PDF to upload', async () => ({ ...(await makeImages(browser)), pdf: tinyPdf('Surat pengantar RT 001 RW 002') }));
    await flow('1. letters: sign-up to signed PDF and verification page', () => letterFlow(browser, server, files));
    await flow('2. reports: anonymous report to rated answer', () => reportFlow(browser, server, files));
    await flow('3. public information: DIP, request, extension, decision, keberatan, annual report, poster', () => ppidFlow(browser, server));
    await flow('4. assisted filing: a pendamping files for an elderly resident', () => assistedFlow(browser, server, files));
    await flow('5. village news: a post with a photo, read on a phone', () => newsFlow(browser, server));
    await flow('6. e-readiness: STOPE from live data, training attendance moves the People score', () => readinessFlow(browser, server));
    // Last: it stops the server.
    await flow('7. the portal as an app: installable, visited pages readable offline', () => offlineFlow(server));
  } catch (error) {
    if (!(error instanceof StepFailed)) {
      results.push({ name: 'setup', ok: false, error });
      console.log(`  FAIL ${error?.stack || error}`);
    }
  } finally {
    await stop();
  }

  console.log(`\n== phone screenshots (${PHONE_WIDTH} px wide) in ${ARTIFACTS}`);
  for (const s of shots) console.log(`  ${s.name}.png  ${s.url}  scrollWidth ${s.scrollWidth}`);
  if (warnings.length) console.log('\n== warnings (not failures)');
  for (const w of warnings) console.log(`  WARN ${w}`);
  const failed = results.filter((r) => !r.ok);
  if (failed.length) {
    console.log('\nFailed steps:');
    for (const f of failed) console.log(`  - ${f.name}: ${String(f.error?.message || f.error).split('\n')[0]}`);
  }
  console.log(`\ne2e: ${results.length - failed.length} passed, ${failed.length} failed (${elapsed()})`);
  process.exitCode = failed.length ? 1 : 0;
}

await main();
