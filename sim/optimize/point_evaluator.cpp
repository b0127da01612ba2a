#include "sim/optimize/point_evaluator.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "sim/core/errors.h"
#include "sim/core/interrupt.h"
#include "sim/io/sha256.h"
#include "sim/report/results_folder.h"

extern char** environ;

namespace cimsim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// What an interrupted search leaves: every point finished before is in the journal.
constexpr const char* kKeptOnInterrupt =
    "the journal keeps every point finished before: run the same command again to go on";

json read_json(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw DataError(file.string() + ": cannot open");
  try {
    return json::parse(in);
  } catch (const json::exception& error) {
    throw DataError(file.string() + ": not valid JSON: " + error.what());
  }
}

// A word for a bash script, in single quotes.
std::string quoted(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

json Measurement::to_json() const {
  json layer_list = json::array();
  for (const LayerMeasurement& l : layers) {
    layer_list.push_back({{"name", l.name},
                          {"energy_pj", l.energy_pj},
                          {"adc_energy_pj", l.adc_energy_pj},
                          {"latency_ns", l.latency_ns},
                          {"area_um2", l.area_um2},
                          {"crossbars", l.crossbars}});
  }
  return {{"energy_pj", energy_pj},
          {"adc_energy_pj", adc_energy_pj},
          {"latency_ns", latency_ns},
          {"area_um2", area_um2},
          {"crossbars", crossbars},
          {"input_buffer_reads", input_buffer_reads},
          {"top1", top1},
          {"ideal_top1", ideal_top1},
          {"embedding_cosine", embedding_cosine},
          {"ideal_embedding_cosine", ideal_embedding_cosine},
          {"samples", samples},
          {"layers", layer_list}};
}

Measurement Measurement::from_json(const json& j) {
  Measurement m;
  m.energy_pj = j.at("energy_pj").get<double>();
  m.adc_energy_pj = j.at("adc_energy_pj").get<double>();
  m.latency_ns = j.at("latency_ns").get<double>();
  m.area_um2 = j.at("area_um2").get<double>();
  m.crossbars = j.at("crossbars").get<std::uint64_t>();
  m.input_buffer_reads = j.at("input_buffer_reads").get<std::uint64_t>();
  m.top1 = j.at("top1").get<double>();
  m.ideal_top1 = j.at("ideal_top1").get<double>();
  // Journals written before use_lite and crossbar budgets lack these: zero there.
  m.embedding_cosine = j.value("embedding_cosine", 0.0);
  m.ideal_embedding_cosine = j.value("ideal_embedding_cosine", 0.0);
  m.samples = j.at("samples").get<std::uint64_t>();
  for (const json& l : j.at("layers")) {
    m.layers.push_back({l.at("name").get<std::string>(), l.at("energy_pj").get<double>(),
                        l.at("adc_energy_pj").get<double>(), l.at("latency_ns").get<double>(),
                        l.at("area_um2").get<double>(), l.value("crossbars", std::uint64_t{0})});
  }
  return m;
}

Measurement Measurement::from_results(const fs::path& folder) {
  const json report = read_json(folder / "report.json");
  Measurement m;
  const json& totals = report.at("totals");
  m.energy_pj = totals.at("energy_pj").at("total").get<double>();
  m.adc_energy_pj = totals.at("energy_pj").at("adc").get<double>();
  m.latency_ns = totals.at("latency_ns").get<double>();
  m.area_um2 = totals.at("area_um2").at("total").get<double>();
  m.crossbars = totals.at("crossbars").get<std::uint64_t>();
  m.input_buffer_reads = totals.at("counts").at("input_buffer_reads").get<std::uint64_t>();
  const fs::path fidelity_file = folder / "fidelity.json";
  if (report.contains("accuracy") && report.at("accuracy").contains("ideal_top1")) {
    const json& accuracy = report.at("accuracy");
    m.top1 = accuracy.at("top1").get<double>();
    m.ideal_top1 = accuracy.at("ideal_top1").get<double>();
    m.samples = accuracy.at("samples").get<std::uint64_t>();
  } else if (fs::exists(fidelity_file) &&
             read_json(fidelity_file).contains("ideal_embedding_cosine_mean")) {
    const json fidelity = read_json(fidelity_file);
    m.embedding_cosine = fidelity.at("embedding_cosine_mean").get<double>();
    m.ideal_embedding_cosine = fidelity.at("ideal_embedding_cosine_mean").get<double>();
    m.samples = fidelity.at("sentences").get<std::uint64_t>();
  } else {
    throw DataError(folder.string() +
                    ": the point's results have no integer-ideal top-1 or embedding cosine: "
                    "optimize needs a network workload (mnist_cnn, vit, onnx, use_lite)");
  }
  for (const json& l : report.at("layers")) {
    m.layers.push_back(
        {l.at("name").get<std::string>(), l.at("energy_pj").at("total").get<double>(),
         l.at("energy_pj").at("adc").get<double>(), l.at("latency_ns").get<double>(),
         l.at("area_um2").at("total").get<double>(), l.at("crossbars").get<std::uint64_t>()});
  }
  return m;
}

bool Measurement::has_embedding_cosine() const { return ideal_embedding_cosine > 0.0; }

std::string Measurement::fidelity_text() const {
  char buffer[96];
  if (has_embedding_cosine()) {
    std::snprintf(buffer, sizeof buffer, "embedding cosine %.6f (ideal %.6f)", embedding_cosine,
                  ideal_embedding_cosine);
  } else {
    std::snprintf(buffer, sizeof buffer, "top-1 %.2f %% (ideal %.2f %%)", 100.0 * top1,
                  100.0 * ideal_top1);
  }
  return buffer;
}

std::string Point::id(const std::string& salt) const {
  std::string text = salt;
  for (const std::string& o : overrides) text += o + "\n";
  return sha256_hex(text.data(), text.size()).substr(0, 16);
}

PointEvaluator::PointEvaluator(EvaluatorSettings settings) : settings_(std::move(settings)) {
  std::ifstream in(settings_.experiment, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  salt_ = text.str() + "\n";
  for (const std::string& o : settings_.base_overrides) salt_ += o + "\n";
  fs::create_directories(settings_.out_dir / "points");
  fs::create_directories(settings_.out_dir / "logs");
  load_journal();
}

void PointEvaluator::load_journal() {
  const fs::path file = settings_.out_dir / "journal.json";
  if (!fs::exists(file)) return;
  const json journal = read_json(file);
  for (const auto& [id, entry] : journal.at("points").items()) {
    // An entry of an older journal without per-layer crossbars is read again from its folder.
    const json& layers = entry.at("measurement").at("layers");
    if (std::any_of(layers.begin(), layers.end(),
                    [](const json& l) { return !l.contains("crossbars"); }))
      continue;
    journal_[id] = entry;
    measured_[id] = Measurement::from_json(entry.at("measurement"));
  }
}

void PointEvaluator::save_journal() const {
  json points = json::object();
  for (const auto& [id, entry] : journal_) points[id] = entry;
  const json journal = {{"experiment", settings_.experiment.string()},
                        {"overrides", settings_.base_overrides},
                        {"points", points}};
  write_text_file_atomically(settings_.out_dir / "journal.json", journal.dump(1) + "\n");
}

void PointEvaluator::record(const Point& point, const Measurement& m) {
  journal_[point_id(point)] = {
      {"label", point.label}, {"overrides", point.overrides}, {"measurement", m.to_json()}};
  measured_[point_id(point)] = m;
  save_journal();
}

const Measurement& PointEvaluator::at(const Point& point) const {
  const auto it = measured_.find(point_id(point));
  if (it == measured_.end()) throw RuntimeError("optimize: point " + point.label + " not measured");
  return it->second;
}

fs::path PointEvaluator::point_dir(const Point& point) const {
  return settings_.out_dir / "points" / point_id(point);
}

std::vector<std::string> PointEvaluator::command(const Point& point) const {
  std::vector<std::string> argv = {settings_.cimsim.string()};
  if (settings_.threads > 0) {
    argv.emplace_back("--threads");
    argv.push_back(std::to_string(settings_.threads));
  }
  argv.emplace_back("run");
  argv.push_back(settings_.experiment.string());
  for (const auto* list : {&settings_.base_overrides, &point.overrides}) {
    for (const std::string& o : *list) {
      argv.emplace_back("--set");
      argv.push_back(o);
    }
  }
  argv.emplace_back("--out");
  argv.push_back(point_dir(point).string());
  return argv;
}

bool PointEvaluator::evaluate(const std::vector<Point>& points, const std::string& stage) {
  std::vector<Point> pending;
  for (const Point& point : points) {
    if (measured_.count(point_id(point)) != 0) {
      ++reused_;
      continue;
    }
    // A folder published by a Slurm task (or an earlier run that stopped before its journal).
    const fs::path report = point_dir(point) / "report.json";
    if (fs::exists(report)) {
      record(point, Measurement::from_results(point_dir(point)));
      ++reused_;
      continue;
    }
    if (std::none_of(pending.begin(), pending.end(),
                     [this, &point](const Point& p) { return point_id(p) == point_id(point); }))
      pending.push_back(point);
  }
  if (pending.empty()) return true;
  if (!settings_.slurm_file.empty()) {
    write_slurm(pending, stage);
    return false;
  }
  run_locally(pending, stage);
  return true;
}

void PointEvaluator::run_locally(const std::vector<Point>& points, const std::string& stage) {
  std::map<pid_t, const Point*> running;
  std::size_t next = 0;
  std::size_t done = 0;
  const auto stop_all = [&running] {
    for (const auto& [pid, point] : running) ::kill(pid, SIGTERM);
    for (const auto& [pid, point] : running) ::waitpid(pid, nullptr, 0);
  };
  while (done < points.size()) {
    while (next < points.size() && static_cast<int>(running.size()) < std::max(1, settings_.jobs)) {
      const Point& point = points[next++];
      const std::vector<std::string> args = command(point);
      std::vector<char*> argv;
      argv.reserve(args.size() + 1);
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      const std::string log = (settings_.out_dir / "logs" / (point_id(point) + ".log")).string();
      posix_spawn_file_actions_t actions;
      posix_spawn_file_actions_init(&actions);
      posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                       O_WRONLY | O_CREAT | O_TRUNC, 0644);
      posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
      pid_t pid = 0;
      const int error = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
      posix_spawn_file_actions_destroy(&actions);
      if (error != 0) {
        stop_all();
        throw RuntimeError("optimize: cannot start " + args[0] + ": " + std::strerror(error));
      }
      running[pid] = &point;
    }
    // Polled, not blocking: the signal handlers restart a blocked waitpid, and a SIGINT or
    // SIGTERM sent to this process alone must still stop the points at once.
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid == 0 || (pid < 0 && errno == EINTR)) {
      if (interrupted()) {
        stop_all();
        throw_if_interrupted(kKeptOnInterrupt);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    if (pid < 0) {
      stop_all();
      throw RuntimeError(std::string("optimize: waiting for a point failed: ") +
                         std::strerror(errno));
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const Point& point = *it->second;
    running.erase(it);
    ++done;
    if (interrupted()) {
      stop_all();
      throw_if_interrupted(kKeptOnInterrupt);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      stop_all();
      throw RuntimeError("optimize: point " + point.label + " failed (see " +
                         (settings_.out_dir / "logs" / (point_id(point) + ".log")).string() + ")");
    }
    const Measurement m = Measurement::from_results(point_dir(point));
    record(point, m);
    ++evaluated_;
    std::printf("[optimize] %s: %zu/%zu %-40s energy %.6g uJ, %llu crossbars, %s\n", stage.c_str(),
                done, points.size(), point.label.c_str(), m.energy_pj * 1e-6,
                static_cast<unsigned long long>(m.crossbars), m.fidelity_text().c_str());
    std::fflush(stdout);
  }
}

void PointEvaluator::write_slurm(const std::vector<Point>& points, const std::string& stage) const {
  std::ostringstream s;
  s << "#!/usr/bin/env bash\n"
    << "# Written by cimsim optimize: stage '" << stage << "', " << points.size()
    << " points as a Slurm job array (task k = point k).\n"
    << "# Submit:  sbatch " << quoted(fs::absolute(settings_.slurm_file).string()) << "\n"
    << "# When every task is done, run the same `cimsim optimize` command again: it picks the\n"
    << "# points up from " << (settings_.out_dir / "points").string() << " and goes on.\n"
    << "#SBATCH --job-name=cimsim-optimize\n"
    << "#SBATCH --array=0-" << points.size() - 1 << "\n"
    << "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n"
    << "#SBATCH --output=" << (settings_.out_dir / "logs").string() << "/slurm-%A_%a.out\n";
  for (const std::string& option : settings_.slurm_options) s << "#SBATCH " << option << "\n";
  s << "set -euo pipefail\n"
    << "task=\"${SLURM_ARRAY_TASK_ID:?run this script with sbatch (SLURM_ARRAY_TASK_ID is not "
       "set)}\"\n"
    << "case \"$task\" in\n";
  for (std::size_t i = 0; i < points.size(); ++i) {
    s << "  " << i << ") set --";
    for (const std::string& word : command(points[i])) s << " " << quoted(word);
    s << " ;;\n";
  }
  s << "  *) echo \"optimize task $task: no such point (0.." << points.size() - 1
    << ")\" >&2; exit 2 ;;\nesac\n"
    << "exec \"$@\"\n";
  if (settings_.slurm_file.has_parent_path())
    fs::create_directories(settings_.slurm_file.parent_path());
  write_text_file_atomically(settings_.slurm_file, s.str());
  fs::permissions(settings_.slurm_file, fs::perms::owner_exec | fs::perms::group_exec,
                  fs::perm_options::add);
  std::printf(
      "[optimize] %s: wrote %s, a job array of %zu points; submit it with sbatch, then "
      "run this command again\n",
      stage.c_str(), settings_.slurm_file.string().c_str(), points.size());
}

}  // namespace cimsim
