// A test program's checks: no framework, one executable per *_test.cpp, run by ctest and by vitest
// (test/engine/). A failed CHECK prints where and exits 1 at the end of the program.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace qs_test {
inline int& failures() {
  static int n = 0;
  return n;
}
inline int finish() {
  if (failures()) std::fprintf(stderr, "%d check(s) failed\n", failures());
  else std::printf("all checks passed\n");
  return failures() ? 1 : 0;
}
}  // namespace qs_test

#define CHECK(cond)                                                                  \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);  \
      ++qs_test::failures();                                                         \
    }                                                                                \
  } while (0)

#define CHECK_EQ(a, b)                                                                                       \
  do {                                                                                                       \
    auto qs_a = (a);                                                                                         \
    auto qs_b = (b);                                                                                         \
    if (!(qs_a == qs_b)) {                                                                                   \
      std::fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s (%s vs %s)\n", __FILE__, __LINE__, #a, #b,     \
                   std::to_string(qs_a).c_str(), std::to_string(qs_b).c_str());                             \
      ++qs_test::failures();                                                                                 \
    }                                                                                                        \
  } while (0)
