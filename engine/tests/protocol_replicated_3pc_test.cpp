// Replicated 3PC (Araki et al., CCS 2016) against plaintext (protocol_correctness.hpp).
#include "protocol_correctness.hpp"

int main() {
  qs_test::run_correctness(3, 10007);
  qs_test::run_correctness(3, 1);
  return qs_test::finish();
}
