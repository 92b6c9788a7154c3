// Accuracy grouping keys and tallies (datasets/longvideobench/accuracy.h).
#include <gtest/gtest.h>

#include "datasets/longvideobench/accuracy.h"

namespace lvb = pevlm::lvb;

TEST(LvbAccuracy, GroupKeysAndTallies) {
  lvb::Sample a;
  a.duration_group = 600;
  a.question_category = "T2O";
  a.level = "L1-Perception";
  lvb::Sample b = a;
  b.duration_group = 15;
  b.question_category = "S2E";
  b.level = "L2-Relation";
  lvb::Sample c = a;
  c.duration_group = 3600;
  const auto ka = lvb::group_keys(a);
  EXPECT_EQ(ka.duration_group, "600");
  EXPECT_EQ(lvb::group_value(ka, "question_category"), "T2O");
  EXPECT_EQ(lvb::group_value(ka, "level"), "L1-Perception");
  EXPECT_THROW(lvb::group_value(ka, "topic"), std::invalid_argument);

  lvb::AccuracyTable t;
  t.add(ka, true);
  t.add(lvb::group_keys(b), false);
  t.add(lvb::group_keys(c), true);
  t.add(ka, false);
  EXPECT_EQ(t.overall().total, 4);
  EXPECT_DOUBLE_EQ(t.overall().accuracy(), 0.5);
  const auto& dur = t.by("duration_group");
  std::vector<std::string> order;
  for (const auto& [k, v] : dur) order.push_back(k);
  EXPECT_EQ(order, (std::vector<std::string>{"15", "600", "3600"}));  // numeric order
  EXPECT_DOUBLE_EQ(dur.at("600").accuracy(), 0.5);
  EXPECT_EQ(dur.at("15").correct, 0);
  EXPECT_EQ(t.by("question_category").at("T2O").total, 3);
  EXPECT_EQ(t.by("level").at("L2-Relation").total, 1);
  const auto j = t.to_json();
  EXPECT_EQ(j["overall"]["correct"], 2);
  EXPECT_EQ(j["duration_group"]["3600"]["accuracy"], 1.0);
  EXPECT_EQ(j["question_category"]["S2E"]["total"], 1);
  EXPECT_DOUBLE_EQ(lvb::Tally{}.accuracy(), 0.0);
}
