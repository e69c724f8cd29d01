// ort_infer.js - ONNX Runtime's inference speed on an exported model, for
// make bench (bench/engines.sh): the engine a user would pick to run a
// trained model on a CPU.  npm's onnxruntime-node (CPU execution provider,
// all graph optimizations), called from Node.js.
//
//   node bench/ort_infer.js ORT_DIR MODEL.onnx IMAGES.idx.gz MODE THREADS [BATCH]
//
// IMAGES: an IDX image file (gzip), scaled by 1/255 as seqc reads images.
// MODE latency: every image once at batch 1, each run timed alone; prints
//   latency_us_median=.. latency_us_p90=..
// MODE throughput: all images in batches of BATCH (default 128), 3 passes
//   after one warm-up pass; prints images_per_s=.. (the median pass) and
//   every pass's figure.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

function images(file) {
  let b = fs.readFileSync(file);
  if (file.endsWith('.gz')) b = zlib.gunzipSync(b);
  if (b.readUInt32BE(0) !== 0x803) throw new Error(`${file}: not an IDX image file`);
  const n = b.readUInt32BE(4), size = b.readUInt32BE(8) * b.readUInt32BE(12);
  if (b.length < 16 + n * size) throw new Error(`${file}: truncated`);
  const x = new Float32Array(n * size);
  for (let i = 0; i < n * size; i++) x[i] = b[16 + i] / 255;
  return { n, size, x };
}

const median = (v) => v.slice().sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];
const p90 = (v) => v.slice().sort((a, b) => a - b)[Math.floor(0.9 * (v.length - 1))];

async function main() {
  const [ortDir, model, file, mode, threads_, batch_] = process.argv.slice(2);
  if (!mode || !['latency', 'throughput'].includes(mode))
    throw new Error('usage: node bench/ort_infer.js ORT_DIR MODEL.onnx IMAGES.idx.gz latency|throughput THREADS [BATCH]');
  const threads = +threads_ || 1, batch = +batch_ || 128;
  const ort = require(path.resolve(ortDir, 'node_modules', 'onnxruntime-node'));
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'], graphOptimizationLevel: 'all',
    intraOpNumThreads: threads, interOpNumThreads: 1,
  });
  const meta = session.inputMetadata ? session.inputMetadata[0] : null;
  const { n, size, x } = images(file);
  const dims = meta && meta.shape ? meta.shape.slice(1).map(Number) : [size];
  if (dims.reduce((a, b) => a * b, 1) !== size)
    throw new Error(`the model's input ${dims} is not ${size} values`);
  const run = (s, m) => session.run({ input: new ort.Tensor('float32', x.subarray(s * size, (s + m) * size), [m, ...dims]) });
  if (mode === 'latency') {
    for (let i = 0; i < 200; i++) await run(i % n, 1);            // warm up
    const us = new Array(n);
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      await run(i, 1);
      us[i] = Number(process.hrtime.bigint() - t0) / 1e3;
    }
    console.log(`latency_us_median=${median(us).toFixed(1)} latency_us_p90=${p90(us).toFixed(1)} n=${n}`);
    return;
  }
  const pass = async () => {
    const t0 = process.hrtime.bigint();
    for (let s = 0; s < n; s += batch) await run(s, Math.min(batch, n - s));
    return n / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  await pass();                                                    // warm up
  const rates = [];
  for (let i = 0; i < 3; i++) rates.push(await pass());
  console.log(`images_per_s=${median(rates).toFixed(1)} runs=${rates.map((r) => r.toFixed(0)).join(',')} batch=${batch} threads=${threads}`);
}
main().catch((e) => { console.error(`ort_infer.js: ${e.message}`); process.exit(1); });
