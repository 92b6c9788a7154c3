// `pevlm generate --model DIR --video FILE --question TEXT [--method NAME --set k=v ...]
//  [--frames N] [--max-new-tokens N] [--dtype auto|bf16|fp32] [--device cpu|cuda|cuda:N] [--executor NAME]
//  [--model-option k=v ...] [--apply-rotation] [--frames-cache DIR] [--decoder NAME --decoder-set k=v ...]`: one-off
// inference on a real video file with any supported family (the folder's config.json says which); prints the answer, token
// counts and per-phase timings (device time). A speculative decoder (std, speculative, parallelvlm; the
// last two where the family has draft models: VideoLM::draft_models) also runs greedy decoding of the
// same prompt and prints its row figures (lossless, speedup, acceptance, idle times, predicted speedup).
#include <ATen/ATen.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>

#include "harness/eval/sample_inputs.h"
#include "harness/cli_args.h"
#include "harness/commands.h"
#include "harness/config_io.h"
#include "harness/eval/frames_cache.h"
#include "harness/eval/sample_video.h"
#include "harness/eval/video_lm_loader.h"

namespace pevlm {

int run_generate_command(const std::vector<std::string>& args) {
  const CliSpec spec{"pevlm generate --model DIR --video FILE --question TEXT [--method NAME --set k=v ...] [--frames N] "
                     "[--max-new-tokens N] [--dtype auto|bf16|fp32] [--device cpu|cuda|cuda:N] [--executor NAME] "
                     "[--max-pixels N] [--model-option k=v ...] [--apply-rotation] [--frames-cache DIR] "
                     "[--decoder NAME --decoder-set k=v ...]",
                     {"--model", "--video", "--question", "--method", "--frames", "--max-new-tokens", "--dtype", "--executor",
                      "--max-pixels", "--device", "--decoder", "--frames-cache"},
                     {"--apply-rotation"},
                     {"--set", "--model-option", "--decoder-set"}};
  const CliArgs cli = parse_cli(args, spec);
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); };
  auto repeated = [&](const char* key) { return cli.repeated.count(key) ? cli.repeated.at(key) : std::vector<std::string>{}; };
  nlohmann::json entry = parse_overrides(repeated("--set"));
  entry["name"] = cli.get("--method", "full");
  const MethodConfig method = resolve_method(entry);
  nlohmann::json decoder_entry =
      parse_overrides(cli.repeated.count("--decoder-set") ? cli.repeated.at("--decoder-set") : std::vector<std::string>{});
  decoder_entry["name"] = cli.get("--decoder", "greedy");
  const DecoderConfig decoder = resolve_decoder(decoder_entry);  // before loading: a bad name fails fast
  const DeviceSpec device = resolve_device(cli.get("--device", "cpu"));
  const std::unique_ptr<VideoLM> model = load_video_lm(cli.require("--model", spec.usage), cli.get("--dtype", "auto"),
                                                       cli.get("--executor", "auto"), device, parse_overrides(repeated("--model-option")));

  // Frames: those the family's reference loader reads when asked for N (VideoLM::generate_plan: uniform
  // over the whole video with the family's rounding, or LongVILA's config fps), with its default pixel
  // budget; N defaults to the family's evaluation setting. With --frames-cache DIR (as eval's) an entry for
  // this video, frame count, family and rotation replaces probing and decoding, so a GPU node without
  // FFmpeg runs from frames decoded elsewhere; without an entry the video is decoded and the entry written.
  // The key names the checkpoint too: a family's sampler may read it (LongVILA's fps).
  const std::string path = cli.require("--video", spec.usage);
  const int64_t wanted = cli.values.count("--frames") ? std::stoll(cli.get("--frames", "")) : model->default_frames();
  const bool apply_rotation = cli.flag("--apply-rotation");  // off by default, as the reference loaders
  lvb::PromptPlan plan;
  const auto plan_frames = [&](const CachedProbe& info) {
    plan = model->generate_plan(info.frame_count, info.fps, wanted);
    return plan.frame_indices;
  };
  std::optional<FramesCache> cache;
  if (cli.has("--frames-cache")) cache.emplace(cli.get("--frames-cache"));
  const nlohmann::json key = {{"video_path", path},
                              {"generate", {{"family", model->family()}, {"model", cli.require("--model", spec.usage)}, {"frames", wanted},
                                            {"apply_rotation", apply_rotation}}}};
  const CachedFrames frames =
      frames_through_cache(path, key, cache ? &*cache : nullptr, apply_rotation, plan_frames, {}, "generate --video " + path);
  const CachedProbe& info = frames.probe;
  const int64_t n = frames.frames_THWC.size(0);
  if (cli.values.count("--max-pixels")) {
    if (plan.max_pixels <= 0)
      throw std::invalid_argument("--max-pixels: the " + model->family() + " family resizes every frame to its fixed input size; it has no pixel budget");
    plan.max_pixels = double(std::stoll(cli.get("--max-pixels", "")));
  }
  const double decode_ms = frames.decode_ms;  // from the cache: the time measured where it was decoded

  const auto t0 = Clock::now();
  VideoInput video = model->prepare(frames.frames_THWC, plan, info.duration_s);
  pin_for_device(video, device.device);  // host work here, so the vision time below is device work only
  const double preprocess_ms = ms(t0);

  const EncodedVideo encoded = encode_video(*model, video, device.device);  // device time, not launch time
  const double vision_ms = encoded.vision_ms;
  const std::string system_prompt = "You are a helpful assistant.", question = cli.require("--question", spec.usage);
  const SampleInputs in = sample_inputs(*model, video, encoded.vision, system_prompt, question);
  const VideoPrompt& prompt = in.prompt;
  const at::Tensor& x_LD = in.x_LD;
  const int64_t max_new_tokens = std::stoll(cli.get("--max-new-tokens", "32"));
  // Draft-model decoders pair two checkpoints of a family that has draft models (VideoLM::draft_models).
  std::unique_ptr<DraftModels> drafts;
  DraftInput draft;
  if (!draft_model_of(decoder).empty()) {
    drafts = model->draft_models(cli.require("--model", spec.usage));
    if (!drafts)
      throw std::invalid_argument("decoder '" + decoder.name + "' drafts with a second model, which the " + model->family() +
                                  " family does not support");
    draft = drafts->input(draft_model_of(decoder), video, system_prompt, question, prompt.ids);
  }
  const MethodAnswer a = model->answer(x_LD, prompt.layout, method, max_new_tokens, decoder, draft.model ? &draft : nullptr);
  const nlohmann::json described = model->describe();
  std::printf("answer: %s\n", a.response.c_str());
  std::printf("frame indices: %s of %lld frames at %.17g fps\n", nlohmann::json(plan.frame_indices).dump().c_str(),
              (long long)info.frame_count, info.fps);
  if (described.contains("chat_template"))
    std::printf("chat template: %s (%s, sha256 %s)\n", described["chat_template"]["name"].get<std::string>().c_str(),
                described["chat_template"]["source"].get<std::string>().c_str(),
                described["chat_template"]["sha256"].get<std::string>().c_str());
  std::printf("model: %s (%s); device: %s, executor %s (kernel %s); video %dx%d, rotation %d (applied %d)%s\n",
              described["name"].get<std::string>().c_str(), model->family().c_str(), device.description.c_str(),
              described["executor"].get<std::string>().c_str(), described["kernel"].get<std::string>().c_str(), info.width,
              info.height, info.rotation_deg, apply_rotation ? info.rotation_deg : 0,
              frames.from_cache ? ("; frames from the cache " + cache->file_for(key).string()).c_str() : "");
  const auto& g = video.chunks.at(0).grid;
  std::printf("method: %s\ntokens: %s (frames: %lld, visual tokens %zu, chunk grid %lldx%lldx%lld)\n", method.label().c_str(),
              a.token_counts.dump().c_str(), (long long)n, prompt.visual_slots.size(), (long long)g[0], (long long)g[1],
              (long long)g[2]);
  std::printf("timings ms: decode video %.1f, preprocess %.1f, vision %.1f, prefill attention %.1f, prefill other %.1f, decode %.1f "
              "(%lld tokens)\n",
              decode_ms, preprocess_ms, vision_ms, a.timings.prefill_attention_ms, a.timings.prefill_other_ms, a.timings.decode_ms,
              (long long)a.tokens.size());
  if (!a.timings.sparse.layers.empty()) {  // data-dependent methods (issue 25): kept density, estimator cost, kernel
    nlohmann::json sp = a.timings.sparse.to_json();
    sp.erase("layers");
    std::printf("sparse: %s\n", sp.dump().c_str());
  }
  if (a.speculative) {
    const MethodAnswer greedy = model->answer(x_LD, prompt.layout, method, max_new_tokens);
    SpeculativeFigures f = *a.speculative;
    f.greedy_decode_ms = greedy.timings.decode_ms;
    f.lossless = greedy.tokens == a.tokens;
    std::printf("decoder: %s\nspeculative: %s\nselection: %s\n", decoder.label().c_str(), speculative_metrics(f).dump().c_str(),
                a.selection.dump().c_str());
  }
  return 0;
}

}  // namespace pevlm
