#!/usr/bin/env python3
"""mkcorpus.py - (re)writes the seed corpora in tests/fuzz/corpus/.

Usage (from the repository root):
    python3 tests/fuzz/mkcorpus.py WEIGHTS_FILE
WEIGHTS_FILE is a valid SEQCWTS1 file of tests/specs/grad/grad_conv.yaml,
made by tests/fuzz/mkweights.c (`make fuzz-corpus` does both).
Only seeds named seed-* are written; regression inputs (regress-*) that
fuzzing found are kept as they are.  Seeds are small, valid and near-valid
inputs in each harness's input layout (see the comment atop fuzz_*.c)."""
import glob, gzip, os, shutil, struct, sys, zlib

ROOT = "tests/fuzz/corpus"


def put(h, name, data):
    d = os.path.join(ROOT, h)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def idx3(n, h, w, pix=None, magic=0x803):
    pix = pix if pix is not None else bytes((i * 37) & 255 for i in range(n * h * w))
    return struct.pack(">IIII", magic, n, h, w) + pix


def idx1(labels, magic=0x801, n=None):
    return struct.pack(">II", magic, len(labels) if n is None else n) + bytes(labels)


def idx_any(magic, dims, payload):
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + payload


def npy(descr, shape, data, version=1, fortran=False, header=None):
    """A .npy file as numpy writes it (header padded to 64 bytes)."""
    if header is None:
        tup = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
        header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, tup)
    h = header.encode("latin1")
    pre = 10 if version == 1 else 12
    hl = (pre + len(h) + 1 + 63) // 64 * 64 - pre
    h = h + b" " * (hl - len(h) - 1) + b"\n"
    ln = struct.pack("<H", hl) if version == 1 else struct.pack("<I", hl)
    return b"\x93NUMPY" + bytes([version, 0]) + ln + h + data


def png(w, h, color, depth, rows, plte=b"", trns=b"", interlace=0):
    """A PNG from raw scanlines (filter byte included in rows)."""
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color, 0, 0,
                                                              interlace))
    if plte:
        out += chunk(b"PLTE", plte)
    if trns:
        out += chunk(b"tRNS", trns)
    return out + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def gz(b, mtime=0):
    return gzip.compress(b, compresslevel=6, mtime=mtime)


# name -> (classes, images bytes, labels bytes)
PAIRS = {
    "valid-3x4x4": (10, idx3(3, 4, 4), idx1([0, 9, 3])),
    "valid-1x28x28": (10, idx3(1, 28, 28), idx1([7])),
    "valid-256classes": (0, idx3(2, 2, 3), idx1([255, 0])),
    "label-out-of-range": (10, idx3(2, 2, 2), idx1([1, 10])),
    "count-mismatch": (10, idx3(3, 2, 2), idx1([1, 2])),
    "swapped": (10, idx1([1, 2]), idx3(2, 1, 1)),
    "truncated-header": (10, idx3(2, 2, 2)[:10], idx1([1, 2])),
    "truncated-data": (10, idx3(2, 2, 2)[:-1], idx1([1, 2])),
    "trailing-garbage": (10, idx3(1, 2, 2) + b"xx", idx1([1]) + b"\0"),
    "huge-dims": (10, struct.pack(">IIII", 0x803, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF) + b"\0" * 4,
                  idx1([1], n=0x7FFFFFFF)),
    "zero-dim": (10, idx3(0, 2, 2, pix=b""), idx1([])),
    # any rank, float32 (IDX type 0x0D, big-endian)
    "valid-rank4": (10, idx_any(0x804, [3, 2, 2, 3], bytes(range(36))), idx1([0, 9, 3])),
    "valid-rank2": (10, idx_any(0x802, [3, 5], bytes(range(15))), idx1([1, 2, 3])),
    "valid-rank1": (10, idx_any(0x801, [3], b"abc"), idx1([1, 2, 3])),
    "valid-float": (3, idx_any(0xD03, [2, 2, 1], struct.pack(">4f", 0.5, -1.0, 1e30, 0.0)),
                    idx1([0, 2])),
    "float-nan": (3, idx_any(0xD02, [2, 1], struct.pack(">2f", 1.0, float("nan"))), idx1([0, 2])),
    "float64": (3, idx_any(0xE02, [2, 1], struct.pack(">2d", 1.0, 2.0)), idx1([0, 2])),
    "rank5": (3, idx_any(0x805, [1, 1, 1, 1, 2], b"ab"), idx1([0])),
}


def idx_input(classes, im, lb):
    return bytes([classes]) + struct.pack("<H", len(im)) + im + lb


def npy_input(classes, x, y):
    return bytes([classes]) + struct.pack("<H", len(x)) + x + y


def img_input(channels, h, w, data):
    return bytes([channels, h - 1, w - 1]) + data


def gz_input(mode, classes, im, lb):
    return bytes([mode, classes]) + struct.pack("<H", len(im)) + im + lb


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for h in ("fuzz_spec", "fuzz_idx", "fuzz_gz", "fuzz_csv", "fuzz_npy", "fuzz_imgdir",
              "fuzz_weights"):
        for f in glob.glob(os.path.join(ROOT, h, "seed-*")):
            os.remove(f)

    # ---- specs: every committed spec, good and bad ----
    for p in sorted(glob.glob("specs/*.yaml") + glob.glob("tests/specs/*/*.yaml")):
        if os.path.getsize(p) > 8192:   # keep the committed corpus small
            continue
        sub = os.path.basename(os.path.dirname(p))
        put("fuzz_spec", sub + "-" + os.path.basename(p), open(p, "rb").read())

    # hand-made specs for the limits the committed specs do not reach
    base = "layers:\n  - input: {shape: [4]}\n"
    put("fuzz_spec", "synth-too-many-layers.yaml",
        (base + "  - dense: {units: 2}\n" + "  - dropout: {rate: 0.5}\n" * 256).encode())
    put("fuzz_spec", "synth-65-keys.yaml", (base + "train: {" +
        ", ".join("k%d: %d" % (i, i) for i in range(65)) + "}\n").encode())
    put("fuzz_spec", "synth-layer-named-model.yaml",
        b"name: m\nlayers:\n  - input: {shape: [4], name: m}\n  - dense: {units: 2, activation: softmax}\n")
    put("fuzz_spec", "synth-rate-mapping.yaml",
        (base + "  - dropout: {rate: {a: 1}}\n  - dense: {units: 2, activation: softmax}\n").encode())
    put("fuzz_spec", "synth-full.yaml", b"""name: full
layers:
  - input: {shape: [12, 10, 2], name: img}
  - zero_padding2d: {padding: [[1, 0], [2, 1]]}
  - conv2d: {filters: 3, kernel_size: [3, 2], strides: [2, 1], padding: same, activation: relu, use_bias: false}
  - max_pooling2d: {pool_size: [2, 3], strides: 1, padding: valid}
  - average_pooling2d: {pool_size: 2, padding: same}
  - activation: sigmoid
  - flatten:
  - dropout: {rate: 0.1}
  - dense: {units: 3, activation: softmax}
loss: sparse_categorical_crossentropy
optimizer: {adam: {learning_rate: 0.01, beta_1: 0.8, beta_2: 0.99, epsilon: 1.0e-8}}
train: {batch_size: 8, epochs: 2, seed: 4294967295}
data: {dir: out/data/mnist}
""")

    # ---- raw IDX pairs ----
    for name, (c, im, lb) in PAIRS.items():
        put("fuzz_idx", name, idx_input(c, im, lb))

    # ---- gzip IDX pairs ----
    for name, (c, im, lb) in list(PAIRS.items())[:5]:
        put("fuzz_gz", "harness-gz-" + name, gz_input(3, c, im, lb))      # harness compresses
        put("fuzz_gz", "file-gz-" + name, gz_input(0, c, gz(im), gz(lb)))  # real .gz bytes
    c, im, lb = PAIRS["valid-3x4x4"]
    put("fuzz_gz", "t10k-stored", gz_input(3 | 4, c, im, lb))               # level 0, t10k-*
    put("fuzz_gz", "t10k-level9", gz_input(3 | 4 | 24, c, im, lb))
    put("fuzz_gz", "plain-bytes", gz_input(0, c, im, lb))                  # not gzip at all
    put("fuzz_gz", "mixed", gz_input(1, c, im, gz(lb)))
    g = gz(im)
    put("fuzz_gz", "truncated-stream", gz_input(0, c, g[:len(g) // 2], gz(lb)))
    put("fuzz_gz", "no-trailer", gz_input(0, c, g[:-8], gz(lb)))
    bad = bytearray(g); bad[-8] ^= 0xFF                                     # CRC-32 wrong
    put("fuzz_gz", "bad-crc", gz_input(0, c, bytes(bad), gz(lb)))
    bad = bytearray(g); bad[-1] ^= 0x01                                     # ISIZE wrong
    put("fuzz_gz", "bad-isize", gz_input(0, c, bytes(bad), gz(lb)))
    put("fuzz_gz", "multi-member", gz_input(0, c, gz(im[:9]) + gz(im[9:]), gz(lb)))
    put("fuzz_gz", "gz-then-garbage", gz_input(0, c, g + b"garbage", gz(lb)))
    put("fuzz_gz", "bomb-ish", gz_input(0, c, gz(struct.pack(">IIII", 0x803, 1, 1024, 1024) +
                                                  b"\0" * (1024 * 1024)), gz(idx1([1]))))

    # ---- CSV ----
    hdr_l = ",".join(["label"] + ["pixel%d" % i for i in range(784)])
    hdr_u = ",".join("pixel%d" % i for i in range(784))
    row = lambda lab, v=0: ",".join(([str(lab)] if lab is not None else []) +
                                    [str((v + i * 7) % 256 if v else 0) for i in range(784)])
    put("fuzz_csv", "labeled", (hdr_l + "\n" + row(3) + "\n" + row(9, 1) + "\n").encode())
    put("fuzz_csv", "unlabeled-crlf-bom", ("\ufeff" + hdr_u + "\r\n" + row(None) + "\r\n\r\n")
        .encode("utf-8"))
    put("fuzz_csv", "no-final-newline", (hdr_l + "\n" + row(0)).encode())
    put("fuzz_csv", "label-range", (hdr_l + "\n" + row(10) + "\n").encode())
    put("fuzz_csv", "pixel-range", (hdr_l + "\n" + row(1).replace(",0,", ",256,", 1) + "\n").encode())
    put("fuzz_csv", "too-few", (hdr_l + "\n" + row(1).rsplit(",", 1)[0] + "\n").encode())
    put("fuzz_csv", "blank-middle", (hdr_l + "\n" + row(1) + "\n\n" + row(2) + "\n").encode())
    put("fuzz_csv", "header-only", (hdr_l + "\n").encode())
    put("fuzz_csv", "bad-header", hdr_l.replace("pixel5,", "pixel55,").encode() + b"\n")
    put("fuzz_csv", "empty", b"")
    g = gz((hdr_l + "\n" + row(3) + "\n").encode())
    put("fuzz_csv", "gzipped", g)                       # read_all goes through zlib
    put("fuzz_csv", "gzipped-truncated", g[:len(g) - 12])

    # ---- NumPy .npy pairs ----
    x12, y3 = bytes(range(12)), bytes([2, 0, 1])
    yu1 = npy("|u1", [3], y3)
    NPY = {
        "valid-u1-v1": (3, npy("|u1", [3, 2, 2], x12), yu1),
        "valid-f4-v2": (3, npy("<f4", [3, 1, 2, 1], struct.pack("<6f", 0, .5, 1, -2, 3e-3, 7),
                               version=2), npy("<i8", [3, 1], struct.pack("<3q", 1, 2, 0), version=2)),
        "valid-v3-forms": (3, npy("", [], x12, version=3, header='{"shape": (3L,\n 4L), '
                                  '"fortran_order":False, "descr" : "<u1"}'), npy("<u2", [3],
                                  struct.pack("<3H", 0, 1, 2))),
        "valid-scalar-samples": (3, npy("|u1", [3], b"abc"), npy("|i1", [3], y3)),
        "label-i4-neg": (3, npy("|u1", [3, 4], x12), npy("<i4", [3], struct.pack("<3i", 0, -1, 2))),
        "label-u8-max": (3, npy("|u1", [3, 4], x12), npy("<u8", [3], struct.pack("<3Q", 0, 2**64 - 1, 1))),
        "labels-float": (3, npy("|u1", [3, 4], x12), npy("<f4", [3], struct.pack("<3f", 0, 1, 2))),
        "count-mismatch": (3, npy("|u1", [3, 4], x12), npy("|u1", [2], y3[:2])),
        "float64": (3, npy("<f8", [3, 1], struct.pack("<3d", 0, 1, 2)), yu1),
        "big-endian": (3, npy(">f4", [3, 1], struct.pack(">3f", 0, 1, 2)), yu1),
        "fortran": (3, npy("|u1", [3, 4], x12, fortran=True), yu1),
        "nan": (3, npy("<f4", [3, 1], struct.pack("<3f", 0, float("nan"), 2)), yu1),
        "truncated": (3, npy("|u1", [3, 4], x12[:11]), yu1),
        "trailing": (3, npy("|u1", [3, 4], x12 + b"xx"), yu1),
        "huge-shape": (3, npy("|u1", [2**31, 28, 28], x12), yu1),
        "overflow": (3, npy("<f4", [2**32, 2**32, 2**32], x12), yu1),
        "extra-key": (3, npy("", [], x12, header="{'descr': '|u1', 'fortran_order': False, "
                             "'shape': (3, 4), 'x': 1}"), yu1),
        "dup-key": (3, npy("", [], x12, header="{'descr': '|u1', 'descr': '|u1', "
                           "'fortran_order': False, 'shape': (3, 4)}"), yu1),
        "int-not-tuple": (3, npy("", [], x12, header="{'descr': '|u1', 'fortran_order': False, "
                                 "'shape': (12)}"), yu1),
        "version4": (3, b"\x93NUMPY\x04\x00" + npy("|u1", [3, 4], x12)[8:], yu1),
        "header-len-lie": (3, npy("|u1", [3, 4], x12)[:8] + b"\xff\x7f" + npy("|u1", [3, 4], x12)[10:], yu1),
        "npz": (3, b"PK\x03\x04" + bytes(26), yu1),
    }
    for name, (c, x, y) in NPY.items():
        put("fuzz_npy", name, npy_input(c, x, y))

    # ---- PNG through the image-folder loader ----
    rgb = b"".join(b"\0" + bytes((x * 40 + y * 7 + c * 90) & 255 for x in range(4) for c in range(3))
                   for y in range(4))
    PNGS = {
        "rgb8-same": img_input(3, 4, 4, png(4, 4, 2, 8, rgb)),
        "rgb8-resize-up": img_input(3, 9, 7, png(4, 4, 2, 8, rgb)),
        "rgb8-to-grey-down": img_input(1, 2, 2, png(4, 4, 2, 8, rgb)),
        "rgba16": img_input(4, 2, 2, png(2, 2, 6, 16, b"".join(b"\0" + bytes(range(y * 16, y * 16 + 16))
                                                               for y in range(2)))),
        "grey1": img_input(1, 8, 8, png(8, 2, 0, 1, b"\0\xa5\0\x5a")),
        "grey4-trns": img_input(4, 3, 3, png(4, 1, 0, 4, b"\0\x12\x3f", trns=b"\0\x03")),
        "grey-alpha": img_input(3, 2, 2, png(2, 1, 4, 8, b"\0\x10\x20\x30\x40")),
        "palette-trns": img_input(4, 2, 2, png(2, 2, 3, 2, b"\0\x40\0\x80",
                                              plte=b"\xff\0\0\0\xff\0\0\0\xff", trns=b"\x80")),
        "interlaced": img_input(3, 5, 5, png(5, 5, 2, 8, b"".join(b"\0" + bytes(range(15)) for _ in range(5)),
                                             interlace=1)),
        "liar-16000": img_input(3, 4, 4, png(16000, 16000, 2, 8, b"\0" * 10)),
        "truncated": img_input(3, 4, 4, png(4, 4, 2, 8, rgb)[:60]),
        "bad-crc": img_input(3, 4, 4, png(4, 4, 2, 8, rgb)[:29] + b"XXXX" + png(4, 4, 2, 8, rgb)[33:]),
        "not-png": img_input(3, 4, 4, b"hello"),
        "pgm": img_input(1, 2, 2, b"P5 2 2 255\n\x00\x40\x80\xff"),
    }
    for name, data in PNGS.items():
        put("fuzz_imgdir", name, data)

    # ---- weights (grad_conv) ----
    w = open(sys.argv[1], "rb").read()
    body = w[:-4]
    put("fuzz_weights", "valid", b"\0" + w)
    put("fuzz_weights", "valid-nocrc", b"\1" + body)
    put("fuzz_weights", "bad-crc", b"\0" + body + bytes(4))
    put("fuzz_weights", "bad-magic", b"\1" + b"SEQCWTS0" + body[8:])
    put("fuzz_weights", "tensor-count", b"\1" + body[:8] + struct.pack("<I", 6) + body[12:])
    put("fuzz_weights", "rank", b"\1" + body[:12] + struct.pack("<I", 3) + body[16:])
    put("fuzz_weights", "dim", b"\1" + body[:16] + struct.pack("<I", 0xFFFFFFFF) + body[20:])
    put("fuzz_weights", "truncated", b"\1" + body[:len(body) // 2])
    put("fuzz_weights", "trailing", b"\1" + body + b"\0\0\0\0")
    put("fuzz_weights", "header-only", b"\1" + body[:16])


if __name__ == "__main__":
    main()
