#!/usr/bin/python3
"""check.py - onnx.checker (Debian's python3-onnx) on exported files.

usage: /usr/bin/python3 tests/onnx/check.py FILE.onnx...
Runs the full check (with shape inference) and checks the interface seqc
promises: opset >= 13, one input "input" and one output "output", float,
with a symbolic batch dimension.  Prints one line per file; exit 1 if any
fails."""
import sys

import onnx


def check(path):
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    opset = max(o.version for o in m.opset_import if o.domain in ("", "ai.onnx"))
    assert opset >= 13, f"opset {opset}"
    g = m.graph
    assert [i.name for i in g.input] == ["input"], [i.name for i in g.input]
    assert [o.name for o in g.output] == ["output"], [o.name for o in g.output]
    for v in (g.input[0], g.output[0]):
        t = v.type.tensor_type
        assert t.elem_type == onnx.TensorProto.FLOAT
        assert t.shape.dim[0].dim_param == "N"
    ops = sorted({n.op_type for n in g.node})
    shape = [d.dim_value or d.dim_param for d in g.input[0].type.tensor_type.shape.dim]
    print(f"{path}: onnx.checker ok (opset {opset}, input {shape}, {len(g.node)} nodes: {' '.join(ops)})")


def main():
    bad = 0
    for p in sys.argv[1:]:
        try:
            check(p)
        except Exception as e:  # noqa: BLE001 - report every file
            print(f"{p}: FAIL {type(e).__name__}: {e}")
            bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main())
