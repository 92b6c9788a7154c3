#include "decoders/decode_metrics.h"

#include <cmath>

namespace pevlm {

double predicted_speedup(double a, int64_t gamma, double c) {
  const double g = double(gamma);
  const double tokens = a >= 1.0 ? g + 1.0 : (1.0 - std::pow(a, g + 1.0)) / (1.0 - a);
  return tokens / (1.0 + g / c);
}

double predicted_parallel_speedup(double a, int64_t gamma, double c) {
  const double g = double(gamma);
  const double tokens = a >= 1.0 ? g + 1.0 : (1.0 - std::pow(a, g + 1.0)) / (1.0 - a);
  const double rejected = a >= 1.0 ? 0.0 : 1.0 - std::pow(a, g + 1.0);
  return tokens / (1.0 + rejected * g / c);
}

nlohmann::json tokens_per_second(int64_t tokens, double ms) {
  return ms > 0 ? nlohmann::json(double(tokens) / (ms / 1000.0)) : nlohmann::json(nullptr);
}

nlohmann::json speculative_metrics(const SpeculativeFigures& f) {
  auto ratio = [](double num, double den) { return den > 0 ? nlohmann::json(num / den) : nlohmann::json(nullptr); };
  nlohmann::json j = {{"decode_tokens_per_s", tokens_per_second(f.generated, f.decode_ms)},
                      {"greedy_decode_ms", f.greedy_decode_ms},
                      {"speedup_vs_greedy", ratio(f.greedy_decode_ms, f.decode_ms + f.selection_ms)},
                      {"decode_speedup_vs_greedy", ratio(f.greedy_decode_ms, f.decode_ms)},
                      {"lossless", f.lossless},
                      {"rounds", f.rounds},
                      {"drafted", f.drafted},
                      {"accepted", f.accepted},
                      {"acceptance_rate", ratio(double(f.accepted), double(f.drafted))},
                      {"mean_accepted_length", ratio(double(f.accepted), double(f.rounds))},
                      {"draft_steps", f.draft_steps},
                      {"verify_passes", f.verify_passes},
                      {"draft_ms", f.draft_ms},
                      {"verify_ms", f.verify_ms},
                      {"decode_ms", f.decode_ms},
                      {"selection_ms", f.selection_ms},
                      {"gamma", f.gamma}};
  const nlohmann::json c = f.rounds > 0 && f.draft_steps > 0 && f.draft_ms > 0
                               ? ratio(f.verify_ms / double(f.rounds), f.draft_ms / double(f.draft_steps))
                               : nlohmann::json(nullptr);
  j["c"] = c;
  j["predicted_speedup"] = c.is_null() || j["acceptance_rate"].is_null()
                               ? nlohmann::json(nullptr)
                               : nlohmann::json(predicted_speedup(j["acceptance_rate"].get<double>(), f.gamma, c.get<double>()));
  const auto null = nlohmann::json(nullptr);
  j["two_models"] = f.two_models;
  j["target_idle_ms"] = f.two_models ? nlohmann::json(f.target_idle_ms) : null;
  j["draft_idle_ms"] = f.two_models ? nlohmann::json(f.draft_idle_ms) : null;
  j["draft_prefill_ms"] = f.two_models ? nlohmann::json(f.draft_prefill_ms) : null;
  j["prefill_wall_ms"] = f.two_models ? nlohmann::json(f.prefill_wall_ms) : null;
  j["parallel"] = f.parallel;
  j["gamma_auto"] = f.gamma_auto;
  j["parallel_windows"] = f.parallel ? nlohmann::json(f.parallel_windows) : null;
  j["parallel_used"] = f.parallel ? nlohmann::json(f.parallel_used) : null;
  j["modelled_pipeline_ms"] = f.parallel ? nlohmann::json(f.modelled_ms) : null;
  j["predicted_speedup_parallel"] =
      f.parallel && !c.is_null() && !j["acceptance_rate"].is_null()
          ? nlohmann::json(predicted_parallel_speedup(j["acceptance_rate"].get<double>(), f.gamma, c.get<double>()))
          : null;
  return j;
}

}  // namespace pevlm
