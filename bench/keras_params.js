// keras_params.js - check seqc's parameter counts and output shapes against
// an independent Keras implementation: TensorFlow.js's layers API (a pure-JS
// port of Keras), with the issue-10 models built by hand, layer by layer,
// from their published architectures (not from the YAML).
//
// Run (no build step, no native code; the CPU backend is enough):
//
//   mkdir -p /tmp/tfjs && cd /tmp/tfjs && npm init -y >/dev/null &&
//     npm install --ignore-scripts @tensorflow/tfjs@4.22.0
//   cd /path/to/seqc && make out/seqc
//   NODE_PATH=/tmp/tfjs/node_modules node bench/keras_params.js [--seqc out/seqc] [NAME...]
//
// NAME: ds_cnn, mobilenet_v1_025, conv1d, fashion_sep (default: all).  For
// each model it prints TF.js's countParams() with the trainable /
// non-trainable split, then compares every layer's output shape and
// parameter count, in order, with `seqc --summary specs/NAME.yaml`.  Exit
// status 1 if anything differs.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

let tf;
try {
    tf = require('@tensorflow/tfjs');
} catch (e) {
    console.error('keras_params.js: @tensorflow/tfjs not found; install it as the header says ' +
                  'and set NODE_PATH');
    process.exit(2);
}
tf.setBackend('cpu');

const L = tf.layers;

// A model is a tf.sequential plus `groups`: how many TF.js layers stand for
// each seqc layer, in order (1, except where TF.js needs several to express
// one Keras layer; see causalConv1d).
function model() {
    const m = tf.sequential();
    m.groups = [];
    m.put = (...layers) => { layers.forEach((l) => m.add(l)); m.groups.push(layers.length); };
    return m;
}

// Conv1D padding 'causal' (Keras: pad (kernel_size - 1) * dilation_rate zeros
// before the sequence, none after, then 'valid').  TF.js 4.22 throws
// NotImplementedError for 'causal' in call() (and its static outputShape
// treats it as 'valid'), and has no ZeroPadding1D; so: view [steps, c] as
// [steps, 1, c], ZeroPadding2D on the step axis, view back, Conv1D 'valid'.
// The parameters are the Conv1D's; the output shape is the last layer's.
function causalConv1d(steps, cin, args) {
    const pad = (args.kernelSize - 1) * (args.dilationRate || 1);
    return [L.reshape({ targetShape: [steps, 1, cin] }),
            L.zeroPadding2d({ padding: [[pad, 0], [0, 0]] }),
            L.reshape({ targetShape: [steps + pad, cin] }),
            L.conv1d({ ...args, padding: 'valid' })];
}
const l2 = () => tf.regularizers.l2({ l2: 1e-4 });
const bn = () => L.batchNormalization({ axis: -1, momentum: 0.99, epsilon: 1e-3 });
const relu = () => L.activation({ activation: 'relu' });

// MLPerf Tiny KWS DS-CNN (mlcommons/tiny, keyword_spotting/keras_model.py):
// conv 64 10x4 /2 same + BN + ReLU + dropout 0.2, four times [depthwise 3x3
// same + BN + ReLU, conv 64 1x1 + BN + ReLU], dropout 0.4, avg pool over
// the remaining 25x5, flatten, dense 12 softmax.
function dsCnn() {
    const m = model();
    m.put(L.conv2d({ inputShape: [49, 10, 1], filters: 64, kernelSize: [10, 4], strides: 2,
                     padding: 'same', kernelRegularizer: l2() }));
    m.put(bn()); m.put(relu()); m.put(L.dropout({ rate: 0.2 }));
    for (let i = 0; i < 4; i++) {
        m.put(L.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthwiseRegularizer: l2() }));
        m.put(bn()); m.put(relu());
        m.put(L.conv2d({ filters: 64, kernelSize: 1, padding: 'same', kernelRegularizer: l2() }));
        m.put(bn()); m.put(relu());
    }
    m.put(L.dropout({ rate: 0.4 }));
    m.put(L.averagePooling2d({ poolSize: [25, 5] }));
    m.put(L.flatten());
    m.put(L.dense({ units: 12, activation: 'softmax' }));
    return m;
}

// MLPerf Tiny VWW MobileNetV1, alpha 0.25, 96x96x3 (visual_wake_words/
// vww_model.py): stem conv 8 3x3 /2, then 13 blocks [depthwise 3x3 (stride)
// + BN + ReLU, conv 1x1 + BN + ReLU] with the filters and strides of
// MobileNetV1 x 0.25, avg pool 3x3, flatten, dense 2 softmax.
function mobilenetV1025() {
    const m = model();
    m.put(L.conv2d({ inputShape: [96, 96, 3], filters: 8, kernelSize: 3, strides: 2,
                     padding: 'same', kernelRegularizer: l2() }));
    m.put(bn()); m.put(relu());
    const blocks = [[16, 1], [32, 2], [32, 1], [64, 2], [64, 1], [128, 2], [128, 1], [128, 1],
                    [128, 1], [128, 1], [128, 1], [256, 2], [256, 1]];
    for (const [filters, strides] of blocks) {
        m.put(L.depthwiseConv2d({ kernelSize: 3, strides, padding: 'same',
                                  depthwiseRegularizer: l2() }));
        m.put(bn()); m.put(relu());
        m.put(L.conv2d({ filters, kernelSize: 1, padding: 'same', kernelRegularizer: l2() }));
        m.put(bn()); m.put(relu());
    }
    m.put(L.averagePooling2d({ poolSize: 3 }));
    m.put(L.flatten());
    m.put(L.dense({ units: 2, activation: 'softmax' }));
    return m;
}

// specs/conv1d.yaml's 1-D CNN over [128, 3] accelerometer windows.
function conv1d() {
    const m = model();
    m.put(L.conv1d({ inputShape: [128, 3], filters: 16, kernelSize: 5, padding: 'same',
                     activation: 'relu' }));
    m.put(bn());
    m.put(L.maxPooling1d({ poolSize: 2 }));
    m.put(...causalConv1d(64, 16, { filters: 32, kernelSize: 5, dilationRate: 2,
                                   activation: 'relu' }));
    m.put(L.maxPooling1d({ poolSize: 2 }));
    m.put(L.conv1d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }));
    m.put(L.globalAveragePooling1d({}));
    m.put(L.dropout({ rate: 0.3 }));
    m.put(L.dense({ units: 6, activation: 'softmax' }));
    return m;
}

// specs/fashion_sep.yaml: the BN + separable-convolution parity model.
function fashionSep() {
    const m = model();
    m.put(L.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, strides: 2,
                     padding: 'same' }));
    m.put(bn()); m.put(relu());
    m.put(L.separableConv2d({ filters: 64, kernelSize: 3, padding: 'same' }));
    m.put(bn()); m.put(relu());
    m.put(L.maxPooling2d({ poolSize: 2 }));
    m.put(L.separableConv2d({ filters: 128, kernelSize: 3, padding: 'same' }));
    m.put(bn()); m.put(relu());
    m.put(L.globalAveragePooling2d({}));
    m.put(L.dropout({ rate: 0.3 }));
    m.put(L.dense({ units: 10, activation: 'softmax' }));
    return m;
}

const MODELS = { ds_cnn: dsCnn, mobilenet_v1_025: mobilenetV1025, conv1d, fashion_sep: fashionSep };

const count = (ws) => ws.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);

// seqc --summary rows: "NAME (Type)   (None, a, b)   PARAMS", then the totals
function seqcSummary(seqc, name) {
    const spec = path.join('specs', name + '.yaml');
    const r = spawnSync(seqc, ['--summary', spec], { encoding: 'utf8' });
    if (r.status !== 0)
        throw new Error(`${seqc} --summary ${spec} failed: ${r.stderr || r.error}`);
    const rows = [], tot = {};
    for (const line of r.stdout.split('\n')) {
        let m = line.match(/^(\S+) \((\w+)\)\s+\(None((?:, \d+)*)\)\s+(\d+)$/);
        if (m) {
            rows.push({ name: m[1], type: m[2], shape: m[3].replace(/^, /, ''), params: +m[4] });
            continue;
        }
        m = line.match(/^(Total|Trainable|Non-trainable) params: (\d+)/);
        if (m)
            tot[m[1]] = +m[2];
    }
    return { rows, tot };
}

function main() {
    const argv = process.argv.slice(2);
    let seqc = null;
    const names = [];
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === '--seqc') seqc = argv[++i];
        else if (argv[i] in MODELS) names.push(argv[i]);
        else { console.error(`keras_params.js: unknown argument ${argv[i]}`); process.exit(2); }
    }
    let bad = 0;
    console.log(`TensorFlow.js ${tf.version.tfjs} (tfjs-layers ${tf.version['tfjs-layers']}), backend ${tf.getBackend()}`);
    for (const name of names.length ? names : Object.keys(MODELS)) {
        const m = MODELS[name]();
        const total = m.countParams(), tr = count(m.trainableWeights), nt = count(m.nonTrainableWeights);
        console.log(`\n${name}: TF.js countParams()=${total} trainable=${tr} non_trainable=${nt}`);
        if (!seqc)
            continue;
        const s = seqcSummary(seqc, name);
        const kl = m.layers;
        // every layer's output shape from a real forward pass (one zero
        // sample, eager), not TF.js's static outputShape
        const run = [];
        tf.tidy(() => {
            let x = tf.zeros([1, ...m.inputs[0].shape.slice(1)]);
            for (const k of kl) {
                x = k.apply(x, { training: false });
                run.push(x.shape.slice(1).join(', '));
            }
        });
        console.log(`  ${'#'.padStart(3)} ${'seqc layer'.padEnd(28)} ${'seqc shape'.padEnd(14)} ` +
                    `${'TF.js layer(s)'.padEnd(24)} ${'TF.js shape'.padEnd(14)} ${'seqc'.padStart(7)} ${'TF.js'.padStart(7)}`);
        const n = Math.max(m.groups.length, s.rows.length);
        for (let i = 0, j = 0; i < n; i++) {
            const a = s.rows[i], g = m.groups[i] || 0;
            const ks = kl.slice(j, j + g);
            j += g;
            const k = ks[ks.length - 1];                  // the group's main layer
            const kshape = k ? run[j - 1] : '-';
            const kp = ks.reduce((t, l) => t + l.countParams(), 0);
            const type = k ? k.getClassName() : '-';
            const ok = a && k && a.shape === kshape && a.params === kp && a.type === type;
            if (!ok) bad++;
            const kname = ks.length > 1 ? `${type} (+${ks.length - 1} for 'causal')` : type;
            console.log(`  ${String(i + 1).padStart(3)} ${(a ? a.name : '-').padEnd(28)} ${(a ? a.shape : '-').padEnd(14)} ` +
                        `${kname.padEnd(24)} ${kshape.padEnd(14)} ` +
                        `${String(a ? a.params : '-').padStart(7)} ${String(k ? kp : '-').padStart(7)}${ok ? '' : '  <-- differs'}`);
        }
        const st = [s.tot.Total, s.tot.Trainable, s.tot['Non-trainable']];
        const same = st[0] === total && st[1] === tr && st[2] === nt;
        if (!same) bad++;
        console.log(`  totals: seqc ${st.join(' / ')}, TF.js ${total} / ${tr} / ${nt} ` +
                    `(total / trainable / non-trainable): ${same ? 'equal' : 'DIFFERENT'}`);
    }
    if (seqc)
        console.log(bad ? `\n${bad} difference(s)` : '\nall layers and totals equal');
    process.exit(bad ? 1 : 0);
}

main();
