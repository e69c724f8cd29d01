// run.js - run an exported ONNX model under ONNX Runtime (npm's
// onnxruntime-node, CPU) on the inputs tests/onnx/ref.c wrote, and compare
// its "output" with seqc's outputs for the same inputs.
//
//   node tests/onnx/run.js ORT_DIR MODEL.onnx PREFIX N N_INPUT N_OUTPUTS [TOL]
//
// ORT_DIR: where `npm install onnxruntime-node` put node_modules (make
// onnxrt).  Prints "NAME: n samples, max abs difference D" and exits 1 if
// D > TOL (default 1e-5) or a shape is off.
'use strict';
const fs = require('fs');
const path = require('path');

async function main() {
  const [ortDir, model, prefix, n_, nin_, nout_, tol_] = process.argv.slice(2);
  const n = +n_, nin = +nin_, nout = +nout_, tol = tol_ === undefined ? 1e-5 : +tol_;
  const ort = require(path.resolve(ortDir, 'node_modules', 'onnxruntime-node'));
  const f32 = (file) => {
    const b = fs.readFileSync(file);
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  };
  const x = f32(prefix + '.in'), want = f32(prefix + '.out');
  if (x.length !== n * nin || want.length !== n * nout)
    throw new Error(`${prefix}: expected ${n} x ${nin} inputs and ${n} x ${nout} outputs`);
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: 1,
  });
  if (session.inputNames[0] !== 'input' || session.outputNames[0] !== 'output')
    throw new Error(`inputs ${session.inputNames}, outputs ${session.outputNames}: want input, output`);
  // the input's shape from the model: [N, ...the spec's input shape]
  const meta = session.inputMetadata ? session.inputMetadata[0] : null;
  let dims = meta && meta.shape ? meta.shape.slice(1).map(Number) : [nin];
  if (dims.reduce((a, b) => a * b, 1) !== nin)
    throw new Error(`the model's input ${dims} is not ${nin} values`);
  let maxDiff = 0, at = 0;
  const batch = 250;
  for (let s = 0; s < n; s += batch) {
    const m = Math.min(batch, n - s);
    const t = new ort.Tensor('float32', x.subarray(s * nin, (s + m) * nin), [m, ...dims]);
    const r = await session.run({ input: t });
    const y = r.output.data;
    if (y.length !== m * nout)
      throw new Error(`output has ${y.length / m} values per sample, seqc ${nout}`);
    for (let i = 0; i < y.length; i++) {
      const d = Math.abs(y[i] - want[s * nout + i]);
      if (!(d <= maxDiff)) { maxDiff = d; at = s * nout + i; }
    }
  }
  const name = path.basename(model, '.onnx');
  console.log(`${name}: ${n} samples, max abs difference ${maxDiff.toExponential(3)}` +
              (maxDiff > 0 ? ` (value ${want[at]})` : ''));
  process.exit(maxDiff <= tol ? 0 : 1);
}
main().catch((e) => { console.error(`run.js: ${e.message}`); process.exit(1); });
