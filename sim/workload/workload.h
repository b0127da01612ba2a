// What an experiment runs (workload.kind): a matrix product, or a network on a dataset. Each
// kind is a registered implementation that validates its own keys, maps its layers, drives the
// simulated accelerator and returns per-layer results.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/registry.h"
#include "sim/hw/accelerator.h"
#include "sim/mapping/mapped_layer.h"
#include "sim/trace/weight_trace.h"

namespace cimsim {

struct Experiment;

struct Accuracy {
  std::uint64_t samples = 0;
  double top1 = 0.0;                 // simulated through the configured ADCs [fraction]
  double float_top1 = 0.0;           // float32 reference [fraction]
  std::optional<double> ideal_top1;  // quantized, no ADC effects [fraction]
};

struct LayerRecord {
  MappedLayer mapping;
  LayerResult result;
};

struct WorkloadResult {
  std::vector<LayerRecord> layers;
  std::uint64_t inferences = 0;  // input vectors (gemm) or samples (networks)
  std::string inference_unit = "vectors";
  std::optional<WideMatrix> outputs;  // integer results of a single-layer matrix workload
  std::optional<Accuracy> accuracy;
  ChipSummary chip;         // the chip the layers ran on (tiles, ADCs, interconnect statistics)
  ScheduleResult schedule;  // the run's timing (sim/workload/run_timing.h)
};

// Where a run may write files of its own (a VCD) before the results folder is published.
struct RunContext {
  std::filesystem::path staging_dir;
};

class Workload {
 public:
  static constexpr const char* kKind = "workload";
  virtual ~Workload() = default;
  // Cross-field rules of this kind; throws ConfigError at the offending key.
  virtual void validate(const Experiment& experiment) const = 0;
  [[nodiscard]] virtual WorkloadResult run(const Experiment& experiment,
                                           const RunContext& context) const = 0;
  // The workload's layers quantized, pruned and mapped, for `cimsim map`.
  [[nodiscard]] virtual std::vector<TraceLayer> map_layers(const Experiment& experiment) const = 0;
};

using WorkloadRegistry = Registry<Workload>;

}  // namespace cimsim
