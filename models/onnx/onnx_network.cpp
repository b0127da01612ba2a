#include "models/onnx/onnx_network.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>
#include <utility>

#include "models/transformer/vit_forward.h"
#include "sim/core/errors.h"

namespace cimsim {
namespace {

using Shape = std::vector<std::int64_t>;
using Tensor = OnnxTensor;

// Bounds every tensor the interpreter makes (a Reshape or Concat of a hostile graph) [elements];
// kMaxOnnxTensorElements unless the fuzz harness lowers it.
std::atomic<std::uint64_t> max_elements{kMaxOnnxTensorElements};
// The largest kernel size, stride, dilation or padding of a window operator [elements].
constexpr std::int64_t kMaxWindow = 4096;

// Integer arithmetic of shape computations wraps instead of overflowing (a hostile graph).
std::int64_t wrap_add(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}
std::int64_t wrap_sub(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}
std::int64_t wrap_mul(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(b));
}

std::size_t elements_of(const Shape& shape, const std::string& where) {
  std::uint64_t n = 1;
  const std::uint64_t limit = max_elements.load();
  for (const std::int64_t d : shape) {
    if (d < 0) throw DataError(where + ": negative dimension in a computed shape");
    if (d != 0 && n > limit / static_cast<std::uint64_t>(d)) {
      throw DataError(where + ": a computed tensor exceeds " + std::to_string(limit) + " elements");
    }
    n *= static_cast<std::uint64_t>(d);
  }
  return static_cast<std::size_t>(n);
}

std::string shape_text(const Shape& s) {
  std::string out = "[";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

Tensor make_float(Shape shape, const std::string& where) {
  Tensor t;
  t.floats.assign(elements_of(shape, where), 0.0F);
  t.shape = std::move(shape);
  return t;
}

std::vector<float> as_floats(const Tensor& t) {
  if (!t.integer) return t.floats;
  return std::vector<float>(t.ints.begin(), t.ints.end());
}

std::vector<std::int64_t> as_ints(const Tensor& t, const std::string& where) {
  if (t.integer) return t.ints;
  std::vector<std::int64_t> out;
  for (float v : t.floats) {
    if (!std::isfinite(v) || std::fabs(v) > 9.0e15F) throw DataError(where + ": non-integer index");
    out.push_back(static_cast<std::int64_t>(v));
  }
  return out;
}

std::int64_t normalize_axis(std::int64_t axis, std::size_t rank, const std::string& where,
                            bool allow_end = false) {
  const auto r = static_cast<std::int64_t>(rank) + (allow_end ? 1 : 0);
  if (axis < -r || axis >= r) {
    throw DataError(where + ": axis " + std::to_string(axis) + " out of range for rank " +
                    std::to_string(rank));
  }
  return axis < 0 ? axis + r : axis;
}

Shape strides_of(const Shape& shape) {
  Shape s(shape.size(), 1);
  for (std::size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

// Numpy broadcasting of two shapes.
Shape broadcast_shape(const Shape& a, const Shape& b, const std::string& where) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t da = i + a.size() >= rank ? a[i + a.size() - rank] : 1;
    const std::int64_t db = i + b.size() >= rank ? b[i + b.size() - rank] : 1;
    if (da != db && da != 1 && db != 1) {
      throw DataError(where + ": shapes " + shape_text(a) + " and " + shape_text(b) +
                      " do not broadcast");
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// The offset, under `strides`, of each element of a tensor of shape `shape` in row-major order:
// the flat index each element reads when a tensor is walked with other strides (broadcast,
// transposed).
std::vector<std::size_t> strided_offsets(const Shape& shape, const Shape& strides) {
  const std::size_t n = static_cast<std::size_t>(
      std::accumulate(shape.begin(), shape.end(), std::int64_t{1}, std::multiplies<>()));
  std::vector<std::size_t> offsets(n);
  Shape counter(shape.size(), 0);
  std::size_t position = 0;
  for (std::size_t e = 0; e < n; ++e) {
    offsets[e] = position;
    for (std::size_t d = shape.size(); d-- > 0;) {
      ++counter[d];
      position += static_cast<std::size_t>(strides[d]);
      if (counter[d] < shape[d]) break;
      position -= static_cast<std::size_t>(strides[d] * shape[d]);
      counter[d] = 0;
    }
  }
  return offsets;
}

// Index into `shape` (right-aligned against out) of each element of a tensor of shape `out`.
std::vector<std::size_t> broadcast_index(const Shape& shape, const Shape& out) {
  const Shape in_strides = strides_of(shape);
  Shape s(out.size(), 0);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::size_t offset = out.size() - shape.size();
    if (i >= offset && shape[i - offset] != 1) s[i] = in_strides[i - offset];
  }
  return strided_offsets(out, s);
}

template <typename FloatOp, typename IntOp>
Tensor binary(const Tensor& a, const Tensor& b, const std::string& where, FloatOp fop, IntOp iop) {
  Tensor out;
  out.shape = broadcast_shape(a.shape, b.shape, where);
  const std::size_t n = elements_of(out.shape, where);
  const bool same = a.shape == out.shape && b.shape == out.shape;
  std::vector<std::size_t> ia;
  std::vector<std::size_t> ib;
  if (!same) {
    ia = broadcast_index(a.shape, out.shape);
    ib = broadcast_index(b.shape, out.shape);
  }
  if (a.integer && b.integer) {
    out.integer = true;
    out.ints.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      out.ints[i] = iop(a.ints[same ? i : ia[i]], b.ints[same ? i : ib[i]]);
    }
    return out;
  }
  const std::vector<float> fa = as_floats(a);
  const std::vector<float> fb = as_floats(b);
  out.floats.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    out.floats[i] = fop(fa[same ? i : ia[i]], fb[same ? i : ib[i]]);
  return out;
}

Tensor transpose(const Tensor& in, const Shape& perm, const std::string& where) {
  if (perm.size() != in.shape.size()) throw DataError(where + ": perm rank differs from input");
  Shape out_shape(perm.size());
  std::vector<bool> used(perm.size(), false);
  for (std::size_t i = 0; i < perm.size(); ++i) {
    const auto p = static_cast<std::size_t>(normalize_axis(perm[i], perm.size(), where));
    if (used[p]) throw DataError(where + ": perm repeats an axis");
    used[p] = true;
    out_shape[i] = in.shape[p];
  }
  const Shape in_strides = strides_of(in.shape);
  Shape s(perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i) {
    s[i] = in_strides[static_cast<std::size_t>(normalize_axis(perm[i], perm.size(), where))];
  }
  Tensor out;
  out.shape = out_shape;
  out.integer = in.integer;
  const std::size_t n = elements_of(out_shape, where);
  const std::vector<std::size_t> from = strided_offsets(out_shape, s);
  (in.integer ? out.ints.resize(n) : out.floats.resize(n));
  for (std::size_t e = 0; e < n; ++e) {
    if (in.integer) {
      out.ints[e] = in.ints[from[e]];
    } else {
      out.floats[e] = in.floats[from[e]];
    }
  }
  return out;
}

// Softmax over `n` contiguous values, as models/network/network.cpp's apply_activation computes
// it (so that an exported Keras softmax gives the native run's probabilities bit for bit).
void softmax_row(float* v, std::size_t n, std::size_t stride) {
  float top = v[0];
  for (std::size_t j = 1; j < n; ++j) top = std::max(top, v[j * stride]);
  float sum = 0.0F;
  for (std::size_t j = 0; j < n; ++j) sum += v[j * stride] = std::exp(v[j * stride] - top);
  for (std::size_t j = 0; j < n; ++j) v[j * stride] /= sum;
}

struct Pads {
  std::int64_t top = 0, left = 0, bottom = 0, right = 0;
};

// Padding of a 2-D window operator (pads or auto_pad) for an input of h x w.
Pads window_pads(const OnnxNode& node, std::int64_t h, std::int64_t w, std::int64_t kh,
                 std::int64_t kw, std::int64_t sh, std::int64_t sw, std::int64_t dh,
                 std::int64_t dw) {
  const std::string mode = node.get_string("auto_pad", "NOTSET");
  Pads p;
  if (mode == "SAME_UPPER" || mode == "SAME_LOWER") {
    const auto total = [](std::int64_t size, std::int64_t k, std::int64_t s, std::int64_t d) {
      const std::int64_t out = (size + s - 1) / s;
      return std::max<std::int64_t>(0, (out - 1) * s + (k - 1) * d + 1 - size);
    };
    const std::int64_t th = total(h, kh, sh, dh);
    const std::int64_t tw = total(w, kw, sw, dw);
    const bool upper = mode == "SAME_UPPER";
    p.top = upper ? th / 2 : th - th / 2;
    p.bottom = th - p.top;
    p.left = upper ? tw / 2 : tw - tw / 2;
    p.right = tw - p.left;
  } else if (mode == "NOTSET") {
    const Shape pads = node.get_ints("pads", {0, 0, 0, 0});
    p = {pads[0], pads[1], pads[2], pads[3]};
  }
  return p;
}

}  // namespace

void set_onnx_tensor_element_limit(std::uint64_t elements) {
  max_elements = std::min(elements, kMaxOnnxTensorElements);
}

OnnxNetwork::OnnxNetwork(OnnxGraph graph, std::string origin)
    : graph_(std::move(graph)), origin_(std::move(origin)) {
  compile();
}

// Whether nodes[i..i+4] are Div(x, sqrt 2), Erf, Add(., 1), Mul(x, .), Mul(., 0.5) in that
// order, each intermediate value read by the next node only.
bool OnnxNetwork::is_erf_gelu(std::size_t i, const std::map<std::string, int>& consumers) const {
  if (i + 4 >= graph_.nodes.size()) return false;
  const OnnxNode* n = &graph_.nodes[i];
  const auto scalar = [&](const std::string& name, float want) {
    const auto it = graph_.initializers.find(name);
    return it != graph_.initializers.end() && !it->second.integer &&
           it->second.floats.size() == 1 && it->second.floats[0] == want;
  };
  const auto only_reader = [&](const OnnxNode& from, const OnnxNode& to) {
    const auto it = consumers.find(from.outputs[0]);
    return from.outputs.size() == 1 && it != consumers.end() && it->second == 1 &&
           std::find(to.inputs.begin(), to.inputs.end(), from.outputs[0]) != to.inputs.end();
  };
  const auto other = [](const OnnxNode& node, const std::string& one) {
    return node.inputs[0] == one ? node.inputs[1] : node.inputs[0];
  };
  const OnnxNode& div = n[0];
  const OnnxNode& erf = n[1];
  const OnnxNode& add = n[2];
  const OnnxNode& mul = n[3];
  const OnnxNode& half = n[4];
  if (div.inputs.size() != 2 || erf.op != "Erf" || add.op != "Add" || add.inputs.size() != 2 ||
      mul.op != "Mul" || mul.inputs.size() != 2 || half.op != "Mul" || half.inputs.size() != 2) {
    return false;
  }
  const std::string& x = div.inputs[0];
  return scalar(div.inputs[1], static_cast<float>(std::sqrt(2.0))) && only_reader(div, erf) &&
         only_reader(erf, add) && scalar(other(add, erf.outputs[0]), 1.0F) &&
         only_reader(add, mul) && other(mul, add.outputs[0]) == x && only_reader(mul, half) &&
         scalar(other(half, mul.outputs[0]), 0.5F);
}

void OnnxNetwork::compile() {
  const auto error = [&](const OnnxNode& node, const std::string& problem) {
    return ConfigError(origin_ + ": node '" + node.name + "' (" + node.op + "): " + problem);
  };
  // Input: [batch, ...]; a fixed batch of 1 runs the samples one by one.
  if (graph_.input_shape.empty()) {
    throw ConfigError(origin_ + ": graph input '" + graph_.input +
                      "' has no shape; cimsim needs [batch, ...] with the sample dimensions fixed");
  }
  if (graph_.input_shape[0] && *graph_.input_shape[0] != 1) {
    throw ConfigError(origin_ + ": graph input '" + graph_.input + "' has a fixed batch of " +
                      std::to_string(*graph_.input_shape[0]) +
                      "; export with a dynamic batch dimension (or batch 1)");
  }
  fixed_batch_one_ = graph_.input_shape[0].has_value();
  for (std::size_t i = 1; i < graph_.input_shape.size(); ++i) {
    if (!graph_.input_shape[i]) {
      throw ConfigError(origin_ + ": graph input '" + graph_.input + "' dimension " +
                        std::to_string(i) + " is symbolic; only the batch dimension may be");
    }
    sample_shape_.push_back(*graph_.input_shape[i]);
  }
  (void)elements_of(sample_shape_, origin_ + ": graph input");

  std::map<std::string, int> consumers;
  for (const OnnxNode& node : graph_.nodes) {
    for (const std::string& in : node.inputs) ++consumers[in];
  }
  ++consumers[graph_.output];
  const auto initializer = [&](const std::string& name) -> const Tensor* {
    const auto it = graph_.initializers.find(name);
    return it == graph_.initializers.end() ? nullptr : &it->second;
  };
  std::map<std::string, std::size_t> producer;  // value -> step
  // Marks the `count` nodes after node i as folded into its step (run by it, counted once) and
  // moves i past them.
  const auto fold_next = [this](std::size_t& i, std::size_t count) {
    for (std::size_t k = 1; k <= count; ++k) {
      Step skip;
      skip.node = &graph_.nodes[i + k];
      skip.kind = Step::Kind::kSkip;
      steps_.push_back(skip);
    }
    i += count;
  };
  for (std::size_t i = 0; i < graph_.nodes.size(); ++i) {
    const OnnxNode& node = graph_.nodes[i];
    Step step;
    step.node = &node;
    step.output = node.outputs[0];
    // Attribute values the interpreter does not run.
    if (node.op == "Conv" || node.op == "MaxPool" || node.op == "AveragePool") {
      const std::string pad = node.get_string("auto_pad", "NOTSET");
      if (pad != "NOTSET" && pad != "VALID" && pad != "SAME_UPPER" && pad != "SAME_LOWER") {
        throw error(node, "auto_pad '" + pad + "' unknown");
      }
      if (node.get_int("ceil_mode", 0) != 0) {
        throw error(node, "ceil_mode 1 not supported; supported: 0 (floor)");
      }
      if (node.op == "MaxPool" && (node.get_int("storage_order", 0) != 0 ||
                                   (node.outputs.size() > 1 && !node.outputs[1].empty()))) {
        throw error(node, "the indices output and storage_order are not supported");
      }
      if (node.op != "Conv") {
        for (std::int64_t d : node.get_ints("dilations", {1, 1})) {
          if (d != 1) throw error(node, "dilations other than 1 are not supported for pooling");
        }
        if (node.get_ints("kernel_shape", {}).size() != 2) {
          throw error(node, "kernel_shape must have 2 values (2-D pooling only)");
        }
      }
      if (node.has("pads") && node.get_ints("pads", {}).size() != 4) {
        throw error(node, "pads must have 4 values (2-D only)");
      }
      // Bounds that keep every window computation far from overflow [elements].
      for (const char* key : {"pads", "strides", "dilations", "kernel_shape"}) {
        for (const std::int64_t v : node.get_ints(key, {})) {
          const std::int64_t lo = std::string(key) == "pads" ? 0 : 1;
          if (v < lo || v > kMaxWindow) {
            throw error(node, std::string(key) + " value " + std::to_string(v) + " outside [" +
                                  std::to_string(lo) + ", " + std::to_string(kMaxWindow) + "]");
          }
        }
      }
      for (const char* key : {"strides", "dilations"}) {
        if (node.has(key) && node.get_ints(key, {}).size() != 2) {
          throw error(node, std::string(key) + " must have 2 values (2-D only)");
        }
      }
    }
    if (node.op == "Dropout" && node.outputs.size() > 1 && !node.outputs[1].empty() &&
        consumers[node.outputs[1]] > 0) {
      throw error(node, "the mask output is not supported (inference only)");
    }
    if (node.op == "BatchNormalization" && node.get_int("training_mode", 0) != 0) {
      throw error(node, "training_mode 1 not supported (inference only)");
    }
    if (node.op == "Reshape" && node.get_int("allowzero", 0) != 0) {
      throw error(node, "allowzero 1 not supported");
    }
    if (node.op == "LayerNormalization" && node.outputs.size() > 1) {
      for (std::size_t k = 1; k < node.outputs.size(); ++k) {
        if (!node.outputs[k].empty() && consumers[node.outputs[k]] > 0) {
          throw error(node, "the mean and inverse-deviation outputs are not supported");
        }
      }
    }
    if (node.op == "Cast") {
      const std::int64_t to = node.get_int("to", 0);
      if (to != 1 && to != 6 && to != 7 && to != 9 && to != 11) {
        throw error(node, "cast to type " + std::to_string(to) +
                              " not supported; supported: FLOAT, DOUBLE, INT32, INT64, BOOL");
      }
    }
    const auto min_inputs = [&](std::size_t n) {
      std::size_t given = 0;
      for (const auto& in : node.inputs) given += in.empty() ? 0 : 1;
      if (node.inputs.size() < n || given < n) {
        throw error(node, "expected at least " + std::to_string(n) + " inputs");
      }
    };
    if (node.op == "Div" && is_erf_gelu(i, consumers)) {
      // x / sqrt(2) -> Erf -> + 1 -> x * . -> * 0.5: the exact GELU (torch.onnx's export of
      // nn.GELU before opset 20), run as one step with the native ViT's gelu() so that an
      // exported encoder gives the native values bit for bit; counted as its five operations.
      step.kind = Step::Kind::kGelu;
      step.output = graph_.nodes[i + 4].outputs[0];
      steps_.push_back(step);
      fold_next(i, 4);
      continue;
    }
    if (node.op == "Conv") {
      min_inputs(2);
      const Tensor* w = initializer(node.inputs[1]);
      if (w == nullptr) throw error(node, "the weight must be an initializer (crossbar layers)");
      if (w->integer || w->shape.size() != 4) {
        throw error(node, "weight " + shape_text(w->shape) +
                              ": 2-D float convolutions only ([Cout, Cin/group, kh, kw])");
      }
      const Tensor* b =
          node.inputs.size() > 2 && !node.inputs[2].empty() ? initializer(node.inputs[2]) : nullptr;
      if (node.inputs.size() > 2 && !node.inputs[2].empty() && b == nullptr) {
        throw error(node, "the bias must be an initializer");
      }
      const std::int64_t group = node.get_int("group", 1);
      const std::int64_t cout = w->shape[0];
      const std::int64_t cin_g = w->shape[1];
      const std::int64_t kh = w->shape[2];
      const std::int64_t kw = w->shape[3];
      if (group < 1 || cout % group != 0 || cout == 0 || cin_g == 0 || kh == 0 || kw == 0) {
        throw error(node, "group " + std::to_string(group) + " does not divide weight " +
                              shape_text(w->shape));
      }
      if (b != nullptr && (b->integer || b->size() != static_cast<std::size_t>(cout))) {
        throw error(node, "bias of " + std::to_string(b->size()) + " values for " +
                              std::to_string(cout) + " outputs");
      }
      for (const char* key : {"strides", "dilations"}) {
        const Shape v = node.get_ints(key, {1, 1});
        if (v.size() != 2 || v[0] < 1 || v[1] < 1) throw error(node, std::string(key) + " invalid");
      }
      if (node.has("kernel_shape") && node.get_ints("kernel_shape", {}) != Shape{kh, kw}) {
        throw error(node, "kernel_shape differs from the weight's");
      }
      std::vector<float> scale(static_cast<std::size_t>(cout), 1.0F);
      std::vector<float> bias(static_cast<std::size_t>(cout), 0.0F);
      if (b != nullptr) bias = b->floats;
      // A BatchNormalization that is the only reader of the convolution folds into it.
      const OnnxNode* next = i + 1 < graph_.nodes.size() ? &graph_.nodes[i + 1] : nullptr;
      if (next != nullptr && next->op == "BatchNormalization" && consumers[step.output] == 1 &&
          !next->inputs.empty() && next->inputs[0] == step.output && next->inputs.size() == 5) {
        const Tensor* gamma = initializer(next->inputs[1]);
        const Tensor* beta = initializer(next->inputs[2]);
        const Tensor* mean = initializer(next->inputs[3]);
        const Tensor* var = initializer(next->inputs[4]);
        const auto fits = [cout](const Tensor* t) {
          return t != nullptr && !t->integer && t->size() == static_cast<std::size_t>(cout);
        };
        if (fits(gamma) && fits(beta) && fits(mean) && fits(var)) {
          const float eps = next->get_float("epsilon", 1e-5F);
          for (std::size_t o = 0; o < static_cast<std::size_t>(cout); ++o) {
            // y = gamma (x W + b - mean) / sqrt(var + eps) + beta
            scale[o] = gamma->floats[o] / std::sqrt(var->floats[o] + eps);
            bias[o] = (bias[o] - mean->floats[o]) * scale[o] + beta->floats[o];
          }
          step.output = next->outputs[0];
          ++folded_batch_norms_;
        }
      }
      step.kind = Step::Kind::kConv;
      step.first_ordinal = layers_.size();
      step.groups = static_cast<std::size_t>(group);
      const std::int64_t cout_g = cout / group;
      for (std::int64_t g = 0; g < group; ++g) {
        MatrixLayer m;
        m.name = group == 1 ? node.name : node.name + "/group" + std::to_string(g);
        m.k = static_cast<std::size_t>(kh * kw * cin_g);
        m.n = static_cast<std::size_t>(cout_g);
        m.weights.resize(m.k * m.n);
        m.bias.resize(m.n);
        for (std::int64_t o = 0; o < cout_g; ++o) {
          const std::int64_t oc = g * cout_g + o;
          m.bias[static_cast<std::size_t>(o)] = bias[static_cast<std::size_t>(oc)];
          for (std::int64_t c = 0; c < cin_g; ++c) {
            for (std::int64_t y = 0; y < kh; ++y) {
              for (std::int64_t x = 0; x < kw; ++x) {
                const std::size_t row = static_cast<std::size_t>((y * kw + x) * cin_g + c);
                m.weights[row * m.n + static_cast<std::size_t>(o)] =
                    w->floats[static_cast<std::size_t>(((oc * cin_g + c) * kh + y) * kw + x)] *
                    scale[static_cast<std::size_t>(oc)];
              }
            }
          }
        }
        layers_.push_back(std::move(m));
      }
      if (step.output != node.outputs[0]) {
        steps_.push_back(step);
        fold_next(i, 1);
        continue;
      }
    } else if ((node.op == "Gemm" || node.op == "MatMul") && node.inputs.size() >= 2 &&
               initializer(node.inputs[1]) != nullptr && initializer(node.inputs[0]) == nullptr) {
      const Tensor* w = initializer(node.inputs[1]);
      if (w->integer || w->shape.size() != 2) {
        throw error(node, "weight " + shape_text(w->shape) + ": a 2-D float matrix expected");
      }
      const bool trans_b = node.get_int("transB", 0) != 0;
      const std::size_t k = static_cast<std::size_t>(trans_b ? w->shape[1] : w->shape[0]);
      const std::size_t n = static_cast<std::size_t>(trans_b ? w->shape[0] : w->shape[1]);
      if (k == 0 || n == 0) throw error(node, "empty weight");
      const float alpha = node.get_float("alpha", 1.0F);
      MatrixLayer m;
      m.name = node.name;
      m.k = k;
      m.n = n;
      m.weights.resize(k * n);
      for (std::size_t r = 0; r < k; ++r) {
        for (std::size_t c = 0; c < n; ++c) {
          const float v = trans_b ? w->floats[c * k + r] : w->floats[r * n + c];
          m.weights[r * n + c] = alpha == 1.0F ? v : alpha * v;
        }
      }
      m.bias.assign(n, 0.0F);
      if (node.op == "Gemm" && node.inputs.size() > 2 && !node.inputs[2].empty()) {
        const Tensor* c = initializer(node.inputs[2]);
        if (c == nullptr || c->integer || (c->size() != n && c->size() != 1)) {
          throw error(node, "C must be an initializer of N or 1 values (the bias)");
        }
        const float beta = node.get_float("beta", 1.0F);
        for (std::size_t o = 0; o < n; ++o) m.bias[o] = beta * c->floats[c->size() == 1 ? 0 : o];
      }
      step.kind = node.op == "Gemm" ? Step::Kind::kGemm : Step::Kind::kMatMul;
      step.first_ordinal = layers_.size();
      // A bias Add (initializer of N values) that is the only reader folds into the layer.
      const OnnxNode* next = i + 1 < graph_.nodes.size() ? &graph_.nodes[i + 1] : nullptr;
      bool folded = false;
      if (next != nullptr && node.op == "MatMul" && next->op == "Add" && next->inputs.size() == 2 &&
          consumers[step.output] == 1) {
        const std::string& other =
            next->inputs[0] == step.output ? next->inputs[1] : next->inputs[0];
        const Tensor* b = initializer(other);
        if ((next->inputs[0] == step.output || next->inputs[1] == step.output) && b != nullptr &&
            !b->integer && b->size() == n && !b->shape.empty() &&
            b->shape.back() == static_cast<std::int64_t>(n) && b->shape.size() == 1) {
          m.bias = b->floats;
          step.output = next->outputs[0];
          folded = true;
        }
      }
      layers_.push_back(std::move(m));
      steps_.push_back(step);
      if (folded) fold_next(i, 1);
      continue;
    }
    steps_.push_back(step);
  }
  // Shapes, vectors per sample and the digital operations: a dry run on one zero sample.
  std::vector<float> zero(elements_of(sample_shape_, origin_));
  vectors_.assign(layers_.size(), 0);
  std::uint64_t ops = 0;
  const std::vector<float> out = run_batch(
      zero, 1,
      [this](std::size_t ordinal, const MatrixLayer& m, const std::vector<float>& rows,
             std::size_t t) {
        (void)rows;
        vectors_[ordinal] += t;
        return std::vector<float>(t * m.n, 0.0F);
      },
      &ops);
  digital_ops_ = ops;
  outputs_per_sample_ = out.size();
  if (outputs_per_sample_ == 0) throw DataError(origin_ + ": the graph output is empty");
}

std::vector<bool> OnnxNetwork::inputs_can_be_negative(bool input_can_be_negative) const {
  std::map<std::string, bool> negative;
  negative[graph_.input] = input_can_be_negative;
  for (const auto& [name, t] : graph_.initializers) {
    bool any = false;
    for (float v : t.floats) any = any || v < 0.0F;
    for (std::int64_t v : t.ints) any = any || v < 0;
    negative[name] = any;
  }
  const auto neg = [&](const std::string& name) {
    const auto it = negative.find(name);
    return it == negative.end() || it->second;
  };
  std::vector<bool> out(layers_.size(), true);
  static const std::set<std::string> kKeep = {
      "MaxPool",  "AveragePool", "GlobalAveragePool", "Flatten",   "Reshape", "Transpose",
      "Identity", "Dropout",     "Squeeze",           "Unsqueeze", "Slice",   "Gather",
      "Cast",     "ReduceMean"};
  static const std::set<std::string> kPositive = {"Relu", "Sigmoid", "Softmax",
                                                  "Exp",  "Sqrt",    "Shape"};
  for (const Step& step : steps_) {
    const OnnxNode& node = *step.node;
    if (step.kind == Step::Kind::kSkip) continue;
    bool result = true;
    if (step.kind == Step::Kind::kConv || step.kind == Step::Kind::kGemm ||
        step.kind == Step::Kind::kMatMul) {
      for (std::size_t g = 0; g < step.groups; ++g)
        out[step.first_ordinal + g] = neg(node.inputs[0]);
    } else if (kPositive.count(node.op) != 0) {
      result = false;
    } else if (kKeep.count(node.op) != 0) {
      result = neg(node.inputs[0]);
    } else if (node.op == "Add" || node.op == "Mul" || node.op == "Concat" || node.op == "Div") {
      result = false;
      for (const auto& in : node.inputs) result = result || neg(in);
    } else if (node.op == "Clip") {
      const auto it = node.inputs.size() > 1 && !node.inputs[1].empty()
                          ? graph_.initializers.find(node.inputs[1])
                          : graph_.initializers.end();
      const float lo = it != graph_.initializers.end() && !it->second.floats.empty()
                           ? it->second.floats[0]
                           : node.get_float("min", -INFINITY);
      result = !(lo >= 0.0F) && neg(node.inputs[0]);
    }
    negative[step.output] = result;
  }
  return out;
}

std::vector<float> OnnxNetwork::run(const std::vector<float>& input, std::size_t count,
                                    const Product& product) const {
  const std::size_t per_sample = elements_of(sample_shape_, origin_);
  if (input.size() != count * per_sample) {
    throw DataError(origin_ + ": " + std::to_string(input.size()) + " input values for " +
                    std::to_string(count) + " samples of " + std::to_string(per_sample));
  }
  if (!fixed_batch_one_ || count <= 1) return run_batch(input, count, product, nullptr);
  std::vector<float> out;
  for (std::size_t i = 0; i < count; ++i) {
    const std::vector<float> one(input.begin() + static_cast<long>(i * per_sample),
                                 input.begin() + static_cast<long>((i + 1) * per_sample));
    const std::vector<float> y = run_batch(one, 1, product, nullptr);
    out.insert(out.end(), y.begin(), y.end());
  }
  return out;
}

std::vector<float> OnnxNetwork::run_batch(const std::vector<float>& input, std::size_t count,
                                          const Product& product,
                                          std::uint64_t* digital_ops) const {
  std::unordered_map<std::string, Tensor> values;
  {
    Tensor x;
    x.shape.push_back(static_cast<std::int64_t>(count));
    x.shape.insert(x.shape.end(), sample_shape_.begin(), sample_shape_.end());
    x.floats = input;
    values[graph_.input] = std::move(x);
  }
  // Last step reading each value, so that intermediate tensors are freed when done.
  std::unordered_map<std::string, std::size_t> last_use;
  for (std::size_t si = 0; si < steps_.size(); ++si) {
    for (const auto& in : steps_[si].node->inputs) last_use[in] = si;
  }
  std::uint64_t ops = 0;
  for (std::size_t si = 0; si < steps_.size(); ++si) {
    const Step& step = steps_[si];
    if (step.kind == Step::Kind::kSkip) continue;
    const OnnxNode& node = *step.node;
    const std::string where = origin_ + ": node '" + node.name + "' (" + node.op + ")";
    const auto input_at = [&](std::size_t k) -> const Tensor& {
      if (k >= node.inputs.size() || node.inputs[k].empty()) {
        throw DataError(where + ": input " + std::to_string(k) + " missing");
      }
      const auto it = values.find(node.inputs[k]);
      if (it != values.end()) return it->second;
      const auto init = graph_.initializers.find(node.inputs[k]);
      if (init != graph_.initializers.end()) return init->second;
      throw DataError(where + ": input '" + node.inputs[k] + "' has no value");
    };
    const auto has_input = [&](std::size_t k) {
      return k < node.inputs.size() && !node.inputs[k].empty();
    };
    const auto float_input = [&](std::size_t k) -> const Tensor& {
      const Tensor& t = input_at(k);
      if (t.integer) throw DataError(where + ": input " + std::to_string(k) + " is not float");
      return t;
    };
    Tensor out;
    const std::string& op = node.op;
    if (step.kind == Step::Kind::kGelu) {
      out = float_input(0);
      gelu(out.floats);
      ops += 5 * out.size();
    } else if (step.kind == Step::Kind::kConv) {
      const Tensor& x = float_input(0);
      if (x.shape.size() != 4)
        throw DataError(where + ": input " + shape_text(x.shape) + " is not NCHW");
      const Tensor& w = graph_.initializers.at(node.inputs[1]);
      const std::int64_t b = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
      const std::int64_t cout = w.shape[0], cin_g = w.shape[1], kh = w.shape[2], kw = w.shape[3];
      const auto groups = static_cast<std::int64_t>(step.groups);
      if (c != cin_g * groups) {
        throw DataError(where + ": input has " + std::to_string(c) + " channels, the weight " +
                        "expects " + std::to_string(cin_g * groups));
      }
      const Shape strides = node.get_ints("strides", {1, 1});
      const Shape dil = node.get_ints("dilations", {1, 1});
      const Pads p = window_pads(node, h, wd, kh, kw, strides[0], strides[1], dil[0], dil[1]);
      const std::int64_t oh = (h + p.top + p.bottom - (kh - 1) * dil[0] - 1) / strides[0] + 1;
      const std::int64_t ow = (wd + p.left + p.right - (kw - 1) * dil[1] - 1) / strides[1] + 1;
      if (oh < 1 || ow < 1) throw DataError(where + ": the kernel is larger than the input");
      out = make_float({b, cout, oh, ow}, where);
      const std::int64_t cout_g = cout / groups;
      for (std::int64_t g = 0; g < groups; ++g) {
        const std::size_t ordinal = step.first_ordinal + static_cast<std::size_t>(g);
        const MatrixLayer& m = layers_[ordinal];
        std::vector<float> rows(elements_of({b, oh, ow, static_cast<std::int64_t>(m.k)}, where));
        float* row = rows.data();
        for (std::int64_t i = 0; i < b; ++i) {
          for (std::int64_t oy = 0; oy < oh; ++oy) {
            for (std::int64_t ox = 0; ox < ow; ++ox) {
              for (std::int64_t ky = 0; ky < kh; ++ky) {
                const std::int64_t iy = oy * strides[0] - p.top + ky * dil[0];
                for (std::int64_t kx = 0; kx < kw; ++kx) {
                  const std::int64_t ix = ox * strides[1] - p.left + kx * dil[1];
                  const bool inside = iy >= 0 && iy < h && ix >= 0 && ix < wd;
                  for (std::int64_t ch = 0; ch < cin_g; ++ch) {
                    *row++ = inside ? x.floats[static_cast<std::size_t>(
                                          ((i * c + g * cin_g + ch) * h + iy) * wd + ix)]
                                    : 0.0F;
                  }
                }
              }
            }
          }
        }
        const std::size_t t = static_cast<std::size_t>(b * oh * ow);
        const std::vector<float> y = product(ordinal, m, rows, t);
        for (std::int64_t i = 0; i < b; ++i) {
          for (std::int64_t pos = 0; pos < oh * ow; ++pos) {
            for (std::int64_t o = 0; o < cout_g; ++o) {
              out.floats[static_cast<std::size_t>(((i * cout + g * cout_g + o) * oh * ow) + pos)] =
                  y[static_cast<std::size_t>((i * oh * ow + pos) * cout_g + o)];
            }
          }
        }
      }
    } else if (step.kind == Step::Kind::kGemm || step.kind == Step::Kind::kMatMul) {
      Tensor x = float_input(0);
      const MatrixLayer& m = layers_[step.first_ordinal];
      if (step.kind == Step::Kind::kGemm && node.get_int("transA", 0) != 0) {
        if (x.shape.size() != 2) throw DataError(where + ": A must be 2-D");
        x = transpose(x, {1, 0}, where);
      }
      if (x.shape.empty() || x.shape.back() != static_cast<std::int64_t>(m.k) ||
          (step.kind == Step::Kind::kGemm && x.shape.size() != 2)) {
        throw DataError(where + ": input " + shape_text(x.shape) + " does not match the weight's " +
                        std::to_string(m.k) + " rows");
      }
      const std::size_t t = x.floats.size() / m.k;
      out.shape = x.shape;
      out.shape.back() = static_cast<std::int64_t>(m.n);
      out.floats = product(step.first_ordinal, m, x.floats, t);
    } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Pow") {
      const Tensor& a = input_at(0);
      const Tensor& b = input_at(1);
      if (op == "Add") {
        out = binary(a, b, where, std::plus<float>(), wrap_add);
      } else if (op == "Sub") {
        out = binary(a, b, where, std::minus<float>(), wrap_sub);
      } else if (op == "Mul") {
        out = binary(a, b, where, std::multiplies<float>(), wrap_mul);
      } else if (op == "Div") {
        out = binary(a, b, where, std::divides<float>(), [&](std::int64_t u, std::int64_t v) {
          if (v == 0) throw DataError(where + ": integer division by zero");
          if (v == -1) return wrap_sub(0, u);
          return u / v;
        });
      } else {
        out = binary(
            a, b, where, [](float u, float v) { return std::pow(u, v); },
            [](std::int64_t u, std::int64_t v) {
              const double p = std::pow(static_cast<double>(u), static_cast<double>(v));
              return std::isfinite(p) && std::fabs(p) < 9.0e18 ? static_cast<std::int64_t>(p)
                                                               : std::int64_t{0};
            });
      }
      ops += out.size();
    } else if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "Erf" || op == "Sqrt" ||
               op == "Exp" || op == "Neg") {
      const Tensor& x = input_at(0);
      out = x;
      if (x.integer && op == "Neg") {
        for (auto& v : out.ints) v = wrap_sub(0, v);
      } else if (x.integer && op == "Relu") {
        for (auto& v : out.ints) v = std::max<std::int64_t>(v, 0);
      } else if (x.integer) {
        throw DataError(where + ": integer input");
      }
      for (float& v : out.floats) {
        if (op == "Relu")
          v = std::max(v, 0.0F);
        else if (op == "Sigmoid")
          v = 1.0F / (1.0F + std::exp(-v));
        else if (op == "Tanh")
          v = std::tanh(v);
        else if (op == "Erf")
          v = std::erf(v);
        else if (op == "Sqrt")
          v = std::sqrt(v);
        else if (op == "Exp")
          v = std::exp(v);
        else
          v = -v;
      }
      ops += out.size();
    } else if (op == "Clip") {
      out = float_input(0);
      float lo = node.get_float("min", -INFINITY);
      float hi = node.get_float("max", INFINITY);
      if (has_input(1)) lo = as_floats(input_at(1)).at(0);
      if (has_input(2)) hi = as_floats(input_at(2)).at(0);
      for (float& v : out.floats) v = std::min(std::max(v, lo), hi);
      ops += out.size();
    } else if (op == "Softmax") {
      out = float_input(0);
      const std::size_t rank = out.shape.size();
      const std::int64_t axis =
          normalize_axis(node.get_int("axis", graph_.opset >= 13 ? -1 : 1), rank, where);
      std::size_t inner = 1;
      std::size_t outer = 1;
      std::size_t n = static_cast<std::size_t>(out.shape[static_cast<std::size_t>(axis)]);
      if (graph_.opset < 13) {  // coerced to 2-D at axis
        for (std::size_t d = 0; d < rank; ++d) {
          (d < static_cast<std::size_t>(axis) ? outer : n) *=
              d == static_cast<std::size_t>(axis) ? 1 : static_cast<std::size_t>(out.shape[d]);
        }
      } else {
        for (std::size_t d = 0; d < static_cast<std::size_t>(axis); ++d) outer *= out.shape[d];
        for (std::size_t d = static_cast<std::size_t>(axis) + 1; d < rank; ++d)
          inner *= out.shape[d];
      }
      if (n > 0) {
        for (std::size_t o = 0; o < outer; ++o) {
          for (std::size_t in = 0; in < inner; ++in) {
            softmax_row(out.floats.data() + o * n * inner + in, n, inner);
          }
        }
      }
      ops += 3 * out.size();
    } else if (op == "LayerNormalization") {
      out = float_input(0);
      const std::size_t rank = out.shape.size();
      const auto axis =
          static_cast<std::size_t>(normalize_axis(node.get_int("axis", -1), rank, where));
      std::size_t n = 1;
      for (std::size_t d = axis; d < rank; ++d) n *= static_cast<std::size_t>(out.shape[d]);
      const std::vector<float> scale = as_floats(input_at(1));
      const std::vector<float> bias =
          has_input(2) ? as_floats(input_at(2)) : std::vector<float>(n, 0.0F);
      if (scale.size() != n || bias.size() != n) {
        throw DataError(where + ": scale and bias must have " + std::to_string(n) + " values");
      }
      // The native ViT's LayerNorm (double-precision statistics), so that an exported encoder
      // gives the native run's values bit for bit.
      LayerNormParams params{scale, bias};
      if (n > 0) layer_norm_rows(out.floats, params, node.get_float("epsilon", 1e-5F));
      ops += 8 * out.size();
    } else if (op == "BatchNormalization") {
      out = float_input(0);
      if (out.shape.size() < 2) throw DataError(where + ": input must have a channel dimension");
      const std::size_t c = static_cast<std::size_t>(out.shape[1]);
      std::vector<std::vector<float>> p;
      for (std::size_t k = 1; k <= 4; ++k) {
        p.push_back(as_floats(input_at(k)));
        if (p.back().size() != c) throw DataError(where + ": parameters must have C values");
      }
      const float eps = node.get_float("epsilon", 1e-5F);
      std::size_t inner = 1;
      for (std::size_t d = 2; d < out.shape.size(); ++d)
        inner *= static_cast<std::size_t>(out.shape[d]);
      for (std::size_t e = 0; e < out.floats.size(); ++e) {
        const std::size_t ch = (e / inner) % c;
        out.floats[e] =
            (out.floats[e] - p[2][ch]) / std::sqrt(p[3][ch] + eps) * p[0][ch] + p[1][ch];
      }
      ops += 4 * out.size();
    } else if (op == "MaxPool" || op == "AveragePool") {
      const Tensor& x = float_input(0);
      if (x.shape.size() != 4) throw DataError(where + ": input is not NCHW");
      const Shape k = node.get_ints("kernel_shape", {});
      const Shape strides = node.get_ints("strides", {1, 1});
      if (strides.size() != 2 || strides[0] < 1 || strides[1] < 1 || k[0] < 1 || k[1] < 1) {
        throw DataError(where + ": invalid kernel or strides");
      }
      const std::int64_t b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
      const Pads p = window_pads(node, h, w, k[0], k[1], strides[0], strides[1], 1, 1);
      const std::int64_t oh = (h + p.top + p.bottom - k[0]) / strides[0] + 1;
      const std::int64_t ow = (w + p.left + p.right - k[1]) / strides[1] + 1;
      if (oh < 1 || ow < 1) throw DataError(where + ": the window is larger than the input");
      out = make_float({b, c, oh, ow}, where);
      const bool include_pad = node.get_int("count_include_pad", 0) != 0;
      std::size_t e = 0;
      for (std::int64_t plane = 0; plane < b * c; ++plane) {
        const float* in = x.floats.data() + plane * h * w;
        for (std::int64_t oy = 0; oy < oh; ++oy) {
          for (std::int64_t ox = 0; ox < ow; ++ox) {
            float best = -INFINITY;
            float sum = 0.0F;
            std::int64_t n = 0;
            for (std::int64_t ky = 0; ky < k[0]; ++ky) {
              const std::int64_t iy = oy * strides[0] - p.top + ky;
              for (std::int64_t kx = 0; kx < k[1]; ++kx) {
                const std::int64_t ix = ox * strides[1] - p.left + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                const float v = in[iy * w + ix];
                best = std::max(best, v);
                sum += v;
                ++n;
              }
            }
            const std::int64_t divisor = include_pad ? k[0] * k[1] : n;
            out.floats[e++] =
                op == "MaxPool" ? best : (divisor > 0 ? sum / static_cast<float>(divisor) : 0.0F);
          }
        }
      }
      ops += out.size() * static_cast<std::size_t>(k[0] * k[1]);
    } else if (op == "GlobalAveragePool" || op == "ReduceMean") {
      const Tensor& x = float_input(0);
      std::vector<bool> reduce(x.shape.size(), false);
      bool keep = true;
      if (op == "GlobalAveragePool") {
        if (x.shape.size() < 3) throw DataError(where + ": input needs spatial dimensions");
        for (std::size_t d = 2; d < x.shape.size(); ++d) reduce[d] = true;
      } else {
        keep = node.get_int("keepdims", 1) != 0;
        Shape axes = node.get_ints("axes", {});
        if (has_input(1)) axes = as_ints(input_at(1), where);
        if (axes.empty()) reduce.assign(x.shape.size(), true);
        for (std::int64_t a : axes)
          reduce[static_cast<std::size_t>(normalize_axis(a, x.shape.size(), where))] = true;
      }
      Shape kept_shape;
      for (std::size_t d = 0; d < x.shape.size(); ++d)
        kept_shape.push_back(reduce[d] ? 1 : x.shape[d]);
      out = make_float(kept_shape, where);
      const std::vector<std::size_t> index = broadcast_index(kept_shape, x.shape);
      std::vector<float> counts(out.floats.size(), 0.0F);
      for (std::size_t e = 0; e < x.floats.size(); ++e) {
        out.floats[index[e]] += x.floats[e];
        counts[index[e]] += 1.0F;
      }
      for (std::size_t e = 0; e < out.floats.size(); ++e) {
        if (counts[e] > 0.0F) out.floats[e] /= counts[e];
      }
      if (!keep) {
        Shape s;
        for (std::size_t d = 0; d < x.shape.size(); ++d)
          if (!reduce[d]) s.push_back(x.shape[d]);
        out.shape = s;
      }
      ops += x.size();
    } else if (op == "Flatten") {
      out = input_at(0);
      const auto axis = static_cast<std::size_t>(
          normalize_axis(node.get_int("axis", 1), out.shape.size(), where, true));
      std::int64_t outer = 1;
      for (std::size_t d = 0; d < axis; ++d) outer *= out.shape[d];
      const std::int64_t total = static_cast<std::int64_t>(out.size());
      out.shape = {outer, outer == 0 ? 0 : total / outer};
    } else if (op == "Reshape") {
      out = input_at(0);
      const Shape requested = as_ints(input_at(1), where);
      Shape s;
      std::int64_t known = 1;
      int infer = -1;
      for (std::size_t d = 0; d < requested.size(); ++d) {
        std::int64_t v = requested[d];
        if (v == 0) {
          if (d >= out.shape.size()) throw DataError(where + ": 0 copies a missing dimension");
          v = out.shape[d];
        }
        if (v == -1) {
          if (infer >= 0) throw DataError(where + ": more than one -1");
          infer = static_cast<int>(d);
          s.push_back(1);
          continue;
        }
        if (v < 0) throw DataError(where + ": negative dimension");
        if (v > static_cast<std::int64_t>(max_elements.load()))
          throw DataError(where + ": shape too large");
        s.push_back(v);
        known *= v;
        if (known > static_cast<std::int64_t>(max_elements.load()))
          throw DataError(where + ": shape too large");
      }
      const auto total = static_cast<std::int64_t>(out.size());
      if (infer >= 0) {
        if (known == 0 || total % known != 0) throw DataError(where + ": cannot infer -1");
        s[static_cast<std::size_t>(infer)] = total / known;
      } else if (known != total) {
        throw DataError(where + ": cannot reshape " + shape_text(out.shape) + " to " +
                        shape_text(s));
      }
      out.shape = s;
    } else if (op == "Transpose") {
      const Tensor& x = input_at(0);
      Shape perm = node.get_ints("perm", {});
      if (perm.empty()) {
        for (std::size_t d = x.shape.size(); d-- > 0;) perm.push_back(static_cast<std::int64_t>(d));
      }
      out = transpose(x, perm, where);
    } else if (op == "Concat") {
      bool all_int = true;
      for (std::size_t k = 0; k < node.inputs.size(); ++k) all_int = all_int && input_at(k).integer;
      const Tensor& first = input_at(0);
      const auto axis = static_cast<std::size_t>(
          normalize_axis(node.get_int("axis", 0), first.shape.size(), where));
      Shape s = first.shape;
      s[axis] = 0;
      for (std::size_t k = 0; k < node.inputs.size(); ++k) {
        const Tensor& t = input_at(k);
        if (t.shape.size() != s.size()) throw DataError(where + ": ranks differ");
        for (std::size_t d = 0; d < s.size(); ++d) {
          if (d != axis && t.shape[d] != s[d])
            throw DataError(where + ": shapes differ off the axis");
        }
        s[axis] += t.shape[axis];
      }
      out.shape = s;
      out.integer = all_int;
      (void)elements_of(s, where);
      std::int64_t outer = 1;
      for (std::size_t d = 0; d < axis; ++d) outer *= s[d];
      for (std::int64_t o = 0; o < outer; ++o) {
        for (std::size_t k = 0; k < node.inputs.size(); ++k) {
          const Tensor& t = input_at(k);
          const std::size_t chunk = outer == 0 ? 0 : t.size() / static_cast<std::size_t>(outer);
          if (all_int) {
            out.ints.insert(out.ints.end(), t.ints.begin() + static_cast<long>(o * chunk),
                            t.ints.begin() + static_cast<long>((o + 1) * chunk));
          } else {
            const std::vector<float> f = as_floats(t);
            out.floats.insert(out.floats.end(), f.begin() + static_cast<long>(o * chunk),
                              f.begin() + static_cast<long>((o + 1) * chunk));
          }
        }
      }
    } else if (op == "Gather") {
      const Tensor& data = input_at(0);
      const Shape indices = as_ints(input_at(1), where);
      const Shape& index_shape = input_at(1).shape;
      if (data.shape.empty()) throw DataError(where + ": scalar data");
      const auto axis = static_cast<std::size_t>(
          normalize_axis(node.get_int("axis", 0), data.shape.size(), where));
      Shape s(data.shape.begin(), data.shape.begin() + static_cast<long>(axis));
      s.insert(s.end(), index_shape.begin(), index_shape.end());
      s.insert(s.end(), data.shape.begin() + static_cast<long>(axis) + 1, data.shape.end());
      out.shape = s;
      out.integer = data.integer;
      const std::size_t n = elements_of(s, where);
      std::int64_t outer = 1;
      std::int64_t inner = 1;
      for (std::size_t d = 0; d < axis; ++d) outer *= data.shape[d];
      for (std::size_t d = axis + 1; d < data.shape.size(); ++d) inner *= data.shape[d];
      const std::int64_t dim = data.shape[axis];
      (data.integer ? out.ints.reserve(n) : out.floats.reserve(n));
      for (std::int64_t o = 0; o < outer; ++o) {
        for (std::int64_t idx : indices) {
          if (idx < -dim || idx >= dim) throw DataError(where + ": index out of range");
          if (idx < 0) idx += dim;
          const std::size_t base = static_cast<std::size_t>((o * dim + idx) * inner);
          for (std::int64_t e = 0; e < inner; ++e) {
            if (data.integer) {
              out.ints.push_back(data.ints[base + static_cast<std::size_t>(e)]);
            } else {
              out.floats.push_back(data.floats[base + static_cast<std::size_t>(e)]);
            }
          }
        }
      }
    } else if (op == "Slice") {
      const Tensor& data = input_at(0);
      const Shape starts = as_ints(input_at(1), where);
      const Shape ends = as_ints(input_at(2), where);
      Shape axes;
      if (has_input(3)) {
        axes = as_ints(input_at(3), where);
      } else {
        for (std::size_t d = 0; d < starts.size(); ++d)
          axes.push_back(static_cast<std::int64_t>(d));
      }
      const Shape steps = has_input(4) ? as_ints(input_at(4), where) : Shape(starts.size(), 1);
      if (ends.size() != starts.size() || axes.size() != starts.size() ||
          steps.size() != starts.size()) {
        throw DataError(where + ": starts, ends, axes and steps differ in length");
      }
      const std::size_t rank = data.shape.size();
      Shape first(rank, 0), step_of(rank, 1), extent(data.shape);
      for (std::size_t k = 0; k < starts.size(); ++k) {
        const auto a = static_cast<std::size_t>(normalize_axis(axes[k], rank, where));
        const std::int64_t dim = data.shape[a];
        const std::int64_t st =
            std::clamp<std::int64_t>(steps[k], -(std::int64_t{1} << 40), std::int64_t{1} << 40);
        if (st == 0) throw DataError(where + ": step 0");
        const auto clampi = [](std::int64_t v, std::int64_t lo, std::int64_t hi) {
          return std::min(std::max(v, lo), hi);
        };
        // dim <= 2^28, so clamping to +-2^40 first keeps every sum below exact range.
        const std::int64_t big = std::int64_t{1} << 40;
        const std::int64_t sk = std::clamp(starts[k], -big, big);
        const std::int64_t ek = std::clamp(ends[k], -big, big);
        std::int64_t b = sk < 0 ? sk + dim : sk;
        std::int64_t e = ek < 0 ? ek + dim : ek;
        if (st > 0) {
          b = clampi(b, 0, dim);
          e = clampi(e, 0, dim);
          extent[a] = e > b ? (e - b + st - 1) / st : 0;
        } else {
          b = clampi(b, 0, dim - 1);
          e = clampi(e, -1, dim - 1);
          extent[a] = b > e ? (b - e + (-st) - 1) / (-st) : 0;
        }
        first[a] = b;
        step_of[a] = st;
      }
      out.shape = extent;
      out.integer = data.integer;
      const std::size_t n = elements_of(extent, where);
      const Shape in_strides = strides_of(data.shape);
      Shape counter(rank, 0);
      for (std::size_t e = 0; e < n; ++e) {
        std::int64_t position = 0;
        for (std::size_t d = 0; d < rank; ++d)
          position += (first[d] + counter[d] * step_of[d]) * in_strides[d];
        if (data.integer) {
          out.ints.push_back(data.ints[static_cast<std::size_t>(position)]);
        } else {
          out.floats.push_back(data.floats[static_cast<std::size_t>(position)]);
        }
        for (std::size_t d = rank; d-- > 0;) {
          if (++counter[d] < extent[d]) break;
          counter[d] = 0;
        }
      }
    } else if (op == "Squeeze" || op == "Unsqueeze") {
      out = input_at(0);
      Shape axes = node.get_ints("axes", {});
      if (has_input(1)) axes = as_ints(input_at(1), where);
      if (op == "Squeeze") {
        std::vector<bool> drop(out.shape.size(), false);
        if (axes.empty()) {
          for (std::size_t d = 0; d < out.shape.size(); ++d) drop[d] = out.shape[d] == 1;
        }
        for (std::int64_t a : axes) {
          const auto d = static_cast<std::size_t>(normalize_axis(a, out.shape.size(), where));
          if (out.shape[d] != 1) throw DataError(where + ": squeezes a dimension that is not 1");
          drop[d] = true;
        }
        Shape s;
        for (std::size_t d = 0; d < out.shape.size(); ++d)
          if (!drop[d]) s.push_back(out.shape[d]);
        out.shape = s;
      } else {
        const std::size_t rank = out.shape.size() + axes.size();
        std::vector<bool> add(rank, false);
        for (std::int64_t a : axes)
          add[static_cast<std::size_t>(normalize_axis(a, rank, where))] = true;
        Shape s;
        std::size_t source = 0;
        for (std::size_t d = 0; d < rank; ++d) {
          if (add[d]) {
            s.push_back(1);
          } else if (source < out.shape.size()) {
            s.push_back(out.shape[source++]);
          }
        }
        if (s.size() != rank) throw DataError(where + ": repeated axes");
        out.shape = s;
      }
    } else if (op == "Shape") {
      const Tensor& x = input_at(0);
      const auto rank = static_cast<std::int64_t>(x.shape.size());
      std::int64_t start = node.get_int("start", 0);
      std::int64_t end = node.get_int("end", rank);
      if (start < 0) start += rank;
      if (end < 0) end += rank;
      start = std::min(std::max<std::int64_t>(start, 0), rank);
      end = std::min(std::max<std::int64_t>(end, 0), rank);
      out.integer = true;
      for (std::int64_t d = start; d < end; ++d)
        out.ints.push_back(x.shape[static_cast<std::size_t>(d)]);
      out.shape = {static_cast<std::int64_t>(out.ints.size())};
    } else if (op == "Identity" || op == "Dropout") {
      out = input_at(0);
    } else if (op == "Cast") {
      const Tensor& x = input_at(0);
      const std::int64_t to = node.get_int("to", 1);
      out.shape = x.shape;
      if (to == 1 || to == 11) {
        out.floats = as_floats(x);
      } else {
        out.integer = true;
        out.ints = as_ints(x, where);
        if (to == 9)
          for (auto& v : out.ints) v = v != 0 ? 1 : 0;
      }
    } else if (op == "Gemm" || op == "MatMul") {  // activation x activation: digital
      Tensor a = input_at(0);
      Tensor b = input_at(1);
      if (op == "Gemm") {
        if (node.get_int("transA", 0) != 0) a = transpose(a, {1, 0}, where);
        if (node.get_int("transB", 0) != 0) b = transpose(b, {1, 0}, where);
      }
      if (a.shape.size() < 2 || b.shape.size() < 2)
        throw DataError(where + ": operands must be at least 2-D");
      const std::int64_t m = a.shape[a.shape.size() - 2], k = a.shape.back();
      const std::int64_t n = b.shape.back();
      if (b.shape[b.shape.size() - 2] != k) {
        throw DataError(where + ": " + shape_text(a.shape) + " x " + shape_text(b.shape));
      }
      const Shape batch_a(a.shape.begin(), a.shape.end() - 2);
      const Shape batch_b(b.shape.begin(), b.shape.end() - 2);
      Shape batch = broadcast_shape(batch_a, batch_b, where);
      (void)elements_of(batch, where);
      const std::vector<std::size_t> ia = broadcast_index(batch_a, batch);
      const std::vector<std::size_t> ib = broadcast_index(batch_b, batch);
      Shape s = batch;
      s.push_back(m);
      s.push_back(n);
      out = make_float(s, where);
      const std::vector<float> fa = as_floats(a);
      const std::vector<float> fb = as_floats(b);
      for (std::size_t p = 0; p < ia.size(); ++p) {
        const float* pa = fa.data() + ia[p] * static_cast<std::size_t>(m * k);
        const float* pb = fb.data() + ib[p] * static_cast<std::size_t>(k * n);
        float* po = out.floats.data() + p * static_cast<std::size_t>(m * n);
        for (std::int64_t r = 0; r < m; ++r) {
          for (std::int64_t kk = 0; kk < k; ++kk) {
            const float v = pa[r * k + kk];
            for (std::int64_t c = 0; c < n; ++c) po[r * n + c] += v * pb[kk * n + c];
          }
        }
      }
      if (op == "Gemm") {
        const float alpha = node.get_float("alpha", 1.0F);
        for (float& v : out.floats) v *= alpha;
        if (has_input(2)) {
          Tensor c = input_at(2);
          const float beta = node.get_float("beta", 1.0F);
          for (float& v : c.floats) v *= beta;
          out = binary(out, c, where, std::plus<float>(), std::plus<std::int64_t>());
        }
      }
      ops += 2 * out.size() * static_cast<std::size_t>(k);
    } else {
      throw ConfigError(where + ": operator not supported");  // the reader refuses it first
    }
    values[step.output] = std::move(out);
    for (const auto& in : node.inputs) {
      const auto it = last_use.find(in);
      if (it != last_use.end() && it->second == si && in != graph_.output) values.erase(in);
    }
  }
  if (digital_ops != nullptr) *digital_ops = ops;
  const auto it = values.find(graph_.output);
  if (it == values.end()) {
    const auto init = graph_.initializers.find(graph_.output);
    if (init == graph_.initializers.end()) throw DataError(origin_ + ": no value for the output");
    return as_floats(init->second);
  }
  return as_floats(it->second);
}

}  // namespace cimsim
