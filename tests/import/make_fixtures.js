// tests/import/make_fixtures.js - the fixtures of `seqc --import`: small
// Keras Sequential models built and run by the real TensorFlow.js 4.22
// (pure-JS CPU backend), saved in the TF.js Layers format.
//
//   npm install --ignore-scripts @tensorflow/tfjs@4.22.0   (in some DIR)
//   NODE_PATH=DIR/node_modules node tests/import/make_fixtures.js
//
// For each model NAME it writes tests/import/NAME/model.json and
// NAME/weights.bin (what tf.io.withSaveHandler hands over), NAME/inputs.csv
// (a header row, then one row per fixed input, flat NHWC) and NAME/probs.txt
// (model.predict() of those inputs, one row per input, %.9g).  Weights are
// drawn from a fixed-seed generator, so every run writes the same files.
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

let seed = 12345;
function rnd() {            // mulberry32, uniform in [0, 1)
    seed = (seed + 0x6D2B79F5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function uniform(n, lo, hi) {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rnd();
    return a;
}

const L = tf.layers;
const models = {
    // flat input: Dense, Dropout, BatchNormalization, the activation layers
    mlp: () => [
        L.dense({inputShape: [12], units: 16, activation: 'relu'}),
        L.dropout({rate: 0.25}),
        L.batchNormalization({momentum: 0.9, epsilon: 0.01}),
        L.dense({units: 10, activation: 'tanh', useBias: false}),
        L.leakyReLU({alpha: 0.2}),
        L.dense({units: 8}),
        L.elu({}),
        L.dense({units: 8, activation: 'selu'}),
        L.reLU({maxValue: 1.5}),
        L.dense({units: 6, activation: 'sigmoid'}),
        L.activation({activation: 'softplus'}),
        L.dense({units: 4, activation: 'softmax'}),
    ],
    // images: every 2-D layer kind
    cnn: () => [
        L.zeroPadding2d({inputShape: [9, 8, 2], padding: [[1, 0], [2, 1]]}),
        L.conv2d({filters: 4, kernelSize: 3, padding: 'same', activation: 'relu'}),
        L.depthwiseConv2d({kernelSize: [3, 2], depthMultiplier: 2, padding: 'valid', activation: 'elu'}),
        L.batchNormalization({center: false}),
        L.separableConv2d({filters: 6, kernelSize: 3, padding: 'same', dilationRate: 2, activation: 'swish'}),
        L.maxPooling2d({poolSize: 2, strides: 1, padding: 'same'}),
        L.conv2d({filters: 5, kernelSize: [2, 3], strides: 2, activation: 'softsign'}),
        L.averagePooling2d({poolSize: 2, padding: 'same'}),
        L.batchNormalization({scale: false}),
        L.conv2d({filters: 6, kernelSize: 1, activation: 'relu6'}),
        L.globalAveragePooling2d({}),
        L.reshape({targetShape: [2, 3]}),
        L.flatten(),
        L.dense({units: 5, activation: 'softmax'}),
    ],
    // more 2-D: dilation, max pooling, global max pooling
    cnn2: () => [
        L.conv2d({inputShape: [10, 10, 1], filters: 3, kernelSize: 3, dilationRate: 2, activation: 'tanh'}),
        L.maxPooling2d({poolSize: [2, 3], strides: [2, 1]}),
        L.depthwiseConv2d({kernelSize: 2, strides: 2, padding: 'same', useBias: false}),
        L.globalMaxPooling2d({}),
        L.dense({units: 3, activation: 'softmax'}),
    ],
    // sequences: the 1-D kinds; a sigmoid output (binary)
    seq: () => [
        L.conv1d({inputShape: [20, 3], filters: 4, kernelSize: 3, padding: 'same', dilationRate: 2, activation: 'relu'}),
        L.maxPooling1d({poolSize: 2}),
        L.conv1d({filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation: 'gelu'}),
        L.averagePooling1d({poolSize: 2, padding: 'same'}),
        L.batchNormalization({}),
        L.reshape({targetShape: [5, 3, 1]}),
        L.conv2d({filters: 2, kernelSize: 2}),
        L.reshape({targetShape: [8, 2]}),
        L.globalAveragePooling1d({}),
        L.dense({units: 1, activation: 'sigmoid'}),
    ],
    seq2: () => [
        L.conv1d({inputShape: [12, 2], filters: 3, kernelSize: 2, activation: 'tanh'}),
        L.globalMaxPooling1d({}),
        L.dense({units: 3, activation: 'softmax'}),
    ],
};

const N_INPUTS = 6;

async function main() {
    const outdir = __dirname;
    for (const [name, make] of Object.entries(models)) {
        const model = tf.sequential({name: name});
        for (const l of make()) model.add(l);
        // every weight from the seeded generator; variances positive
        model.setWeights(model.weights.map(w => {
            const n = w.shape.reduce((a, b) => a * b, 1);
            const v = /variance/.test(w.name) ? uniform(n, 0.5, 1.5)
                    : /gamma/.test(w.name) ? uniform(n, 0.8, 1.2) : uniform(n, -0.5, 0.5);
            return tf.tensor(v, w.shape);
        }));
        const inShape = model.inputs[0].shape.slice(1);
        const per = inShape.reduce((a, b) => a * b, 1);
        const x = uniform(N_INPUTS * per, -1, 1);
        const y = await model.predict(tf.tensor(x, [N_INPUTS, ...inShape])).data();
        const nOut = y.length / N_INPUTS;

        const dir = path.join(outdir, name);
        fs.mkdirSync(dir, {recursive: true});
        await model.save(tf.io.withSaveHandler(async art => {
            const json = {
                format: 'layers-model',
                generatedBy: 'TensorFlow.js tfjs-layers v' + tf.version_layers,
                convertedBy: null,
                modelTopology: art.modelTopology,
                weightsManifest: [{paths: ['weights.bin'], weights: art.weightSpecs}],
            };
            fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json) + '\n');
            fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(art.weightData));
            return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
        }));
        let csv = Array.from({length: per}, (_, i) => 'x' + i).join(',') + '\n';
        for (let s = 0; s < N_INPUTS; s++)
            csv += Array.from(x.subarray(s * per, (s + 1) * per), v => v.toPrecision(9)).join(',') + '\n';
        fs.writeFileSync(path.join(dir, 'inputs.csv'), csv);
        let txt = '';
        for (let s = 0; s < N_INPUTS; s++)
            txt += Array.from(y.subarray(s * nOut, (s + 1) * nOut), v => v.toPrecision(9)).join(' ') + '\n';
        fs.writeFileSync(path.join(dir, 'probs.txt'), txt);
        console.log(name + ': ' + model.countParams() + ' parameters, ' + nOut + ' outputs');
    }
}
main().catch(e => { console.error(e); process.exit(1); });
