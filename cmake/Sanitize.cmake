# -DPEVLM_SANITIZE=address,undefined (any list g++ accepts for -fsanitize=): scripts/sanitize-test builds
# build-asan/ this way (issue 9) and fails on any report. UBSan stops at the first report
# (-fno-sanitize-recover) so a report fails the test; `vptr` is left out because libtorch's classes cross
# shared-library boundaries where its type checks misfire. -O1 keeps stacks readable.
#
# What is instrumented (issue 20, CI time): the libraries that handle untrusted bytes or raw buffers,
# PEVLM_SANITIZE_TARGETS (default below; "all" instruments every target as before). Every other library
# and every test's own source compiles with exactly the plain build's flags, so with ccache (scripts/build,
# scripts/sanitize-test) their objects are the plain build's objects, not a second compile; executables
# link the sanitizer runtimes, and the instrumented code reports wherever it is called from.
set(PEVLM_SANITIZE_DEFAULT_TARGETS
  # untrusted files: videos (FFmpeg buffers, swscale strides), model outputs (answer extractors), dataset JSON/subtitles, safetensors headers and
  # mmaps, tokenizer JSON/BPE, YAML configs and the JSONL results store, frames/embedding caches (eval)
  pevlm_video pevlm_answers pevlm_lvb pevlm_synthetic pevlm_safetensors pevlm_safetensors_torch pevlm_tokenizer
  # the benchmarks behind the dataset interface (annotation JSON/JSONL, SRT subtitles, protocol cards)
  pevlm_dataset pevlm_lvb_benchmark pevlm_videomme pevlm_mlvu pevlm_lvbench pevlm_datasets pevlm_protocol_cards
  pevlm_harness_core pevlm_results pevlm_eval
  # raw buffers: the fused attention kernel (tile buffers, packing, non-temporal stores, strided caches),
  # the frame preprocessing of every family (resize, patchify), config/weight readers and tiny writers, prompts
  pevlm_attention pevlm_qwen_vision pevlm_siglip pevlm_llava_video pevlm_longvila pevlm_llm_config pevlm_qwen_config pevlm_qwen_prompt
  pevlm_qwen_tiny pevlm_video_lm_family pevlm_pil_resize pevlm_video_lm)
set(PEVLM_SANITIZE_TARGETS "${PEVLM_SANITIZE_DEFAULT_TARGETS}" CACHE STRING
    "Targets instrumented under PEVLM_SANITIZE (\"all\" = every target)")

set(PEVLM_SANITIZE_COMPILE_OPTIONS)
if(PEVLM_SANITIZE AND NOT PEVLM_FUZZ)  # PEVLM_FUZZ builds set their own (cmake/PevlmFuzz.cmake)
  set(PEVLM_SANITIZE_COMPILE_OPTIONS -fsanitize=${PEVLM_SANITIZE} -fno-sanitize=vptr -fno-sanitize-recover=all
      -fno-omit-frame-pointer -O1 -g1)
  if(PEVLM_SANITIZE_TARGETS STREQUAL "all")
    add_compile_options(${PEVLM_SANITIZE_COMPILE_OPTIONS})
  endif()
  add_link_options(-fsanitize=${PEVLM_SANITIZE} -fno-sanitize=vptr -fno-sanitize-recover=all)
  message(STATUS "pevlm-bench: sanitizers ${PEVLM_SANITIZE} on: ${PEVLM_SANITIZE_TARGETS}")
endif()

# True (in `out`) when `target` gets the sanitizer flags of its own (the "all" mode sets them globally).
function(pevlm_target_sanitized target out)
  set(_yes FALSE)
  if(PEVLM_SANITIZE_COMPILE_OPTIONS AND NOT PEVLM_SANITIZE_TARGETS STREQUAL "all" AND target IN_LIST PEVLM_SANITIZE_TARGETS)
    set(_yes TRUE)
  endif()
  set(${out} ${_yes} PARENT_SCOPE)
endfunction()
