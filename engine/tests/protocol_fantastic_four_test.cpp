// Fantastic Four (Dalskov, Escudero, Keller, USENIX Security 2021) against plaintext
// (protocol_correctness.hpp), with every hash check passing on honest runs.
#include "protocol_correctness.hpp"

int main() {
  qs_test::run_correctness(4, 10007);
  qs_test::run_correctness(4, 1);
  return qs_test::finish();
}
