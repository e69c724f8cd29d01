#!/usr/bin/python3
"""tests/keras/make_keras.py - the .keras fixtures of `seqc --import`.

Rewrites each TensorFlow.js fixture (tests/import/NAME/model.json and
weights.bin, made and run by TF.js 4.22) as the file Keras 3's
model.save("NAME.keras") writes for the same model: a zip of metadata.json,
config.json and model.weights.h5, in the layout of Keras 3's own saving code
(keras/src/saving/saving_lib.py and serialization_lib.py, read at Keras
3.16; a .keras file that Keras 3.15 wrote, in Keras's tests, has exactly
this layout):

  zip           ZIP_STORED members metadata.json, config.json (zf.open),
                model.weights.h5 (writestr of the HDF5 bytes h5py wrote)
  config.json   serialize_keras_object(model): {"module": "keras",
                "class_name": "Sequential", "config": {"name", "trainable",
                "dtype", "layers": [InputLayer, ...], "build_input_shape"},
                "registered_name": null, "build_config", ["compile_config"]};
                each layer {"module": "keras.layers", "class_name", "config":
                its get_config() keys, "registered_name": null,
                "build_config": {"input_shape"}}
  .h5           the model's root group vars, then per layer of model.layers
                (the leading InputLayer left out) a group
                layers/<to_snake_case(class)>[_<n>]/vars with datasets "0",
                "1", ... (save_own_variables order); since Keras 3.6 each vars
                group has the attribute name (the layer's, the model's)

The weights are TF.js's, so the expected probabilities are TF.js's
(tests/import/NAME/probs.txt).  Also writes the malformed files of
tests/keras/bad/ from seq2 (all but hdf5_crash.keras and
hdf5_huge_alloc.keras, inputs on which fuzz_import_keras found libhdf5 1.10
reading a wild address and allocating 128 GB) and the seeds of
tests/fuzz/corpus/fuzz_import_keras/.  Deterministic: the same bytes every
run.

  make keras-fixtures      (installs python3-h5py and python3-numpy)
"""
import copy
import io
import json
import os
import re
import sys
import warnings
import zipfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
IMPORT = os.path.join(HERE, '..', 'import')
DATE = (2026, 1, 1, 0, 0, 0)
KERAS_VERSION = '3.15.0'   # the layout of Keras 3.6 and later (vars groups named)


def to_snake_case(name):   # keras/src/utils/naming.py
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
    return name


def policy():
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
            "registered_name": None}


def init(cls, seed=True):
    return {"module": "keras.initializers", "class_name": cls, "config": {"seed": None} if seed else {},
            "registered_name": None}


def tup(v, n):
    return list(v) if isinstance(v, list) else [v] * n


ACT = {"swish": "silu"}     # keras.activations.swish is silu; it serializes so


def act(a):
    return ACT.get(a, a)


def conv_out(n, k, s, d, pad):
    k_eff = (k - 1) * d + 1
    return (n + s - 1) // s if pad == 'same' else (n - k_eff) // s + 1


def keras3_layer(L, shape):
    """TF.js's {class_name, config} -> Keras 3's serialized layer, and its output shape."""
    cls, c = L["class_name"], L["config"]
    base = {"name": c["name"], "trainable": c.get("trainable", True), "dtype": policy()}
    out = list(shape)
    if cls == "Dense":
        cfg = dict(base, units=c["units"], activation=act(c["activation"]), use_bias=c["use_bias"],
                   kernel_initializer=init("GlorotUniform"), bias_initializer=init("Zeros", False),
                   kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                   bias_constraint=None, quantization_config=None)
        out = shape[:-1] + [c["units"]]
    elif cls in ("Conv2D", "Conv1D", "DepthwiseConv2D", "SeparableConv2D"):
        n = 1 if cls == "Conv1D" else 2
        k, s, d = tup(c["kernel_size"], n), tup(c["strides"], n), tup(c["dilation_rate"], n)
        common = dict(kernel_size=k, strides=s, padding=c["padding"], data_format="channels_last",
                      dilation_rate=d)
        if cls in ("Conv2D", "Conv1D"):
            cfg = dict(base, filters=c["filters"], **common, groups=1, activation=act(c["activation"]),
                       use_bias=c["use_bias"], kernel_initializer=init("GlorotUniform"),
                       bias_initializer=init("Zeros", False), kernel_regularizer=None,
                       bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                       bias_constraint=None)
            oc = c["filters"]
        elif cls == "DepthwiseConv2D":
            cfg = dict(base, depth_multiplier=c["depth_multiplier"], **common,
                       activation=act(c["activation"]), use_bias=c["use_bias"],
                       depthwise_initializer=init("GlorotUniform"), bias_initializer=init("Zeros", False),
                       depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                       depthwise_constraint=None, bias_constraint=None)
            oc = shape[-1] * c["depth_multiplier"]
        else:
            cfg = dict(base, depth_multiplier=c.get("depth_multiplier", 1), filters=c["filters"], **common,
                       activation=act(c["activation"]), use_bias=c["use_bias"],
                       depthwise_initializer=init("GlorotUniform"),
                       pointwise_initializer=init("GlorotUniform"), bias_initializer=init("Zeros", False),
                       depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                       activity_regularizer=None, depthwise_constraint=None, pointwise_constraint=None,
                       bias_constraint=None)
            oc = c["filters"]
        sp = [conv_out(shape[1 + i], k[i], s[i], d[i], c["padding"]) for i in range(n)]
        out = [None] + sp + [oc]
    elif cls in ("MaxPooling2D", "AveragePooling2D", "MaxPooling1D", "AveragePooling1D"):
        n = 1 if cls.endswith("1D") else 2
        p = tup(c["pool_size"], n)
        s = tup(c["strides"] if c.get("strides") is not None else p, n)
        cfg = dict(base, pool_size=p, padding=c["padding"], strides=s, data_format="channels_last")
        out = [None] + [conv_out(shape[1 + i], p[i], s[i], 1, c["padding"]) for i in range(n)] + [shape[-1]]
    elif cls.startswith("Global"):
        cfg = dict(base, data_format="channels_last", keepdims=False)
        out = [None, shape[-1]]
    elif cls == "ZeroPadding2D":
        p = c["padding"]
        cfg = dict(base, padding=p, data_format="channels_last")
        out = [None, shape[1] + p[0][0] + p[0][1], shape[2] + p[1][0] + p[1][1], shape[3]]
    elif cls == "BatchNormalization":
        cfg = dict(base, axis=-1, momentum=c["momentum"], epsilon=c["epsilon"], center=c["center"],
                   scale=c["scale"], beta_initializer=init("Zeros", False),
                   gamma_initializer=init("Ones", False), moving_mean_initializer=init("Zeros", False),
                   moving_variance_initializer=init("Ones", False), beta_regularizer=None,
                   gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                   synchronized=False, renorm=False, renorm_clipping=None, renorm_momentum=0.99)
    elif cls == "Flatten":
        cfg = dict(base, data_format="channels_last")
        out = [None, int(np.prod(shape[1:]))]
    elif cls == "Reshape":
        cfg = dict(base, target_shape=c["target_shape"])
        out = [None] + c["target_shape"]
    elif cls == "Dropout":
        cfg = dict(base, rate=c["rate"], seed=None, noise_shape=None)
    elif cls == "Activation":
        cfg = dict(base, activation=act(c["activation"]))
    elif cls == "ReLU":
        cfg = dict(base, max_value=c.get("max_value"), negative_slope=0.0, threshold=0.0)
    elif cls == "LeakyReLU":
        cfg = dict(base, negative_slope=c["alpha"])
    elif cls == "ELU":
        cfg = dict(base)      # Keras 3's ELU has no get_config: alpha is not saved
        assert c.get("alpha", 1) == 1
    else:
        raise SystemExit(f"make_keras.py: no Keras 3 form for {cls}")
    return {"module": "keras.layers", "class_name": cls, "config": cfg, "registered_name": None,
            "build_config": {"input_shape": list(shape)}}, out


# the order of save_own_variables (trainable, then non-trainable, as built)
PARTS = ["kernel", "depthwise_kernel", "pointwise_kernel", "bias", "gamma", "beta", "moving_mean",
         "moving_variance"]


def tfjs_weights(d):
    mj = json.load(open(os.path.join(d, "model.json")))
    raw = open(os.path.join(d, "weights.bin"), "rb").read()
    w, off = {}, 0
    for spec in mj["weightsManifest"][0]["weights"]:
        n = int(np.prod(spec["shape"])) if spec["shape"] else 1
        w[spec["name"]] = np.frombuffer(raw, "<f4", n, off).reshape(spec["shape"]).copy()
        off += 4 * n
    assert off == len(raw)
    return mj, w


def build(name, compile_config=None, names=True, optimizer_vars=False):
    """(config.json text, model.weights.h5 bytes) of fixture NAME."""
    mj, w = tfjs_weights(os.path.join(IMPORT, name))
    topo = mj["modelTopology"]
    tl = topo["config"]["layers"]
    in_shape = tl[0]["config"]["batch_input_shape"]
    layers = [{"module": "keras.layers", "class_name": "InputLayer",
               "config": {"batch_shape": in_shape, "dtype": "float32", "sparse": False, "ragged": False,
                          "name": "input_layer", "optional": False},
               "registered_name": None}]
    shape = list(in_shape)
    for L in tl:
        k3, shape = keras3_layer(L, shape)
        layers.append(k3)
    model = {"module": "keras", "class_name": "Sequential",
             "config": {"name": topo["config"]["name"], "trainable": True, "dtype": policy(),
                        "layers": layers, "build_input_shape": in_shape},
             "registered_name": None, "build_config": {"input_shape": in_shape}}
    if compile_config is not None:
        model["compile_config"] = compile_config
    config = json.dumps(model)

    bio = io.BytesIO()
    with h5py.File(bio, "w") as f:
        v = f.create_group("vars")
        if names:
            v.attrs["name"] = topo["config"]["name"]
        used = {}
        for L in tl:
            g = to_snake_case(L["class_name"])
            if g in used:
                used[g] += 1
                g = f"{g}_{used[g]}"
            else:
                used[g] = 0
            lname = L["config"]["name"]
            parts = [p for p in PARTS if f"{lname}/{p}" in w]
            vg = f.create_group(f"layers/{g}").create_group("vars")
            if names:
                vg.attrs["name"] = lname
            for i, p in enumerate(parts):
                vg[str(i)] = w[f"{lname}/{p}"]
        if optimizer_vars:      # a compiled and trained model: the optimizer's state
            og = f.create_group("optimizer").create_group("vars")
            og.attrs["name"] = "adam"
            og["0"] = np.array(7, dtype=np.int64)
            og["1"] = np.array(0.005, dtype=np.float32)
    return config, bio.getvalue()


def write_zip(path, members, deflate=False):
    """members: [(name, bytes)], in order, fixed dates; ZIP_STORED as Keras
    writes them, or ZIP_DEFLATED (a .keras file zipped again)."""
    bio = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # two_configs: "Duplicate name"
        with zipfile.ZipFile(bio, "w") as zf:
            for name, data in members:
                zi = zipfile.ZipInfo(name, DATE)
                zi.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
                zf.writestr(zi, data)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(bio.getvalue())
    os.replace(tmp, path)


def keras_file(path, config, h5, deflate=False):
    meta = json.dumps({"keras_version": KERAS_VERSION, "date_saved": "2026-01-01@00:00:00"})
    write_zip(path, [("metadata.json", meta.encode()), ("config.json", config.encode()),
                     ("model.weights.h5", h5)], deflate)


ADAM = {"module": "keras.optimizers", "class_name": "Adam",
        "config": {"name": "adam", "learning_rate": 0.005, "weight_decay": None, "clipnorm": None,
                   "global_clipnorm": None, "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
                   "ema_overwrite_frequency": None, "loss_scale_factor": None,
                   "gradient_accumulation_steps": None, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07,
                   "amsgrad": False},
        "registered_name": None}
SCCE = {"module": "keras.losses", "class_name": "SparseCategoricalCrossentropy",
        "config": {"name": "sparse_categorical_crossentropy", "reduction": "sum_over_batch_size",
                   "from_logits": False, "ignore_class": None},
        "registered_name": None}


def compiled(opt, loss):
    return {"optimizer": opt, "loss": loss, "loss_weights": None, "metrics": ["accuracy"],
            "weighted_metrics": None, "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}


def h5_edit(h5, fn):
    """fn(h5py.File) applied to a copy of the HDF5 bytes."""
    bio = io.BytesIO(h5)
    with h5py.File(bio, "r+") as f:
        fn(f)
    return bio.getvalue()


def main():
    out = HERE
    good = {
        # Keras 3.6+ layout; compiled with an Adam object and a loss object, the
        # optimizer's state in the file (ignored)
        "seq2": dict(compile_config=compiled(ADAM, SCCE), optimizer_vars=True),
        # Keras 3.0-3.5's layout: no name attributes
        "cnn2": dict(names=False),
        # compiled with names: compile(optimizer="sgd", loss="categorical_crossentropy")
        "mlp": dict(compile_config=compiled("sgd", "categorical_crossentropy")),
        "cnn": dict(),      # zipped again, deflated
        "seq": dict(names=False),
    }
    for name, kw in good.items():
        config, h5 = build(name, **kw)
        keras_file(os.path.join(out, name + ".keras"), config, h5, deflate=name == "cnn")
        print(f"{name}.keras: {os.path.getsize(os.path.join(out, name + '.keras'))} bytes")

    # malformed files, each from seq2 (Conv1D, GlobalMaxPooling1D, Dense)
    bad = os.path.join(out, "bad")
    os.makedirs(bad, exist_ok=True)
    config, h5 = build("seq2")
    cj = json.loads(config)

    def cfg_edit(fn):
        c = copy.deepcopy(cj)
        fn(c)
        return json.dumps(c)

    def set_cls(c, i, cls):
        c["config"]["layers"][i]["class_name"] = cls

    def dense_vars(f):
        return f["layers/dense/vars"]

    def f64(f):
        k = dense_vars(f)["0"][()]
        del dense_vars(f)["0"]
        dense_vars(f)["0"] = k.astype(np.float64)

    def reshape(f):
        k = dense_vars(f)["0"][()]
        del dense_vars(f)["0"]
        dense_vars(f)["0"] = k.reshape(9, 1)

    def nan(f):
        k = dense_vars(f)["1"][()]
        k[2] = np.nan
        dense_vars(f)["1"][...] = k

    def extlink(f):
        del f["layers/dense"]
        f["layers/dense"] = h5py.ExternalLink("/etc/passwd", "/vars")

    def softlink(f):
        f["layers/dense_1"] = h5py.SoftLink("/layers/dense")

    def stranger(f):
        f.create_group("layers/lstm/vars")["0"] = np.zeros(3, np.float32)

    def rename(f):
        dense_vars(f).attrs["name"] = "conv1d_Conv1D3"

    def extra(f):
        dense_vars(f)["2"] = np.zeros(3, np.float32)

    cases = {
        "no_config": [("metadata.json", b"{}"), ("model.weights.h5", h5)],
        "no_weights": [("metadata.json", b"{}"), ("config.json", config.encode())],
        "npz_weights": [("config.json", config.encode()), ("model.weights.npz", b"PK")],
        "two_configs": [("config.json", config.encode()), ("config.json", config.encode()),
                        ("model.weights.h5", h5)],
        "bad_json": [("config.json", config[:-5].encode()), ("model.weights.h5", h5)],
        "functional": [("config.json", cfg_edit(lambda c: c.update(class_name="Functional")).encode()),
                       ("model.weights.h5", h5)],
        "unknown_layer": [("config.json", cfg_edit(lambda c: set_cls(c, 2, "LSTM")).encode()),
                          ("model.weights.h5", h5)],
        "custom_class": [("config.json", cfg_edit(lambda c: c["config"]["layers"][3].update(
                             module="my_layers", registered_name="MyLayers>Dense")).encode()),
                         ("model.weights.h5", h5)],
        "lora": [("config.json", cfg_edit(lambda c: c["config"]["layers"][3]["config"].update(
                     lora_rank=4, lora_alpha=4)).encode()), ("model.weights.h5", h5)],
        "logits": [("config.json", cfg_edit(lambda c: c.update(compile_config=compiled(
                       ADAM, dict(SCCE, config=dict(SCCE["config"], from_logits=True))))).encode()),
                   ("model.weights.h5", h5)],
        "not_h5": [("config.json", config.encode()), ("model.weights.h5", b"not an HDF5 file\n" * 8)],
        "truncated_h5": [("config.json", config.encode()), ("model.weights.h5", h5[:len(h5) // 2])],
        "missing_dataset": [("config.json", config.encode()),
                            ("model.weights.h5", h5_edit(h5, lambda f: dense_vars(f).__delitem__("1")))],
        "missing_group": [("config.json", config.encode()),
                          ("model.weights.h5", h5_edit(h5, lambda f: f["layers"].__delitem__("conv1d")))],
        "float64": [("config.json", config.encode()), ("model.weights.h5", h5_edit(h5, f64))],
        "wrong_shape": [("config.json", config.encode()), ("model.weights.h5", h5_edit(h5, reshape))],
        "nan": [("config.json", config.encode()), ("model.weights.h5", h5_edit(h5, nan))],
        "extra_dataset": [("config.json", config.encode()), ("model.weights.h5", h5_edit(h5, extra))],
        "stranger_group": [("config.json", config.encode()), ("model.weights.h5", h5_edit(h5, stranger))],
        "wrong_name": [("config.json", config.encode()), ("model.weights.h5", h5_edit(h5, rename))],
        "external_link": [("config.json", config.encode()), ("model.weights.h5", h5_edit(h5, extlink))],
        "soft_link": [("config.json", config.encode()), ("model.weights.h5", h5_edit(h5, softlink))],
    }
    for name, members in cases.items():
        write_zip(os.path.join(bad, name + ".keras"), members, deflate=True)
    print(f"bad/: {len(cases)} malformed files")

    # seeds of tests/fuzz/fuzz_import_keras.c: config.json "\n@@H5@@\n"
    # model.weights.h5 (the harness zips them), and one whole .keras file
    corpus = os.path.join(HERE, "..", "fuzz", "corpus", "fuzz_import_keras")
    os.makedirs(corpus, exist_ok=True)
    for name, kw in (("seq2", good["seq2"]), ("cnn2", good["cnn2"])):
        config, h5 = build(name, **kw)
        with open(os.path.join(corpus, f"seed-{name}"), "wb") as f:
            f.write(config.encode() + b"\n@@H5@@\n" + h5)
    with open(os.path.join(out, "seq2.keras"), "rb") as f, \
         open(os.path.join(corpus, "seed-seq2-zip"), "wb") as g:
        g.write(f.read())


if __name__ == "__main__":
    sys.exit(main())
