# Estimators of the data-dependent methods (issue 25): they need libtorch, so they are compiled
# into pevlm_attention (methods/ stays torch-free).
set(PEVLM_SPARSE_METHOD_SOURCES
    ${PROJECT_SOURCE_DIR}/methods/sparse/xattention_estimator.cpp
    ${PROJECT_SOURCE_DIR}/methods/sparse/vertical_slash_estimator.cpp
    ${PROJECT_SOURCE_DIR}/methods/sparse/sparse_estimator_registry.cpp)
# Its per-head and per-block loops split over threads (attention/parallel_for.h).
pevlm_openmp_sources(${PROJECT_SOURCE_DIR}/methods/sparse/vertical_slash_estimator.cpp)
