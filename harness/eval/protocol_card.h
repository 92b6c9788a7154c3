// Protocol cards (issue 24 item 6): configs/protocols/<benchmark>_<family>_<name>.yaml, one versioned,
// named, explicit protocol per (benchmark, model family): {card, version, benchmark, family, description,
// protocol: {name, every key}}. An eval config names one (`protocol: <card>`); every row records the
// resolved protocol with the card's name, version and family. Torch-free (library pevlm_protocol_cards).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace pevlm {

struct ProtocolCard {
  std::string card, benchmark, family, description;
  int64_t version = 1;
  nlohmann::json protocol;  // {name, keys...}
  std::filesystem::path file;
  nlohmann::json header() const { return {{"card", card}, {"version", version}, {"family", family}}; }
};

// `name_or_path`: a card name looked up as <base_dir>/configs/protocols/<name>.yaml, or a path to a .yaml
// file. Throws std::invalid_argument naming the expected file (listing the cards there) or the bad key.
// The card's own name must equal its file's stem; the protocol is NOT validated here (the benchmark's
// registry entry does that: check_protocol_card).
ProtocolCard load_protocol_card(const std::string& name_or_path, const std::filesystem::path& base_dir);

// The card's protocol validated by its benchmark (registry) and resolved in full; throws naming the file.
nlohmann::json check_protocol_card(const ProtocolCard& card);

}  // namespace pevlm
