pevlm_add_test(methods_test SOURCES methods_plan_test.cpp plan_invariants_test.cpp DEPS pevlm_methods LABELS methods)
