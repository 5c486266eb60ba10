# Scan benchmark, included from bench/CMakeLists.txt.
add_executable(bench_scan ${CMAKE_CURRENT_LIST_DIR}/bench_scan.c)
target_link_libraries(bench_scan PRIVATE hs_analysis)
