// Debian's libsystemc.so defines main() and needs an sc_main() to link against; the fuzzers have
// libFuzzer's main() and never start SystemC, so this one is never called.
extern "C" int sc_main(int /*argc*/, char** /*argv*/) { return 0; }
