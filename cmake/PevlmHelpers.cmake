# Small helpers so each folder states only its sources and dependencies.

# pevlm_add_library(NAME SOURCES ... [DEPS ...]) -> static library NAME.
function(pevlm_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  target_compile_options(${name} PRIVATE -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers)
  pevlm_target_sanitized(${name} _san)
  if(_san)  # cmake/Sanitize.cmake
    target_compile_options(${name} PRIVATE ${PEVLM_SANITIZE_COMPILE_OPTIONS})
  endif()
endfunction()

# pevlm_add_test(NAME SOURCES ... [DEPS ...] [LABELS ...]) -> GoogleTest executable, each TEST
# registered with ctest (gtest_discover_tests) so failures are reported per case.
function(pevlm_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    PEVLM_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    PEVLM_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
  include(GoogleTest)
  # gtest_discover_tests passes PROPERTIES through several list expansions: a list of labels kept only the
  # first one (the rest read as property names), so `ctest -L e2e` missed every test whose first label was
  # another. One label joined by commas survives; ctest's -L / -LE are regular-expression searches, so
  # `-L e2e` still selects "video_lm,e2e,sparse".
  string(REPLACE ";" "," _labels "${ARG_LABELS}")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 120 PROPERTIES LABELS "${_labels}")
endfunction()

# Torch-using targets share one precompiled header (ATen is ~14 s per translation unit otherwise); an
# instrumented target of a sanitizer build takes the instrumented copy (a header must be precompiled with
# its users' code-generation flags).
# Files that call at::parallel_for (attention/parallel_for.h says why): compiled with -fopenmp and
# without the torch precompiled header (it was built without -fopenmp). Paths relative to the calling
# CMakeLists / included .cmake's directory, or absolute. The library then links libgomp (-fopenmp).
function(pevlm_openmp_sources)
  set_source_files_properties(${ARGN} DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} PROPERTIES
    SKIP_PRECOMPILE_HEADERS ON
    COMPILE_OPTIONS "-fopenmp")
endfunction()

function(pevlm_use_torch_pch target)
  pevlm_target_sanitized(${target} _san)
  if(_san)
    target_precompile_headers(${target} REUSE_FROM pevlm_torch_pch_san)
  else()
    target_precompile_headers(${target} REUSE_FROM pevlm_torch_pch)
  endif()
endfunction()

# Layering: no library under models/ may link one under harness/, directly or through other targets
# (the harness sees VideoLM and the model registry; families never see the harness). Fails configure
# naming the chain's two ends.
function(_pevlm_targets_under dir out)
  get_property(_targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(_subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(_sub IN LISTS _subdirs)
    _pevlm_targets_under(${_sub} _more)
    list(APPEND _targets ${_more})
  endforeach()
  set(${out} ${_targets} PARENT_SCOPE)
endfunction()

function(pevlm_check_models_layering)
  if(NOT EXISTS ${PROJECT_SOURCE_DIR}/models/CMakeLists.txt)
    return()
  endif()
  _pevlm_targets_under(${PROJECT_SOURCE_DIR}/models _models)
  foreach(_root IN LISTS _models)
    set(_todo ${_root})
    set(_seen)
    while(_todo)
      list(POP_FRONT _todo _t)
      if(NOT TARGET ${_t} OR _t IN_LIST _seen)
        continue()
      endif()
      list(APPEND _seen ${_t})
      get_target_property(_aliased ${_t} ALIASED_TARGET)
      if(_aliased)
        list(APPEND _todo ${_aliased})
        continue()
      endif()
      get_target_property(_imported ${_t} IMPORTED)
      if(_imported)
        continue()
      endif()
      get_target_property(_src ${_t} SOURCE_DIR)
      if(_src MATCHES "^${PROJECT_SOURCE_DIR}/harness(/|$)")
        message(FATAL_ERROR "pevlm-bench: ${_root} (models/) links ${_t} (harness/); models/ must not depend on harness/")
      endif()
      get_target_property(_deps ${_t} LINK_LIBRARIES)
      if(_deps)
        list(APPEND _todo ${_deps})
      endif()
    endwhile()
  endforeach()
endfunction()

# Include directions (issue 23): the shared decoder (models/llm/) includes no family and nothing of
# models/ but itself and models/safetensors/; a family folder (any models/ folder that is not one of
# the shared ones below) includes no other family's headers; models/video_lm/ includes a family's
# headers only in its registry (registry.cpp, the one list of family constructors); decoders/ and
# harness/ include none (they see VideoLM and the registry). Fails configure naming the file and the
# include.
set(PEVLM_SHARED_MODEL_FOLDERS llm safetensors tokenizer siglip video_lm vision_common)

function(pevlm_check_include_directions)
  if(NOT EXISTS ${PROJECT_SOURCE_DIR}/models/CMakeLists.txt)
    return()
  endif()
  file(GLOB _dirs LIST_DIRECTORIES true RELATIVE ${PROJECT_SOURCE_DIR}/models ${PROJECT_SOURCE_DIR}/models/*)
  set(_families)
  foreach(_d IN LISTS _dirs)
    if(IS_DIRECTORY ${PROJECT_SOURCE_DIR}/models/${_d} AND NOT _d IN_LIST PEVLM_SHARED_MODEL_FOLDERS)
      list(APPEND _families ${_d})
    endif()
  endforeach()
  file(GLOB_RECURSE _sources
       ${PROJECT_SOURCE_DIR}/models/*.h ${PROJECT_SOURCE_DIR}/models/*.cpp
       ${PROJECT_SOURCE_DIR}/decoders/*.h ${PROJECT_SOURCE_DIR}/decoders/*.cpp
       ${PROJECT_SOURCE_DIR}/harness/*.h ${PROJECT_SOURCE_DIR}/harness/*.cpp)
  foreach(_f IN LISTS _sources)
    file(RELATIVE_PATH _rel ${PROJECT_SOURCE_DIR} ${_f})
    set(_own "")
    if(_rel MATCHES "^models/([^/]+)/")
      set(_own ${CMAKE_MATCH_1})
    endif()
    file(STRINGS ${_f} _includes REGEX "^#include \"models/[A-Za-z0-9_]+/")
    foreach(_inc IN LISTS _includes)
      string(REGEX REPLACE "^#include \"models/([A-Za-z0-9_]+)/.*" "\\1" _dir "${_inc}")
      if(_dir STREQUAL _own)
        continue()
      endif()
      if(_own STREQUAL "llm" AND NOT _dir STREQUAL "safetensors")
        message(FATAL_ERROR "pevlm-bench: ${_rel}: ${_inc}: the shared decoder (models/llm/) may include only "
                            "models/llm/ and models/safetensors/")
      endif()
      if(_dir IN_LIST _families AND NOT _rel STREQUAL "models/video_lm/registry.cpp")
        message(FATAL_ERROR "pevlm-bench: ${_rel}: ${_inc}: a family's headers (models/${_dir}/) may be included only "
                            "inside that family and by models/video_lm/registry.cpp")
      endif()
    endforeach()
  endforeach()
endfunction()
