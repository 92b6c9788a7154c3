// FastVID (reduction/fastvid_budget.h, fastvid_select.h): the per-frame budgets by hand, DySeg on planted
// similarities, and the whole selection + merge against the reference's own branches run in Python
// (scripts/golden/make_fastvid_golden.py -> tests/data/reduction/fastvid_golden.safetensors): segment sizes and
// kept indices exactly, kept tokens and the TokenMerge weights' rebuild of them max-abs <= 1e-5 (fp32; the
// reference's own arithmetic order for tokens_KD, index_add_ order for the weights).
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <string>

#include "models/safetensors/safetensors.h"
#include "models/safetensors/torch_tensor.h"
#include "reduction/fastvid_budget.h"
#include "reduction/fastvid_select.h"
#include "reduction/fastvid_stage.h"
#include "reduction/apply_merge.h"

namespace pevlm::reduction {
namespace {

namespace st = safetensors;
const std::string kGolden = PEVLM_SOURCE_DIR "/tests/data/reduction/fastvid_golden.safetensors";

at::Tensor read(const std::string& name) { return st::to_tensor_copy(st::Checkpoint::open(kGolden).get(name)); }

std::vector<int64_t> ids(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kLong).contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

TEST(FastvidBudget, DefaultsPerFamily) {
  const FastvidParams q = fastvid_defaults(FastvidVariant::Qwen2_5VL);
  EXPECT_DOUBLE_EQ(q.retention, 0.27);
  EXPECT_EQ(q.c, 8);
  EXPECT_DOUBLE_EQ(q.tau, 0.84);
  EXPECT_DOUBLE_EQ(q.ignore, 0.95);
  const FastvidParams l = fastvid_defaults(FastvidVariant::LlavaVideo);
  EXPECT_DOUBLE_EQ(l.retention, 0.10);
  EXPECT_DOUBLE_EQ(l.tau, 0.9);
  EXPECT_DOUBLE_EQ(l.d, 0.4);
  EXPECT_EQ(l.p, 4);
  EXPECT_DOUBLE_EQ(l.beta, 0.6);
}

TEST(FastvidBudget, LlavaVideoByHand) {
  // 169 tokens a frame, retention 0.1: int(16.9) = 16 a frame. A 6-frame segment: 96 tokens, context int(38.4)
  // = 38, salient 58 -> 10,10,10,10,9,9; context over frames 0 and 4 (ceil(6/4) = 2 shares of 19), reversed.
  const FastvidParams p = fastvid_defaults(FastvidVariant::LlavaVideo);
  const FrameBudgets b = fastvid_frame_budgets(p, 6, 169, {});
  EXPECT_EQ(b.salient, (std::vector<int64_t>{10, 10, 10, 10, 9, 9}));
  EXPECT_EQ(b.context, (std::vector<int64_t>{0, 19, 0, 0, 0, 19}));
  const FrameBudgets one = fastvid_frame_budgets(p, 1, 169, {});
  EXPECT_EQ(one.salient, (std::vector<int64_t>{10}));  // 16 - int(6.4)
  EXPECT_EQ(one.context, (std::vector<int64_t>{6}));
}

TEST(FastvidBudget, LlavaOnevisionByHand) {
  // 196 tokens a frame (14 x 14 bilinear), retention 0.1: retain int(19.6) = 19, salient 19 - int(7.6) = 12 on
  // every frame, frame_context 7. Segments {1, 4, 5}, p 4: the single frame keeps 7; the 4-frame segment one anchor
  // (its last frame) with 7 * 4 // ceil(4 / 4) = 28; the 5-frame segment anchors at seg_indices 4 and 0 (its first
  // and last frames) with 7 * 5 // 2 = 17 each (L939-951).
  const FastvidParams p = fastvid_defaults(FastvidVariant::LlavaOnevision);
  const OnevisionBudget b = fastvid_onevision_budget(p, {1, 4, 5}, 196);
  EXPECT_EQ(b.salient, 12);
  EXPECT_EQ(b.frame_context, 7);
  EXPECT_EQ(b.context, (std::vector<int64_t>{7, 0, 0, 0, 28, 17, 0, 0, 0, 17}));
  // p 1: every frame is its own anchor with exactly frame_context (the reference's single-frame path keeps them).
  FastvidParams p1 = p;
  p1.p = 1;
  EXPECT_EQ(fastvid_onevision_budget(p1, {3}, 196).context, (std::vector<int64_t>{7, 7, 7}));
  EXPECT_EQ(fastvid_variant_name(p.variant), std::string("llava_onevision"));
  EXPECT_THROW(fastvid_frame_budgets(p, 2, 196, {}), std::logic_error);  // its budgets are per video, not per segment
  // An anchor needing more context tokens than its frame has left (the reference's topk raises): an error saying so.
  FastvidParams big = p;
  big.retention = 1.0, big.c = 1, big.tau = -2.0;  // 4 tokens: 3 salient, 1 left; one 2-frame segment -> 2 on its anchor
  const at::Tensor frames = at::randn({2, 4, 8});
  try {
    fastvid_select_onevision(frames, at::rand({2, 4}), frames.mean(1), big);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("needs 2 context tokens but has 1"), std::string::npos) << e.what();
  }
}

TEST(FastvidBudget, QwenSubSegmentsByHand) {
  // 12 tokens a patch, retention 0.5: 6 a patch; 5 patches: 30, context max(int(12.0), 1) = 12, salient 18.
  // Sub-segments {2, 3}: salient 9, 9 on their last patches; context p 4: one share of 12 on sub-segment 0
  // capped at 12 // 2 = 6, reversed onto sub-segment 1; its salient capped at 12 - 6 = 6.
  FastvidParams p = fastvid_defaults(FastvidVariant::Qwen2_5VL);
  p.retention = 0.5;
  const FrameBudgets b = fastvid_frame_budgets(p, 5, 12, {2, 3});
  EXPECT_EQ(b.salient, (std::vector<int64_t>{0, 9, 0, 0, 6}));
  EXPECT_EQ(b.context, (std::vector<int64_t>{0, 0, 0, 0, 6}));
  EXPECT_THROW(fastvid_frame_budgets(p, 5, 12, {2, 2}), std::invalid_argument);
  // A budget rounded to 0 still asks for one context token (Qwen's max(..., 1)).
  p.retention = 0.01;
  const FrameBudgets zero = fastvid_frame_budgets(p, 1, 12, {});
  EXPECT_EQ(zero.context, (std::vector<int64_t>{1}));
  EXPECT_EQ(zero.salient, (std::vector<int64_t>{-1}));
}

TEST(FastvidSegments, CutsAtLowestAndBelowTau) {
  // Unit features whose adjacent similarities are 1, 0.5, 1, 0.9, 1 (frames 0-5).
  auto unit = [](double angle) { return std::vector<float>{float(std::cos(angle)), float(std::sin(angle))}; };
  const double a = std::acos(0.5), b = std::acos(0.9);
  std::vector<float> flat;
  for (double angle : {0.0, 0.0, a, a, a + b, a + b}) {
    auto u = unit(angle);
    flat.insert(flat.end(), u.begin(), u.end());
  }
  const at::Tensor g = at::tensor(flat).reshape({6, 2});
  EXPECT_EQ(fastvid_segments(g, 2, 0.0), (std::vector<int64_t>{2, 4}));      // the lowest only
  EXPECT_EQ(fastvid_segments(g, 1, 0.95), (std::vector<int64_t>{2, 2, 2}));  // tau alone
  EXPECT_EQ(fastvid_segments(g, 3, 0.0), (std::vector<int64_t>{2, 2, 2}));   // the two lowest
  EXPECT_EQ(fastvid_segments(g, 1, 0.0), (std::vector<int64_t>{6}));
  EXPECT_EQ(fastvid_segments(g, 20, 0.0).size(), 6u);  // clamped to F - 1 cuts
}

FastvidParams golden_params(const std::string& c, int64_t* grid_w) {
  const at::Tensor pv = read(c + ".params").to(at::kDouble).contiguous();
  const double* v = pv.data_ptr<double>();
  FastvidParams p;
  p.variant = v[0] == 0 ? FastvidVariant::Qwen2_5VL : v[0] == 1 ? FastvidVariant::LlavaVideo : FastvidVariant::LlavaOnevision;
  p.retention = v[1];
  p.c = int64_t(v[2]);
  p.tau = v[3];
  p.ignore = v[4];
  p.d = v[5];
  p.p = int64_t(v[6]);
  p.beta = v[7];
  p.seed = uint64_t(v[8]);
  *grid_w = int64_t(v[9]);
  return p;
}

class FastvidGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(FastvidGolden, EqualsTheReference) {
  const std::string c = GetParam();
  int64_t grid_w = 0;
  const FastvidParams p = golden_params(c, &grid_w);
  const at::Tensor frames = read(c + ".frames"), saliency = read(c + ".saliency"), global = read(c + ".global");
  const FastvidSelection s = p.variant == FastvidVariant::Qwen2_5VL        ? fastvid_select(frames, saliency, global, p)
                             : p.variant == FastvidVariant::LlavaOnevision ? fastvid_select_onevision(frames, saliency, global, p)
                                                                           : fastvid_select_rows(frames, saliency, global, grid_w, p);
  EXPECT_EQ(s.segment_sizes, ids(read(c + ".segments")));
  ASSERT_EQ(s.kept, ids(read(c + ".kept")));
  const at::Tensor want = read(c + ".tokens");
  EXPECT_LE((s.tokens_KD - want).abs().max().item<double>(), 1e-5);
  // The TokenMerge weights rebuild the same rows from the input tokens.
  const at::Tensor flat = frames.reshape({-1, frames.size(2)});
  ASSERT_EQ(s.sources.size(), s.kept.size());
  int merged = 0;
  for (size_t r = 0; r < s.kept.size(); ++r) {
    at::Tensor row = flat[s.kept[r]].clone();
    if (!s.sources[r].empty()) {
      ++merged;
      row.zero_();
      double total = 0;  // each weight rounded to float; summed exactly enough here
      for (const auto& [token, w] : s.sources[r]) {
        row += w * flat[token];
        total += w;
      }
      EXPECT_NEAR(total, 1.0, 1e-6) << "row " << r;
    }
    EXPECT_LE((row - want[int64_t(r)]).abs().max().item<double>(), 1e-5) << c << " row " << r;
  }
  EXPECT_GT(merged, 0) << c << ": no context token merged anything";
}

INSTANTIATE_TEST_SUITE_P(Cases, FastvidGolden,
                         ::testing::Values("qwen_planted", "qwen_ignore", "qwen_defaults", "qwen_tiny", "qwen_ties",
                                           "llava_planted", "llava_defaults", "llava_tiny", "llava_tiny_head",
                                           "onevision_planted", "onevision_defaults", "onevision_tiny_head"));

// The stage on a whole prompt: text and question kept, the video's rows as the golden's, original positions.
void check_stage(const std::string& c, const SyntheticLayoutSpec& spec, bool pass_global) {
  int64_t grid_w = 0;
  const FastvidParams p = golden_params(c, &grid_w);
  const TokenLayout layout = make_synthetic_layout(spec);
  const at::Tensor frames = read(c + ".frames");
  const int64_t d = frames.size(2), v0 = layout.video_begin(), nv = frames.size(0) * frames.size(1);
  at::Tensor x = at::randn({layout.length, d});
  x.slice(0, v0, v0 + nv).copy_(frames.reshape({nv, d}));
  FastvidSideInput side{read(c + ".saliency"), pass_global ? read(c + ".global") : at::Tensor()};
  const TokenMerge merge = fastvid_merge(layout, x, side, p);
  const MergedInput in = apply_merge(x, layout, merge);
  std::vector<int64_t> want;
  for (int64_t t = 0; t < v0; ++t) want.push_back(t);
  for (int64_t k : ids(read(c + ".kept"))) want.push_back(v0 + k);
  for (int64_t t = v0 + nv; t < layout.length; ++t) want.push_back(t);
  ASSERT_EQ(merge.representative, want);
  const at::Tensor tokens = read(c + ".tokens");
  const int64_t kv = tokens.size(0);
  EXPECT_LE((in.x_LD.slice(0, v0, v0 + kv) - tokens).abs().max().item<double>(), 1e-5);
  EXPECT_TRUE(at::equal(in.x_LD.slice(0, 0, v0), x.slice(0, 0, v0)));
  EXPECT_TRUE(at::equal(in.x_LD.slice(0, v0 + kv), x.slice(0, v0 + nv)));
  ASSERT_EQ(in.layout.length, int64_t(want.size()));
  for (int a = 0; a < layout.positions.axes; ++a)
    for (size_t r = 0; r < want.size(); ++r)
      ASSERT_EQ(in.layout.positions.at(a, int64_t(r)), layout.positions.at(a, want[r])) << "axis " << a << " row " << r;
  EXPECT_EQ(in.layout.num_frames() <= layout.num_frames(), true);
}

TEST(FastvidStage, QwenPromptGlobalFeaturesFromTheFrames) {
  // qwen_planted: 12 temporal patches of a 4 x 4 grid; its global features were the frames' means.
  SyntheticLayoutSpec spec{5, 12, 16, 7, true, 4, 4, 2};
  check_stage("qwen_planted", spec, /*pass_global=*/false);
}

TEST(FastvidStage, LlavaVideoPromptWithRowNewlines) {
  // llava_planted: 10 frames of 4 rows x (4 + newline), 1-D positions.
  SyntheticLayoutSpec spec{5, 10, 20, 7, false, 0, 0, 1};
  check_stage("llava_planted", spec, /*pass_global=*/true);
}

TEST(FastvidStage, ParamsPerFamilyAndErrors) {
  EXPECT_DOUBLE_EQ(fastvid_params("qwen2_5_vl", nlohmann::json::object()).tau, 0.84);
  EXPECT_DOUBLE_EQ(fastvid_params("llava_video", nlohmann::json::object()).tau, 0.9);
  EXPECT_DOUBLE_EQ(fastvid_params("llava_video", {{"retention", 0.25}}).retention, 0.25);
  EXPECT_THROW(fastvid_params("longvila", nlohmann::json::object()), std::invalid_argument);
  EXPECT_THROW(fastvid_params("qwen2_5_vl", {{"k", 2}}), std::invalid_argument);
  EXPECT_THROW(fastvid_params("qwen2_5_vl", {{"retention", 0.0}}), std::invalid_argument);
  const TokenLayout layout = make_synthetic_layout({5, 3, 16, 7, true, 4, 4, 2});
  const at::Tensor x = at::randn({layout.length, 8});
  const FastvidParams p = fastvid_params("qwen2_5_vl", nlohmann::json::object());
  EXPECT_THROW(fastvid_merge(layout, x, {at::rand({3, 15}), at::Tensor()}, p), std::invalid_argument);
  EXPECT_THROW(fastvid_merge(layout, x.slice(0, 1), {at::rand({3, 16}), at::Tensor()}, p), std::invalid_argument);
}

}  // namespace
}  // namespace pevlm::reduction
