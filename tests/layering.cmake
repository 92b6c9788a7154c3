# Include directions of models/, decoders/ and harness/ (issue 23): the configure-time check rerun on the
# tree by ctest (cmake/CheckIncludeDirections.cmake).
add_test(NAME include_directions
         COMMAND ${CMAKE_COMMAND} -DPEVLM_ROOT=${PROJECT_SOURCE_DIR} -P ${PROJECT_SOURCE_DIR}/cmake/CheckIncludeDirections.cmake)
set_tests_properties(include_directions PROPERTIES LABELS layering)
