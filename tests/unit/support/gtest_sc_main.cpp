// Entry point for unit tests that link SystemC.
//
// libsystemc.so defines main() itself (calling sc_main) and refers to sc_main. Linked after
// it, gtest_main's main() would never be pulled in and SystemC's banner-printing main would
// run instead, so a test executable defines both here: main() runs the GoogleTest suite, and
// sc_main only satisfies the shared library's reference.
#include <gtest/gtest.h>

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}

extern "C" int sc_main(int, char**) { return 1; }
