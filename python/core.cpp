// cimsim._core: the simulator as a Python extension (pybind11, Debian's pybind11-dev). One entry
// point: run(experiment_file, overrides) runs an experiment exactly as `cimsim run FILE --set ...`
// does and returns the results folder; python/cimsim/__init__.py builds the Python API on it.
// Errors keep the command line's text: ConfigError and UsageError become cimsim.ConfigError (a
// ValueError; exit 2 on the command line), DataError and RuntimeError cimsim.DataError and
// cimsim.SimulationError (exit 1).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "sim/app/run_command.h"
#include "sim/config/experiment.h"
#include "sim/core/errors.h"

// SystemC's library calls sc_main from its own main(), which a Python process never runs; the
// symbol must still resolve when the module is loaded (exported: pybind11 hides the rest).
extern "C" __attribute__((visibility("default"))) int sc_main(int /*argc*/, char** /*argv*/) {
  return 0;
}

namespace py = pybind11;

PYBIND11_MODULE(_core, m) {
  m.doc() = "cimsim's simulator core (see the cimsim package)";
  static py::exception<cimsim::ConfigError> config_error(m, "ConfigError", PyExc_ValueError);
  static py::exception<cimsim::DataError> data_error(m, "DataError", PyExc_RuntimeError);
  static py::exception<cimsim::Error> simulation_error(m, "SimulationError", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const cimsim::ConfigError& e) {
      config_error(e.what());
    } catch (const cimsim::UsageError& e) {
      config_error(e.what());
    } catch (const cimsim::DataError& e) {
      data_error(e.what());
    } catch (const cimsim::Error& e) {
      simulation_error(e.what());
    }
  });
  m.def(
      "run",
      [](const std::string& file, const std::vector<std::string>& overrides) {
        const cimsim::Experiment experiment = cimsim::load_experiment(file, overrides);
        py::gil_scoped_release release;  // a long run; other Python threads may go on
        return cimsim::run_experiment(experiment).string();
      },
      py::arg("experiment_file"), py::arg("overrides") = std::vector<std::string>{},
      "Runs an experiment file with `key=value` overrides; returns the results folder.");
}
