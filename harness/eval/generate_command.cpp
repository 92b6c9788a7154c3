// `pevlm generate --model DIR --video FILE --question TEXT [--method NAME --set k=v ...]
//  [--frames N] [--max-new-tokens N] [--dtype auto|bf16|fp32] [--device cpu|cuda|cuda:N] [--executor NAME]
//  [--apply-rotation] [--decoder NAME --decoder-set k=v ...]`: one-off inference on a real video file;
// prints the answer, token counts and per-phase timings (device time). A speculative decoder (std,
// speculative, parallelvlm) also runs greedy decoding of the same prompt and prints its row figures
// (lossless, speedup, acceptance, idle times, predicted speedup).
#include <ATen/ATen.h>

#include <chrono>
#include <cmath>
#include <cstdio>

#include "attention/device_timer.h"
#include "datasets/video/video_reader.h"
#include "harness/cli_args.h"
#include "harness/commands.h"
#include "harness/config_io.h"
#include "harness/eval/draft_answer.h"
#include "harness/eval/qwen_runtime.h"

namespace pevlm {

int run_generate_command(const std::vector<std::string>& args) {
  const CliSpec spec{"pevlm generate --model DIR --video FILE --question TEXT [--method NAME --set k=v ...] [--frames N] "
                     "[--max-new-tokens N] [--dtype auto|bf16|fp32] [--device cpu|cuda|cuda:N] [--executor NAME] "
                     "[--max-pixels N] [--apply-rotation] [--decoder NAME --decoder-set k=v ...]",
                     {"--model", "--video", "--question", "--method", "--frames", "--max-new-tokens", "--dtype", "--executor",
                      "--max-pixels", "--device", "--decoder"},
                     {"--apply-rotation"},
                     {"--set", "--decoder-set"}};
  const CliArgs cli = parse_cli(args, spec);
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); };
  nlohmann::json entry = parse_overrides(cli.repeated.count("--set") ? cli.repeated.at("--set") : std::vector<std::string>{});
  entry["name"] = cli.get("--method", "full");
  const MethodConfig method = resolve_method(entry);
  nlohmann::json decoder_entry =
      parse_overrides(cli.repeated.count("--decoder-set") ? cli.repeated.at("--decoder-set") : std::vector<std::string>{});
  decoder_entry["name"] = cli.get("--decoder", "greedy");
  const DecoderConfig decoder = resolve_decoder(decoder_entry);  // before loading: a bad name fails fast
  const DeviceSpec device = resolve_device(cli.get("--device", "cpu"));
  const QwenRuntime model(cli.require("--model", spec.usage), cli.get("--dtype", "auto"), cli.get("--executor", "auto"), device);

  // Frames: N uniformly spaced (linspace over the whole video, as qwen-vl-utils' sampler).
  auto t0 = Clock::now();
  const std::string path = cli.require("--video", spec.usage);
  const video::VideoInfo info = video::probe(path);
  const int64_t n = std::max<int64_t>(2, std::min<int64_t>(std::stoll(cli.get("--frames", "16")), info.frame_count));
  std::vector<int64_t> idx;
  for (int64_t i = 0; i < n; ++i) idx.push_back(std::llround(double(i) * double(info.frame_count - 1) / double(n - 1)));
  video::DecodeOptions decode;
  decode.apply_rotation = cli.flag("--apply-rotation");  // off by default, as the reference loaders
  video::VideoFrames frames = video::decode_frames(path, idx, decode);
  const double decode_ms = ms(t0);

  t0 = Clock::now();
  qwen2_5_vl::PreprocessOptions opts;
  opts.config = model.preprocessor();
  opts.config.min_pixels = 128 * 28 * 28;
  opts.config.max_pixels = std::stoll(cli.get("--max-pixels", std::to_string(768 * 28 * 28)));
  const at::Tensor thwc = at::from_blob(frames.rgb_NHWC.data(), {n, frames.height, frames.width, 3}, at::kByte);
  PreparedVideo video;
  video.chunks.push_back(qwen2_5_vl::preprocess_video(thwc, opts));
  video.pieces.push_back(UserPiece{"", 0});
  video.plan.second_per_grid_ts = double(model.config().vision.temporal_patch_size) / 2.0;  // fps 2 convention
  const double preprocess_ms = ms(t0);

  const auto timer = attention::DeviceTimer::make(device.device);  // device time, not launch time
  const int v0 = timer->mark();
  const at::Tensor vision = model.encode(video.chunks);
  const double vision_ms = timer->ms(v0, timer->mark());
  const std::string system_prompt = "You are a helpful assistant.", question = cli.require("--question", spec.usage);
  const auto prompt = model.prompt(video, system_prompt, question);
  const at::Tensor x_LD = model.embed(prompt, vision);
  const int64_t max_new_tokens = std::stoll(cli.get("--max-new-tokens", "32"));
  DraftModels drafts(model, cli.require("--model", spec.usage));
  DraftInput draft;
  if (!draft_model_of(decoder).empty())
    draft = drafts.input(draft_model_of(decoder), video, system_prompt, question, prompt.ids);
  const MethodAnswer a = model.answer(x_LD, prompt.layout, method, max_new_tokens, decoder, draft.model ? &draft : nullptr);
  std::printf("answer: %s\n", a.response.c_str());
  std::printf("device: %s, executor %s (kernel %s); video %dx%d, rotation %d (applied %d)\n", device.description.c_str(),
              model.describe()["executor"].get<std::string>().c_str(), model.describe()["kernel"].get<std::string>().c_str(),
              info.width, info.height, info.rotation_deg, frames.rotation_applied_deg);
  std::printf("method: %s\ntokens: %s (frames: %lld, grid %lldx%lldx%lld)\n", method.label().c_str(), a.token_counts.dump().c_str(),
              (long long)n, (long long)video.chunks[0].grid.t, (long long)video.chunks[0].grid.h, (long long)video.chunks[0].grid.w);
  std::printf("timings ms: decode video %.1f, preprocess %.1f, vision %.1f, prefill attention %.1f, prefill other %.1f, decode %.1f "
              "(%lld tokens)\n",
              decode_ms, preprocess_ms, vision_ms, a.timings.prefill_attention_ms, a.timings.prefill_other_ms, a.timings.decode_ms,
              (long long)a.tokens.size());
  if (a.speculative) {
    const MethodAnswer greedy = model.answer(x_LD, prompt.layout, method, max_new_tokens);
    SpeculativeFigures f = *a.speculative;
    f.greedy_decode_ms = greedy.timings.decode_ms;
    f.lossless = greedy.tokens == a.tokens;
    std::printf("decoder: %s\nspeculative: %s\nselection: %s\n", decoder.label().c_str(), speculative_metrics(f).dump().c_str(),
                a.selection.dump().c_str());
  }
  return 0;
}

}  // namespace pevlm
