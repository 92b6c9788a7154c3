# scripts/device/check.sh without a GPU (issue 21): dry runs with a fake failing / hanging step keep every
# log and the budget in $OUT and fail the check; check_rows.py fails on error rows. Shell + python3 only.
add_test(NAME DeviceCheck.DryRunKeepsLogsAndFailsOnErrors
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/device_check_test.sh ${CMAKE_CURRENT_BINARY_DIR}/device_check)
set_tests_properties(DeviceCheck.DryRunKeepsLogsAndFailsOnErrors PROPERTIES LABELS "scripts" TIMEOUT 120)
