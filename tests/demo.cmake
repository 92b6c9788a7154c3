# The demo end to end in a shortened form (2 videos, 3 samples, one short speed length): every
# method must appear in its report (tests/demo_check.sh).
if(TARGET pevlm_eval AND TARGET pevlm_report)
  add_test(NAME DemoE2E.ShortDemoReportHasEveryMethod
           COMMAND ${CMAKE_COMMAND} -E env PEVLM_DEMO_LIMIT=3 PEVLM_DEMO_VIDEOS=2 PEVLM_DEMO_SPEED_TOKENS=600 PEVLM_DEMO_FAMILY_LIMIT=2
                   bash ${CMAKE_CURRENT_SOURCE_DIR}/demo_check.sh $<TARGET_FILE:pevlm> ${CMAKE_CURRENT_BINARY_DIR}/demo_e2e)
  set_tests_properties(DemoE2E.ShortDemoReportHasEveryMethod PROPERTIES LABELS "e2e;demo" TIMEOUT 600)
endif()
