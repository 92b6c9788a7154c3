// The commit in result rows (issue 21): a tree copied without .git (a GPU node's working copy) passes
// it in through PEVLM_COMMIT, and every row says where its commit came from.
#include <gtest/gtest.h>

#include <cstdlib>

#include "harness/provenance.h"

namespace pevlm {
namespace {

TEST(Provenance, CommitFromTheEnvironmentWinsAndIsLabelled) {
  ::setenv("PEVLM_COMMIT", "0123456789ab", 1);
  EXPECT_EQ(git_commit(), "0123456789ab");
  const nlohmann::json p = provenance();
  EXPECT_EQ(p["commit"], "0123456789ab");
  EXPECT_EQ(p["commit_source"], "PEVLM_COMMIT");
  ::setenv("PEVLM_COMMIT", "", 1);  // empty = not given
  const CommitInfo fallback = source_commit();
  EXPECT_NE(fallback.commit, "0123456789ab");
  EXPECT_TRUE(fallback.source == "git" || fallback.source == "configure") << fallback.source;
  ::unsetenv("PEVLM_COMMIT");
  EXPECT_EQ(source_commit().source, fallback.source);
}

}  // namespace
}  // namespace pevlm
