// The sanitizer build compiles this layer with -fsanitize-coverage=trace-cmp for the fuzzers
// (tests/fuzz). GCC then also calls hooks for floating-point comparisons, which neither the
// sanitizer runtime nor libFuzzer defines: these do nothing, and are weak so that a runtime
// that does define them wins.

extern "C" {
__attribute__((weak)) void __sanitizer_cov_trace_cmpf(float /*a*/, float /*b*/) {}
__attribute__((weak)) void __sanitizer_cov_trace_cmpd(double /*a*/, double /*b*/) {}
}
