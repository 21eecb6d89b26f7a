#!/usr/bin/env node
// storelink CLI: headless syncs, for developers and for the offline demo.
//
//   storelink platforms
//   storelink sync <platform> <entity> [--sandbox] [--out FILE] [--checkpoint FILE] [--full]
//                  [--credentials FILE] [--settings JSON] [--raw]
//   storelink demo [--out-dir DIR]
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createStoreLink, createLocalTransport, runSync, SyncError } from './node.js';

import { SANDBOXES, startSandbox } from '../../web/sandbox/index.js';

function usage(code = 2) {
  process.stderr.write(`Cách dùng / usage:
  storelink platforms
  storelink sync <platform> <products|orders|customers|locations> [--sandbox] [--out FILE]
                 [--checkpoint FILE] [--full] [--credentials FILE] [--settings JSON] [--raw]
  storelink demo [--out-dir DIR]
`);
  process.exit(code);
}

function writeAtomic(file, text) {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

function progressLine(p) {
  const total = p.total != null ? `/${p.total}` : '';
  const wait = p.phase === 'waiting' && p.lastWaitReason === 'rate_limit' ? ' — đang chờ giới hạn API' : p.phase === 'waiting' ? ' — đang thử lại' : '';
  return `${p.entity}: ${p.fetched}${total} bản ghi, ${p.pages} trang, ${p.requests} yêu cầu${p.deleted ? `, ${p.deleted} đã xóa` : ''}${wait}`;
}

async function syncOnce(sl, { platform, entity, transport, out, checkpointFile, full, settings, raw, quiet }) {
  const previous = checkpointFile && existsSync(checkpointFile) ? readFileSync(checkpointFile, 'utf8') : null;
  const job = sl.createSync({ platform, entity, settings, raw, checkpoint: previous, mode: full ? 'full' : 'auto' });
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    if (!previous || full) writeFileSync(out, '');
  }
  const tty = process.stderr.isTTY && !quiet;
  try {
    const result = await runSync(job, transport, {
      onRecords: async (records, checkpoint) => {
        // Records first, then the checkpoint: a crash in between re-reads a page, never loses one.
        if (out) appendFileSync(out, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
        if (checkpointFile) writeAtomic(checkpointFile, checkpoint);
      },
      onProgress: (p) => {
        if (tty) process.stderr.write(`\r\x1b[K${progressLine(p)}`);
      },
    });
    if (checkpointFile) writeAtomic(checkpointFile, result.checkpoint);
    if (tty) process.stderr.write('\n');
    return result.progress;
  } finally {
    job.dispose();
  }
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      sandbox: { type: 'boolean', default: false },
      out: { type: 'string' },
      'out-dir': { type: 'string', default: '.storelink/demo' },
      checkpoint: { type: 'string' },
      full: { type: 'boolean', default: false },
      credentials: { type: 'string' },
      settings: { type: 'string', default: '{}' },
      raw: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, platform, entity] = positionals;
  if (values.help || !command) usage(values.help ? 0 : 2);
  const sl = await createStoreLink();

  if (command === 'platforms') {
    for (const p of sl.platforms()) {
      process.stdout.write(`${p.id.padEnd(9)} ${p.displayName.padEnd(12)} ${p.status.padEnd(12)} ${p.entities.join(', ')}\n`);
    }
    return;
  }

  if (command === 'sync') {
    if (!platform || !entity) usage();
    let env = null;
    let secrets;
    let hostMap = {};
    if (values.sandbox) {
      if (!SANDBOXES[platform]) throw new SyncError({ code: 'unsupported', message: `Chưa có môi trường thử (sandbox) cho ${platform}.` });
      env = await startSandbox(platform);
      ({ secrets, hostMap } = env);
    } else {
      const file = values.credentials ?? process.env.STORELINK_CREDENTIALS;
      if (!file) throw new SyncError({ code: 'invalid_input', message: 'Cần --credentials FILE (JSON) hoặc --sandbox.', field: 'credentials' });
      secrets = JSON.parse(readFileSync(file, 'utf8'));
    }
    try {
      const transport = createLocalTransport(sl, { secrets, hostMap });
      const out = values.out ?? null;
      const p = await syncOnce(sl, {
        platform, entity, transport, out,
        checkpointFile: values.checkpoint, full: values.full, settings: JSON.parse(values.settings), raw: values.raw,
      });
      if (!out) process.stderr.write(`${progressLine(p)}\n`);
      else process.stderr.write(`${progressLine(p)} → ${out}\n`);
    } finally {
      await env?.close();
    }
    return;
  }

  if (command === 'demo') {
    // The offline demo: a local KiotViet simulator, every entity, then an incremental run.
    const env = await startSandbox('kiotviet');
    const dir = values['out-dir'];
    try {
      const transport = createLocalTransport(sl, { secrets: env.secrets, hostMap: env.hostMap });
      process.stdout.write('StoreLink — đồng bộ thử với KiotViet (môi trường mô phỏng trên máy này)\n\n');
      for (const e of ['locations', 'products', 'orders', 'customers']) {
        const out = join(dir, `kiotviet-${e}.ndjson`);
        const checkpointFile = join(dir, `kiotviet-${e}.checkpoint`);
        const started = Date.now();
        const p = await syncOnce(sl, { platform: 'kiotviet', entity: e, transport, out, checkpointFile, full: true, settings: {} });
        process.stdout.write(`  ${e.padEnd(10)} ${String(p.fetched).padStart(6)} bản ghi  ${String(p.requests).padStart(4)} yêu cầu  ${Date.now() - started} ms  → ${out}\n`);
      }
      const p = await syncOnce(sl, {
        platform: 'kiotviet', entity: 'products', transport,
        out: join(dir, 'kiotviet-products.ndjson'), checkpointFile: join(dir, 'kiotviet-products.checkpoint'), settings: {}, quiet: true,
      });
      process.stdout.write(`\n  Đồng bộ bổ sung (incremental) sản phẩm: ${p.fetched} bản ghi thay đổi, ${p.requests} yêu cầu.\n`);
      process.stdout.write(`\nBản ghi đã chuẩn hóa nằm trong ${dir}/ (NDJSON, mỗi dòng một bản ghi).\n`);
    } finally {
      await env.close();
    }
    return;
  }
  usage();
}

main().catch((e) => {
  if (e instanceof SyncError) {
    process.stderr.write(`\nLỗi (${e.code}): ${e.message}${e.detail ? `\n  ${e.detail}` : ''}\n`);
    process.exit(1);
  }
  process.stderr.write(`\n${e?.stack ?? e}\n`);
  process.exit(1);
});
