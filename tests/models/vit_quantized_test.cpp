// The quantized ViT forward on a small random encoder: its matrix layers simulated on crossbars
// with lossless ADCs give exactly the logits of the integer GEMM (every token one signed input
// vector), and ADCs that clip change them.
#include <gtest/gtest.h>

#include <random>

#include "models/transformer/vit_forward.h"
#include "sim/config/experiment.h"
#include "sim/hw/accelerator.h"
#include "sim/mapping/mapping_policy.h"
#include "sim/mapping/quantize.h"
#include "tests/systemc_test.h"
#include "tests/test_util.h"

namespace cimsim {
namespace {

MatrixLayer random_matrix(std::mt19937_64& rng, const std::string& name, std::size_t k,
                          std::size_t n) {
  std::normal_distribution<float> value(0.0F, 1.0F / std::sqrt(static_cast<float>(k)));
  MatrixLayer m;
  m.name = name;
  m.k = k;
  m.n = n;
  for (std::size_t i = 0; i < k * n; ++i) m.weights.push_back(value(rng));
  for (std::size_t i = 0; i < n; ++i) m.bias.push_back(0.1F * value(rng));
  return m;
}

LayerNormParams random_layer_norm(std::mt19937_64& rng, std::size_t dim) {
  std::uniform_real_distribution<float> value(0.5F, 1.5F);
  LayerNormParams p;
  for (std::size_t i = 0; i < dim; ++i) {
    p.gamma.push_back(value(rng));
    p.beta.push_back(value(rng) - 1.0F);
  }
  return p;
}

// 16 tokens of 7 x 7 patches, dim 8, 2 heads, FFN 16, one block, 3 classes.
VisionTransformer small_vit(std::mt19937_64& rng) {
  VisionTransformer vit;
  vit.dim = 8;
  vit.heads = 2;
  vit.ffn = 16;
  vit.classes = 3;
  vit.input_mean = 0.3F;
  vit.input_std = 0.35F;
  vit.patch_embed = random_matrix(rng, "patch_embed", 49, 8);
  std::normal_distribution<float> position(0.0F, 0.1F);
  for (std::size_t i = 0; i < 16 * 8; ++i) vit.positions.push_back(position(rng));
  EncoderBlock b;
  b.ln1 = random_layer_norm(rng, 8);
  b.q = random_matrix(rng, "q", 8, 8);
  b.k = random_matrix(rng, "k", 8, 8);
  b.v = random_matrix(rng, "v", 8, 8);
  b.o = random_matrix(rng, "o", 8, 8);
  b.ln2 = random_layer_norm(rng, 8);
  b.ffn1 = random_matrix(rng, "ffn1", 8, 16);
  b.ffn2 = random_matrix(rng, "ffn2", 16, 8);
  vit.blocks.push_back(b);
  vit.final_ln = random_layer_norm(rng, 8);
  vit.head = random_matrix(rng, "head", 8, 3);
  return vit;
}

class VitQuantized : public testing::SystemCTest {};

TEST_F(VitQuantized, LosslessCrossbarsEqualTheIntegerGemm) {
  std::mt19937_64 rng(77);
  const VisionTransformer vit = small_vit(rng);
  const std::size_t count = 3;
  std::uniform_real_distribution<float> pixel(0.0F, 1.0F);
  std::vector<float> images(count * 28 * 28);
  for (float& p : images) p = pixel(rng);

  // Crossbars of 16 x 16 so that the 49-row patch embedding and the 16-row FFN2 take several
  // row tiles or sections; 8-bit weights per output channel, signed 8-bit inputs scaled by the
  // float inputs' own maximum.
  MappingGeometry geometry;
  geometry.rows = 16;
  geometry.cols = 16;
  geometry.section_rows = 16;
  QuantSettings quant_settings;
  std::vector<std::vector<double>> observed(vit.matrix_layers().size());
  (void)vit_forward_float(vit, images, count,
                          [&](std::size_t ordinal, const std::vector<float>& x) {
                            observed[ordinal].assign(x.begin(), x.end());
                          });
  for (const std::string policy : {"baseline", "sws"}) {
    std::vector<MappedLayer> mapped;
    std::vector<LayerQuantization> quant;
    for (std::size_t i = 0; i < vit.matrix_layers().size(); ++i) {
      const MatrixLayer& m = *vit.matrix_layers()[i];
      QuantizedWeights w = quantize_weights(std::vector<double>(m.weights.begin(), m.weights.end()),
                                            m.k, m.n, quant_settings);
      LayerQuantization q;
      q.weights = w.values;
      q.weight_scales = w.scales;
      q.input_signed = true;
      q.input_scale = calibration_magnitude(observed[i], "max") / 127.0;
      quant.push_back(q);
      mapped.push_back(map_layer(policy, w.values, geometry, m.name));
    }
    std::vector<const MappedLayer*> layers;
    for (const MappedLayer& m : mapped) layers.push_back(&m);

    std::size_t products = 0;
    const std::vector<float> ideal = vit_forward_quantized(
        vit, quant, images, count, [&](std::size_t ordinal, const IntMatrix& x) {
          EXPECT_EQ(x.rows, ordinal + 1 == quant.size() ? count : count * 16) << ordinal;
          ++products;
          return testing::integer_product(x, quant[ordinal].weights);
        });
    EXPECT_EQ(products, 8U);

    for (const bool clip : {false, true}) {
      fresh_context();
      MacroSettings settings;
      settings.input_signed = true;
      settings.kernel = "reference";  // the plain per-column loops, not an integer product
      settings.adc.policy = clip ? "capped" : "lossless";
      settings.adc.bits = clip ? 3 : 8;
      Accelerator top("top", layers, settings);
      std::uint64_t clipped = 0;
      const std::vector<float> simulated = vit_forward_quantized(
          vit, quant, images, count, [&](std::size_t ordinal, const IntMatrix& x) {
            LayerResult result = top.run_layer(ordinal, x);
            clipped += result.counts.clipped_conversions;
            return result.outputs;
          });
      if (clip) {
        EXPECT_GT(clipped, 0U) << policy;
        EXPECT_NE(simulated, ideal) << policy;
      } else {
        EXPECT_EQ(clipped, 0U) << policy;
        EXPECT_EQ(simulated, ideal) << policy;  // bit for bit
      }
    }

    // The quantized network stays close to the float one: 8-bit inputs and weights.
    const std::vector<float> reference = vit_forward_float(vit, images, count);
    for (std::size_t i = 0; i < reference.size(); ++i) {
      EXPECT_NEAR(ideal[i], reference[i], 0.05 * (1.0 + std::abs(reference[i]))) << i;
    }
  }
}

}  // namespace
}  // namespace cimsim
