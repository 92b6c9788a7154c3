# -DPEVLM_SANITIZE=address,undefined (any list g++ accepts for -fsanitize=): every target of the build
# is instrumented; scripts/sanitize-test builds the tests that touch buffers and parsers this way
# (issue 9) and fails on any report. -O1 keeps the build quick on 2 cores and the stacks readable.
# UBSan stops at the first report (-fno-sanitize-recover) so a report fails the test; `vptr` is left
# out because libtorch's classes cross shared-library boundaries where its type checks misfire.
if(PEVLM_SANITIZE AND NOT PEVLM_FUZZ)  # PEVLM_FUZZ builds set their own (cmake/PevlmFuzz.cmake)
  set(_pevlm_san "-fsanitize=${PEVLM_SANITIZE}")
  add_compile_options(${_pevlm_san} -fno-sanitize=vptr -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -g1)
  add_link_options(${_pevlm_san} -fno-sanitize=vptr -fno-sanitize-recover=all)
  message(STATUS "pevlm-bench: sanitizers ${PEVLM_SANITIZE}")
endif()
