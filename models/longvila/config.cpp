// LongVILA split-folder configuration; see config.h.
#include "models/longvila/config.h"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "models/longvila/config_defaults.h"
#include "models/llm/config_json.h"

namespace pevlm::longvila {
namespace {

using config_json::JsonReader;

nlohmann::json read_json(const std::filesystem::path& file, const std::filesystem::path& dir) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("LongVILA folder " + dir.string() + ": missing " + file.string());
  try {
    nlohmann::json j;
    in >> j;
    return j;
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + ": not valid JSON (" + e.what() + ")");
  }
}

}  // namespace

LongVilaConfig load_config(const std::filesystem::path& dir) {
  LongVilaConfig c;
  c.source = (dir / "config.json").string();
  const nlohmann::json top = read_json(dir / "config.json", dir);
  const JsonReader root(c.source, {{&top, ""}}, &llava_llama_defaults());
  const nlohmann::json llm = read_json(dir / "llm" / "config.json", dir);
  c.text = llm::parse_qwen2_text_config(llm, (dir / "llm" / "config.json").string());
  const nlohmann::json vt = read_json(dir / "vision_tower" / "config.json", dir);
  // SiglipVisionModel.save_pretrained writes the vision config itself; a full SiglipModel nests it.
  c.vision = siglip::parse_siglip_config(vt.contains("vision_config") ? vt["vision_config"] : vt,
                                         (dir / "vision_tower" / "config.json").string());
  const std::string select = root.get_string("mm_vision_select_feature");
  if (select != "cls_patch")
    root.fail("mm_vision_select_feature", "is '" + select + "'; SigLIP has no class token, expected \"cls_patch\" (all tokens)");
  c.vision_layers = siglip::layers_for_select(c.vision.num_layers, root.get_int("mm_vision_select_layer"));
  const std::filesystem::path proj_file = dir / "mm_projector" / "config.json";
  const nlohmann::json proj = read_json(proj_file, dir);
  c.projector_type = JsonReader(proj_file.string(), {{&proj, ""}}, &v2l_projector_defaults()).get_string("mm_projector_type");
  if (c.projector_type != "mlp_downsample")
    throw std::runtime_error(proj_file.string() + ": key 'mm_projector_type' is '" + c.projector_type +
                             "'; supported projector types: mlp_downsample");
  c.frames = root.get_int("num_video_frames");
  if (c.frames < 1) root.fail("num_video_frames", "must be >= 1");
  // VILA llava/utils/media.py _extract_video: getattr(config, "fps", 0.0) -- but LlavaConfig always sets
  // the attribute (None when config.json lacks it), and `None > 0` raises: the key is required.
  if (!root.has("fps"))
    root.fail("fps", "missing; VILA's video loader compares it with 0 (> 0: frames from the start at that rate, "
                     "0: uniform over the whole video) and fails without it");
  c.fps = root.get_double("fps");
  // VILA builds the tower's processor with SiglipImageProcessor.from_pretrained(vision_tower/): the
  // file is required; omitted mean/std are the class default IMAGENET_STANDARD_MEAN/STD (0.5).
  const std::filesystem::path pre = dir / "vision_tower" / "preprocessor_config.json";
  const nlohmann::json p = read_json(pre, dir);
  const JsonReader r(pre.string(), {{&p, ""}});
  for (const char* key : {"image_mean", "image_std"}) {
    if (!r.has(key)) continue;
    const std::vector<double> v = r.get_double_array(key);
    if (v.size() != 3) r.fail(key, "must have 3 entries");
    std::copy(v.begin(), v.end(), (std::string(key) == "image_mean" ? c.image_mean : c.image_std).begin());
  }
  const JsonReader text(c.source, {{&llm, "llm."}, {&top, ""}});
  c.torch_dtype = text.has("torch_dtype") ? text.get_string("torch_dtype") : text.get_string("dtype", "bfloat16");
  return c;
}

}  // namespace pevlm::longvila
