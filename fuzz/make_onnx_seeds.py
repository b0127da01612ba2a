#!/usr/bin/python3
"""Writes the seed corpus of the onnx fuzz harness (fuzz/corpus/onnx/): small ONNX models that
together use every operator the reader accepts, plus one it refuses. Needs Debian's python3-onnx.

    fuzz/make_onnx_seeds.py [OUT_DIR]     # default fuzz/corpus/onnx
"""

import pathlib
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

OUT = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else \
    pathlib.Path(__file__).resolve().parent / "corpus" / "onnx"
rng = np.random.default_rng(0)


def init(name, *shape, dtype=np.float32):
    values = rng.standard_normal(shape).astype(dtype) if dtype == np.float32 else \
        np.zeros(shape, dtype)
    return numpy_helper.from_array(values, name)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, np.int64), name)


def model(nodes, inits, in_shape, out="y"):
    graph = helper.make_graph(
        nodes, "seed", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", *in_shape])],
        [helper.make_tensor_value_info(out, TensorProto.FLOAT, None)], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="seeds")
    m.ir_version = 8
    return m


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    cnn = model([
        helper.make_node("Conv", ["x", "k", "b"], ["c"], "conv", pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("BatchNormalization", ["c", "g", "be", "m", "v"], ["n"], "bn"),
        helper.make_node("Relu", ["n"], ["r"], "relu"),
        helper.make_node("Conv", ["r", "dk"], ["d"], "depthwise", group=4, pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["d", "r"], ["s"], "residual"),
        helper.make_node("Clip", ["s", "lo", "hi"], ["cl"], "clip"),
        helper.make_node("MaxPool", ["cl"], ["p"], "pool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("AveragePool", ["p"], ["a"], "avg", kernel_shape=[1, 1]),
        helper.make_node("GlobalAveragePool", ["a"], ["gp"], "gap"),
        helper.make_node("Flatten", ["gp"], ["f"], "flatten"),
        helper.make_node("Gemm", ["f", "w", "wb"], ["l"], "fc", transB=1),
        helper.make_node("Dropout", ["l"], ["dr"], "dropout"),
        helper.make_node("Softmax", ["dr"], ["y"], "softmax", axis=1),
    ], [init("k", 4, 1, 3, 3), init("b", 4), init("g", 4), init("be", 4), init("m", 4),
        numpy_helper.from_array(np.abs(rng.standard_normal(4)).astype(np.float32) + 0.1, "v"),
        init("dk", 4, 1, 3, 3), numpy_helper.from_array(np.float32(0), "lo"),
        numpy_helper.from_array(np.float32(6), "hi"), init("w", 10, 4), init("wb", 10)], [1, 8, 8])
    transformer = model([
        helper.make_node("Reshape", ["x", "shape"], ["t"], "tokens"),
        helper.make_node("MatMul", ["t", "wq"], ["q0"], "q"),
        helper.make_node("Add", ["q0", "bq"], ["q"], "q_bias"),
        helper.make_node("Transpose", ["q"], ["kt"], "kt", perm=[0, 2, 1]),
        helper.make_node("MatMul", ["q", "kt"], ["att0"], "scores"),
        helper.make_node("Div", ["att0", "scale"], ["att1"], "scale_div"),
        helper.make_node("Softmax", ["att1"], ["att"], "att"),
        helper.make_node("MatMul", ["att", "q"], ["ctx"], "context"),
        helper.make_node("LayerNormalization", ["ctx", "ln_g", "ln_b"], ["ln"], "ln", axis=-1),
        helper.make_node("Mul", ["ln", "half"], ["h0"], "gelu_half"),
        helper.make_node("Div", ["ln", "sqrt2"], ["h1"], "gelu_div"),
        helper.make_node("Erf", ["h1"], ["h2"], "gelu_erf"),
        helper.make_node("Add", ["h2", "one"], ["h3"], "gelu_add"),
        helper.make_node("Mul", ["h0", "h3"], ["h"], "gelu_mul"),
        helper.make_node("Pow", ["h", "two"], ["hp"], "pow"),
        helper.make_node("Sqrt", ["hp"], ["hs"], "sqrt"),
        helper.make_node("Tanh", ["hs"], ["ht"], "tanh"),
        helper.make_node("Sigmoid", ["ht"], ["hg"], "sigmoid"),
        helper.make_node("Exp", ["hg"], ["he"], "exp"),
        helper.make_node("Sub", ["he", "one"], ["hm"], "sub"),
        helper.make_node("ReduceMean", ["hm"], ["rm"], "mean", axes=[1], keepdims=0),
        helper.make_node("Shape", ["t"], ["sh"], "shape"),
        helper.make_node("Gather", ["sh", "zero"], ["b0"], "batch", axis=0),
        helper.make_node("Unsqueeze", ["b0", "axes0"], ["b1"], "unsq"),
        helper.make_node("Concat", ["b1", "minus1"], ["flat_shape"], "concat", axis=0),
        helper.make_node("Slice", ["rm", "s0", "s1", "s_axes"], ["sl"], "slice"),
        helper.make_node("Reshape", ["sl", "flat_shape"], ["fl"], "flat"),
        helper.make_node("Unsqueeze", ["fl", "axes0"], ["u"], "unsq2"),
        helper.make_node("Squeeze", ["u", "axes0"], ["sq"], "sq"),
        helper.make_node("Cast", ["sq"], ["cs"], "cast", to=TensorProto.FLOAT),
        helper.make_node("Identity", ["cs"], ["y"], "identity"),
    ], [ints("shape", [-1, 7, 4]), init("wq", 4, 4), init("bq", 4),
        numpy_helper.from_array(np.float32(2), "scale"), init("ln_g", 4), init("ln_b", 4),
        numpy_helper.from_array(np.float32(0.5), "half"),
        numpy_helper.from_array(np.float32(1.4142135), "sqrt2"),
        numpy_helper.from_array(np.float32(1), "one"), numpy_helper.from_array(np.float32(2), "two"),
        ints("zero", 0), ints("axes0", [0]), ints("minus1", [-1]), ints("s0", [1]), ints("s1", [3]),
        ints("s_axes", [1])], [28])
    refused = model([helper.make_node("LSTM", ["x"], ["y"], "lstm")], [], [4])
    for name, m in (("cnn", cnn), ("transformer", transformer), ("unsupported", refused)):
        (OUT / f"{name}.onnx").write_bytes(m.SerializeToString())
    print(f"wrote 3 seeds to {OUT}")


if __name__ == "__main__":
    main()
