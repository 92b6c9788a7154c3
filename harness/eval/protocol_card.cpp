#include "harness/eval/protocol_card.h"

#include <stdexcept>

#include "datasets/registry/registry.h"
#include "harness/config_io.h"

namespace pevlm {

ProtocolCard load_protocol_card(const std::string& name_or_path, const std::filesystem::path& base_dir) {
  std::filesystem::path file(name_or_path);
  const bool is_path = file.extension() == ".yaml" || name_or_path.find('/') != std::string::npos;
  if (!is_path) file = base_dir / "configs" / "protocols" / (name_or_path + ".yaml");
  else if (file.is_relative()) file = base_dir / file;
  if (!std::filesystem::exists(file)) {
    std::string known;
    const auto dir = base_dir / "configs" / "protocols";
    if (std::filesystem::is_directory(dir))
      for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".yaml") known += (known.empty() ? "" : ", ") + e.path().stem().string();
    throw std::invalid_argument("protocol card \"" + name_or_path + "\": expected the file " + file.string() +
                                (known.empty() ? "" : " (cards there: " + known + ")"));
  }
  const nlohmann::json doc = load_yaml_file(file);
  const std::string where = file.string();
  check_keys(doc, {"card", "version", "benchmark", "family", "description", "protocol"}, where,
             {"card", "version", "benchmark", "family", "protocol"});
  ProtocolCard c;
  c.file = file;
  c.card = doc["card"].get<std::string>();
  if (c.card != file.stem().string())
    throw std::invalid_argument(where + ".card: expected \"" + file.stem().string() + "\" (the file's name), got \"" + c.card + "\"");
  c.version = integer_value(doc, "version", 1, where);
  c.benchmark = doc["benchmark"].get<std::string>();
  c.family = doc["family"].get<std::string>();
  c.description = doc.value("description", "");
  c.protocol = doc["protocol"];
  if (!c.protocol.is_object() || !c.protocol.contains("name"))
    throw std::invalid_argument(where + ".protocol: expected a mapping with a 'name'");
  return c;
}

nlohmann::json check_protocol_card(const ProtocolCard& card) {
  try {
    return datasets::benchmark_info(card.benchmark).check_protocol(card.protocol);
  } catch (const std::exception& e) {
    throw std::invalid_argument(card.file.string() + ": " + e.what());
  }
}

}  // namespace pevlm
