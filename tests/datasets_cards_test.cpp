// Protocol cards (configs/protocols/*.yaml, issue 24 item 6): every card loads, names itself after its
// file (<benchmark>_<family>_<name>), is valid for its benchmark, and is explicit: it lists every key of
// the resolved protocol, so what a row records is what the card says. Unknown cards are errors listing
// the cards there.
#include <gtest/gtest.h>

#include <filesystem>

#include "harness/config_io.h"
#include "harness/eval/protocol_card.h"

namespace fs = std::filesystem;

namespace pevlm {
namespace {

TEST(ProtocolCards, EveryCardIsValidExplicitAndNamedAfterItsFile) {
  const fs::path dir = fs::path(PEVLM_SOURCE_DIR) / "configs" / "protocols";
  int cards = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".yaml") continue;
    ++cards;
    const ProtocolCard card = load_protocol_card(e.path().string(), PEVLM_SOURCE_DIR);
    EXPECT_EQ(card.card, card.benchmark + "_" + card.family + "_" + card.protocol["name"].get<std::string>()) << e.path();
    EXPECT_TRUE(card.family == "qwen2_5_vl" || card.family == "llava_video" || card.family == "longvila") << e.path();
    const nlohmann::json resolved = check_protocol_card(card);
    for (const auto& [key, value] : resolved.items()) {
      if (key == "benchmark" || key == "frames_as_video" && card.benchmark == "longvideobench") continue;  // implied by the name
      ASSERT_TRUE(card.protocol.contains(key)) << e.path() << " does not state \"" << key << "\"";
      EXPECT_EQ(card.protocol[key], value) << e.path() << " key " << key;
    }
  }
  EXPECT_GE(cards, 27);
}

// configs/benchmarks/<benchmark>_<family>.yaml name a card of their benchmark and family.
TEST(ProtocolCards, BenchmarkConfigsNameCardsOfTheirBenchmarkAndFamily) {
  int configs = 0;
  for (const auto& e : fs::directory_iterator(fs::path(PEVLM_SOURCE_DIR) / "configs" / "benchmarks")) {
    if (e.path().extension() != ".yaml") continue;
    ++configs;
    const nlohmann::json doc = load_yaml_file(e.path());
    const ProtocolCard card = load_protocol_card(doc.at("protocol").get<std::string>(), PEVLM_SOURCE_DIR);
    EXPECT_EQ(card.benchmark, doc.at("dataset").at("benchmark")) << e.path();
    EXPECT_EQ(e.path().stem().string(), card.benchmark + "_" + card.family) << e.path();
    EXPECT_EQ(doc.at("methods").size(), 7u) << e.path();
  }
  EXPECT_EQ(configs, 9);
}

TEST(ProtocolCards, UnknownCardsListTheKnownOnes) {
  try {
    load_protocol_card("videomme_qwen2_5_vl_oficial", PEVLM_SOURCE_DIR);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("configs/protocols/videomme_qwen2_5_vl_oficial.yaml"), std::string::npos) << m;
    EXPECT_NE(m.find("videomme_qwen2_5_vl_official"), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace pevlm
