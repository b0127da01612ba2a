#include "sim/io/sha256.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/io/test_files.h"

namespace cimsim {
namespace {

TEST(Sha256, MatchesPublishedTestVectors) {
  EXPECT_EQ(sha256_hex("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(std::vector<std::uint8_t>{'a', 'b', 'c'}),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, MismatchNamesFileBothHashesAndRemedy) {
  EXPECT_NO_THROW(check_sha256("data/x", "ab", "ab", "re-run it"));
  testing::expect_data_error([] { check_sha256("data/x", "ab", "cd", "re-run it"); },
                             {"data/x", "sha256 mismatch", "expected cd", "got ab", "re-run it"});
}

}  // namespace
}  // namespace cimsim
