# vixen_window_tests: the windowed path (GLFW window, surface, swapchain, resizes). It is an
# executable of its own so that only it needs a display: CTest runs each of its tests (and
# the build lists them) through xvfb-run, a private virtual X server per run.
find_program(VIXEN_XVFB_RUN xvfb-run)
if(NOT VIXEN_XVFB_RUN)
    message(FATAL_ERROR "xvfb-run not found: the window tests (vixen_window_tests) run under a "
                        "virtual X server; install the xvfb and xauth packages "
                        "(apt-get install xvfb xauth), or configure with -DVIXEN_BUILD_TESTS=OFF")
endif()

add_executable(vixen_window_tests swapchain_test.cpp window_test.cpp)
target_link_libraries(vixen_window_tests PRIVATE
    vixen_gpu vixen_alloc_hooks GTest::gtest GTest::gtest_main)
vixen_configure_target(vixen_window_tests)
# gtest_discover_tests runs the executable through the target's emulator, both to list
# the tests and to run each one.
set_target_properties(vixen_window_tests PROPERTIES
    CROSSCOMPILING_EMULATOR "${VIXEN_XVFB_RUN};-a;-s;-screen 0 1280x720x24")

# As for FramePacerTest in vixen_gpu_tests: with validation on, the Khronos layer (1.3.239)
# leaks heap blocks of its own for command buffers it has seen, which LeakSanitizer reports
# against an unloaded module; SwapchainTest (validation on) therefore runs without leak
# detection under the sanitizers. GLFW, Xlib and Mesa's X11 presentation leak nothing:
# WindowSetupTest and SwapchainNoValidationTest (the same frames, validation off) stay
# leak-checked.
set(_window_with_validation "SwapchainTest.*")
set(_window_validation_properties ENVIRONMENT "${_lavapipe}")
if(VIXEN_SANITIZE)
    list(APPEND _window_validation_properties
        ENVIRONMENT_MODIFICATION "ASAN_OPTIONS=set:detect_leaks=0:abort_on_error=1")
endif()
gtest_discover_tests(vixen_window_tests DISCOVERY_TIMEOUT 60
    TEST_FILTER "-${_window_with_validation}"
    PROPERTIES ENVIRONMENT "${_lavapipe}")
gtest_discover_tests(vixen_window_tests DISCOVERY_TIMEOUT 60
    TEST_FILTER "${_window_with_validation}"
    PROPERTIES ${_window_validation_properties})
