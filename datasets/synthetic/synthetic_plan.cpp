// plan_synthetic_video(): durations per duration group, per-second content, subtitles and questions.
// The random stream is our own SplitMix64 (std:: distributions differ between standard libraries, and a
// seed must give the same dataset everywhere).
#include "datasets/synthetic/synthetic_plan.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace pevlm::synthetic {
namespace {

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {  // SplitMix64 (Steele, Lea, Flood 2014)
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  int uniform(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<uint64_t>(hi - lo + 1)); }
  bool chance(int percent) { return uniform(0, 99) < percent; }

 private:
  uint64_t s_;
};

// Per duration group: seconds range (reference: 8-15, 15-60, 180-600, 900-3600 s), frame rate, size,
// scene length. Long videos are small and slow (1-2 fps) so the whole default dataset stays a few MB.
struct GroupSpec {
  int group, min_s, max_s;
  double fps;
  int width, height, scene_s;
};
constexpr GroupSpec kGroups[4] = {
    {15, 8, 15, 4.0, 320, 180, 1},
    {60, 16, 60, 2.0, 256, 144, 2},
    {600, 180, 600, 2.0, 192, 108, 5},
    {3600, 900, 3600, 1.0, 160, 90, 10},
};

std::string make_video_id(Rng& rng) {
  static const char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_";
  std::string id;
  for (int i = 0; i < 11; ++i) id += kChars[rng.next() % (sizeof(kChars) - 1)];
  return id;
}

// Scene-wise content; consecutive scenes never share a background, so a frame from the wrong scene is
// detectable by colour. One shape is favoured so "which shape appears most often" has a clear answer.
std::vector<SecondContent> make_content(Rng& rng, int seconds, int scene_s) {
  const int n_shapes = static_cast<int>(shape_names().size());
  const int n_colours = static_cast<int>(palette().size());
  const int favourite = rng.uniform(0, n_shapes - 1);
  std::vector<SecondContent> out(seconds);
  int prev_colour = -1;
  for (int s0 = 0; s0 < seconds; s0 += scene_s) {
    SecondContent c;
    do c.colour = rng.uniform(0, n_colours - 1); while (c.colour == prev_colour);
    prev_colour = c.colour;
    c.digit = rng.uniform(0, 9);
    c.shape = rng.chance(45) ? favourite : rng.uniform(0, n_shapes - 1);
    for (int s = s0; s < std::min(seconds, s0 + scene_s); ++s) out[s] = c;
  }
  return out;
}

std::vector<int> shape_seconds(const std::vector<SecondContent>& content) {
  std::vector<int> count(shape_names().size(), 0);
  for (const auto& c : content) ++count[c.shape];
  return count;
}

// Makes the most frequent shape unique: while tied, turn one scene of a rival into the favourite.
void break_shape_ties(std::vector<SecondContent>& content, int scene_s) {
  for (;;) {
    const auto count = shape_seconds(content);
    const int best = static_cast<int>(std::max_element(count.begin(), count.end()) - count.begin());
    int rival = -1;
    for (int k = 0; k < static_cast<int>(count.size()); ++k)
      if (k != best && count[k] == count[best]) rival = k;
    if (rival < 0) return;
    for (size_t s0 = 0; s0 < content.size(); s0 += scene_s)
      if (content[s0].shape == rival) {
        for (size_t s = s0; s < std::min(content.size(), s0 + scene_s); ++s) content[s].shape = best;
        break;
      }
  }
}

// Candidates: the correct answer plus distinct distractors, shuffled; returns the correct index.
int fill_candidates(Rng& rng, const std::string& correct, std::vector<std::string> pool, int n,
                    std::vector<std::string>& out) {
  pool.erase(std::remove(pool.begin(), pool.end(), correct), pool.end());
  for (size_t i = pool.size(); i > 1; --i) std::swap(pool[i - 1], pool[rng.next() % i]);
  out.assign(pool.begin(), pool.begin() + std::min<size_t>(pool.size(), n - 1));
  const int at = rng.uniform(0, static_cast<int>(out.size()));
  out.insert(out.begin() + at, correct);
  return at;
}

std::vector<std::string> colour_names() {
  std::vector<std::string> v;
  for (const auto& c : palette()) v.push_back(c.name);
  return v;
}

std::string mmss(int s) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%d:%02d", s / 60, s % 60);
  return buf;
}

void add_subtitles(Rng& rng, SyntheticVideoPlan& p, int digit_scene) {
  const int scenes = (p.seconds + p.scene_s - 1) / p.scene_s;
  const int lines = std::min(scenes, p.duration_group == 15 ? 3 : p.duration_group == 60 ? 4 : 6);
  std::vector<int> chosen;  // scene indices with a narration line, always including digit_scene
  chosen.push_back(digit_scene);
  // Videos whose subtitle times need no offset also narrate the last scene (its line can end with null).
  const bool null_end = p.timestamp_schema && p.subtitle_offset_s == 0;
  if (null_end && digit_scene != scenes - 1 && lines > 1) chosen.push_back(scenes - 1);
  while (static_cast<int>(chosen.size()) < lines) {
    const int k = rng.uniform(0, scenes - 1);
    if (std::find(chosen.begin(), chosen.end(), k) == chosen.end()) chosen.push_back(k);
  }
  std::sort(chosen.begin(), chosen.end());
  for (int k : chosen) {
    const int s0 = k * p.scene_s;
    const double len = std::min(p.scene_s, std::min(3, p.seconds - s0));
    SubtitleLine line{s0 + 0.1, s0 + len - 0.1, ""};
    const auto& c = p.content[s0];
    line.text = k == digit_scene ? "Remember the number shown now."
                                 : std::string("Here the background is ") + palette()[c.colour].name + ".";
    p.subtitles.push_back(line);
  }
  // Schema with [start, end]: the last line may end with null, as in the real files, when its scene
  // lasts to the end. The reference loader replaces null by the duration and then subtracts
  // starting_timestamp_for_subtitles from it as well, so null is only right when that offset is 0.
  if (null_end && chosen.back() == scenes - 1 && chosen.back() != digit_scene) p.subtitles.back().end_s.reset();
}

void add_questions(Rng& rng, SyntheticVideoPlan& p, int digit_scene) {
  const auto colours = colour_names();
  const int n_first = 4 + (p.index % 2), n_other = 5 - (p.index % 2);
  QuestionPlan q;
  q.question = q.question_wo_referring_query = "What colour is the background at the start of the video?";
  q.correct_choice = fill_candidates(rng, colours[p.content.front().colour], colours, n_first, q.candidates);
  q.position = {0};
  q.question_category = "S2A";
  q.level = "L1-Perception";
  p.questions.push_back(q);

  const auto count = shape_seconds(p.content);
  const int best = static_cast<int>(std::max_element(count.begin(), count.end()) - count.begin());
  q = {};
  q.question = q.question_wo_referring_query = "Which shape appears most often in the video?";
  q.correct_choice = fill_candidates(rng, shape_names()[best], shape_names(), n_other, q.candidates);
  for (int s = 0; s < p.seconds && q.position.size() < 8; s += p.scene_s)
    if (p.content[s].shape == best) q.position.push_back(s);
  q.question_category = "SOS";
  q.level = "L2-Relation";
  p.questions.push_back(q);

  const int s0 = digit_scene * p.scene_s;
  std::vector<std::string> digits;
  for (int d = 0; d <= 9; ++d) digits.push_back(std::to_string(d));
  q = {};
  q.question = "When the subtitle says 'Remember the number shown now.', which digit is drawn on the left?";
  q.question_wo_referring_query = "Which digit is drawn on the left?";
  q.correct_choice = fill_candidates(rng, digits[p.content[s0].digit], digits, n_first, q.candidates);
  q.position = {s0};
  q.question_category = "T2O";
  q.level = "L1-Perception";
  p.questions.push_back(q);

  const int last = p.seconds - 1;
  q = {};
  q.question = "At " + mmss(last) + ", at the end of the video, what colour is the background?";
  q.question_wo_referring_query = "What colour is the background?";
  q.correct_choice = fill_candidates(rng, colours[p.content[last].colour], colours, n_other, q.candidates);
  q.position = {last};
  q.question_category = "S2A";
  q.level = "L1-Perception";
  p.questions.push_back(q);
}

}  // namespace

SyntheticVideoPlan plan_synthetic_video(uint64_t seed, int index) {
  if (index < 0) throw std::invalid_argument("plan_synthetic_video: negative index " + std::to_string(index));
  // Each video's stream starts from a hashed (seed, index) state: seeding with seed + index directly
  // would make video i+1's stream video i's shifted by one draw (SplitMix64 steps by a constant).
  Rng mixer(seed ^ (static_cast<uint64_t>(index) * 0xD1B54A32D192ED03ull));
  Rng rng(mixer.next() ^ 0x5851F42D4C957F2Dull);
  const GroupSpec& g = kGroups[index % 4];
  SyntheticVideoPlan p;
  p.index = index;
  p.video_id = make_video_id(rng);
  p.duration_group = g.group;
  p.seconds = rng.uniform(g.min_s, g.max_s);
  p.fps = g.fps;
  p.width = g.width;
  p.height = g.height;
  p.gop = std::max(8, static_cast<int>(g.fps * 4));  // a keyframe every ~4 s: seeking has work to do
  p.scene_s = g.scene_s;
  p.content = make_content(rng, p.seconds, p.scene_s);
  break_shape_ties(p.content, p.scene_s);
  p.timestamp_schema = index % 2 == 0;  // alternate the two subtitle schemas of the reference
  // Real files carry offsets (subtitle times of the full YouTube video); every 4th video has none.
  p.subtitle_offset_s = index % 4 == 0 ? 0 : rng.uniform(1, 2000);
  p.topic_category = "SY-Synthetic-Shapes-Colours";
  p.view_count = rng.uniform(100, 2000000);
  const int scenes = (p.seconds + p.scene_s - 1) / p.scene_s;
  const int digit_scene = rng.uniform(0, scenes - 1);
  add_subtitles(rng, p, digit_scene);
  add_questions(rng, p, digit_scene);
  return p;
}

}  // namespace pevlm::synthetic
