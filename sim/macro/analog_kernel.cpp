#include "sim/macro/analog_kernel.h"

#include <algorithm>
#include <cmath>

#include "sim/device/device_model.h"

namespace cimsim {

AnalogKernel::AnalogKernel(const MappedCrossbar& crossbar, const MappingGeometry& geometry,
                           const DeviceSettings& device, const std::vector<std::size_t>& converting,
                           bool signed_offset, std::uint64_t crossbar_id)
    : crossbar_(&crossbar),
      device_(device),
      converting_(converting),
      crossbar_id_(crossbar_id),
      cycles_(geometry.input_cycles()),
      dac_bits_(geometry.dac_bits),
      input_mask_((1U << geometry.input_bits) - 1U),
      offset_(signed_offset ? std::int64_t{1} << (geometry.input_bits - 1) : 0),
      read_noise_(device.read_noise_sigma > 0.0),
      read_noise_rng_(device.seed, RandomStream::kReadNoise),
      adc_noise_rng_(device.seed, RandomStream::kAdcNoise) {
  // The ADC plan (gating, resolution, step) stays the one designed from the stored levels: the
  // hardware does not know its cells' errors. Gated columns never convert and read exact zero.
  const DeviceModel model(device, geometry.cell_bits);
  const std::size_t rows = crossbar.gather.size();
  const std::size_t count = converting_.size();
  g_.assign(rows * count, 0.0F);
  if (read_noise_) g2_.assign(rows * count, 0.0F);
  const CounterRng offset_rng(device.seed, RandomStream::kAdcOffset);
  adc_offset_lsb_.assign(count, 0.0);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t j = converting_[i];
    const std::vector<std::uint8_t>& cells = crossbar.columns[j].cells;
    for (std::size_t r = 0; r < rows; ++r) {
      const double g = model.conductance(cells[r], crossbar_id_, r, j);
      g_[r * count + i] = static_cast<float>(g);
      if (read_noise_) g2_[r * count + i] = static_cast<float>(g * g);
    }
    if (device.adc_offset_sigma_lsb > 0.0) {
      adc_offset_lsb_[i] = device.adc_offset_sigma_lsb * offset_rng.normal(crossbar_id_, j);
    }
  }
  sum_.resize(static_cast<std::size_t>(cycles_) * count);
  if (read_noise_) variance_.resize(sum_.size());
}

void AnalogKernel::load_vector(const std::int32_t* x, std::uint64_t* cycle_nonzero) {
  const int v = dac_bits_;
  const std::uint32_t digit_mask = (1U << v) - 1U;
  const std::vector<std::int32_t>& gather = crossbar_->gather;
  const std::size_t rows = gather.size();
  const std::size_t converting = converting_.size();
  std::fill(sum_.begin(), sum_.end(), 0.0F);
  if (read_noise_) std::fill(variance_.begin(), variance_.end(), 0.0F);
  std::fill(cycle_nonzero, cycle_nonzero + cycles_, 0);

  // Column sums of every cycle at once, row by row: a row's conductances are added, times its
  // digit, into the sums of each cycle where its digit is nonzero (the sum of independent
  // per-cell read noise is a Gaussian of variance sum d^2 (sigma g)^2, kept alongside).
  for (std::size_t r = 0; r < rows; ++r) {
    const std::int64_t value = x[gather[r]];
    const auto driven = static_cast<std::uint32_t>(value + offset_) & input_mask_;
    if (driven == 0) continue;
    const float* g = &g_[r * converting];
    const float* g2 = read_noise_ ? &g2_[r * converting] : nullptr;
    if (v == 1) {
      // Bit-serial digits are 0 or 1: visit the set bits only and add the row as it is.
      for (std::uint32_t bits = driven; bits != 0; bits &= bits - 1) {
        const auto p = static_cast<std::size_t>(__builtin_ctz(bits));
        ++cycle_nonzero[p];
        float* sum = &sum_[p * converting];
        for (std::size_t i = 0; i < converting; ++i) sum[i] += g[i];
        if (g2 != nullptr) {
          float* variance = &variance_[p * converting];
          for (std::size_t i = 0; i < converting; ++i) variance[i] += g2[i];
        }
      }
      continue;
    }
    for (int p = 0; p < cycles_; ++p) {
      const std::uint32_t digit = (driven >> static_cast<unsigned>(p * v)) & digit_mask;
      if (digit == 0) continue;
      ++cycle_nonzero[p];
      float* sum = &sum_[static_cast<std::size_t>(p) * converting];
      const auto d = static_cast<float>(digit);
      for (std::size_t i = 0; i < converting; ++i) sum[i] += d * g[i];
      if (g2 != nullptr) {
        float* variance = &variance_[static_cast<std::size_t>(p) * converting];
        for (std::size_t i = 0; i < converting; ++i) variance[i] += d * d * g2[i];
      }
    }
  }
}

double AnalogKernel::perturbed_sum(int cycle, std::size_t i, std::uint64_t vector,
                                   std::int64_t step) const {
  const std::size_t at = static_cast<std::size_t>(cycle) * converting_.size() + i;
  // One draw per (crossbar, vector, cycle, column): the same in any batch or thread order.
  const std::uint64_t event = (static_cast<std::uint64_t>(cycle) << 32U) | converting_[i];
  double sum = sum_[at];
  if (read_noise_ && variance_[at] > 0.0F) {
    sum += device_.read_noise_sigma * std::sqrt(static_cast<double>(variance_[at])) *
           read_noise_rng_.normal(crossbar_id_, vector, event);
  }
  double input_referred_lsb = adc_offset_lsb_[i];
  if (device_.adc_noise_sigma_lsb > 0.0) {
    input_referred_lsb +=
        device_.adc_noise_sigma_lsb * adc_noise_rng_.normal(crossbar_id_, vector, event);
  }
  return sum + input_referred_lsb * static_cast<double>(step);
}

}  // namespace cimsim
