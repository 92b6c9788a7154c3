# -DPEVLM_FUZZ=ON (scripts/fuzz): libFuzzer targets over the torch-free parsers, everything compiled with
# clang's fuzzer instrumentation + AddressSanitizer + UndefinedBehaviorSanitizer. libtorch is not built
# for sanitizers, so only the libraries the parsers live in are configured (no methods executors, no
# models/qwen2_5_vl, no tests or benchmarks).
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "pevlm-bench: PEVLM_FUZZ needs clang (libFuzzer): configure with CXX=clang++ "
                      "(scripts/fuzz does; apt-get install clang libclang-rt-14-dev)")
endif()
# Every UBSan report aborts (libFuzzer then saves the input) instead of printing and going on.
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                    -fno-omit-frame-pointer -g)
add_link_options(-fsanitize=address,undefined)

add_subdirectory(methods)                 # torch-free; the speed/eval config validation uses the registry
add_subdirectory(reduction)               # pevlm_reduction_core only: the speed config's `reduction:` axis
add_subdirectory(models/safetensors)
add_subdirectory(models/tokenizer)
add_subdirectory(datasets/answers)        # the answer extractors pevlm_lvb parses model output with
add_subdirectory(datasets/longvideobench)
add_subdirectory(datasets/dataset)        # pevlm_lvb_benchmark (datasets/longvideobench) links the dataset interface
add_subdirectory(datasets/videomme)       # Video-MME annotations and SRT subtitles
add_subdirectory(datasets/mlvu)
add_subdirectory(datasets/lvbench)
add_subdirectory(datasets/video)
add_subdirectory(harness)                 # pevlm_harness_core only (harness/CMakeLists.txt stops there)
add_subdirectory(fuzz)
