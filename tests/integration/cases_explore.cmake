# Exploration (platform/explore): the presets parse with the stvp program itself (their second
# YAML document is stvp_explore's and invisible to stvp), and the stvp_explore command line.
foreach(p dense procrustes nm_2_8 sparsetrain)
  stvp_case(explore_preset_${p} CODE 0 NO_STATS
    ARGS --config ${CMAKE_SOURCE_DIR}/configs/presets/${p}.yaml --print-config
    STDOUT "accel:.*cols: 16.*dataflow: CxN.*gb_bytes: 131072.*rows: 16")
endforeach()
stvp_case(explore_preset_dense_no_balancer CODE 0 NO_STATS
  ARGS --config ${CMAKE_SOURCE_DIR}/configs/presets/dense.yaml --print-config
  STDOUT "load_balance: false")

# stvp_explore itself: a timing-only estimate and a refused network table.
add_test(NAME explore_lenet5_procrustes
  COMMAND stvp_explore --preset ${CMAKE_SOURCE_DIR}/configs/presets/procrustes.yaml
          --network ${CMAKE_SOURCE_DIR}/configs/networks/lenet5.yaml --batch 16 --per-op)
set_tests_properties(explore_lenet5_procrustes PROPERTIES PASS_REGULAR_EXPRESSION
  "lenet5, batch 16, scheme procrustes.*conv1 +forward.*speedup +[0-9.]+ +energy ratio [0-9.]+")
# vgg5 is in train.elf's table: the explorer costs train.elf's own step chain (SGD "update" rows).
add_test(NAME explore_vgg5_procrustes
  COMMAND stvp_explore --preset ${CMAKE_SOURCE_DIR}/configs/presets/procrustes.yaml
          --network ${CMAKE_SOURCE_DIR}/configs/networks/vgg5.yaml --batch 64 --per-op)
set_tests_properties(explore_vgg5_procrustes PROPERTIES PASS_REGULAR_EXPRESSION
  "vgg5, batch 64, scheme procrustes.*conv3 +forward.*pool3 +input_grad.*conv1 +weight_grad.*fc2 +update.*speedup +[0-9.]+ +energy ratio [0-9.]+")
# vgg5p2 (no third pooling): conv3's output goes straight into fc1, forward and backward.
add_test(NAME explore_vgg5p2_procrustes
  COMMAND stvp_explore --preset ${CMAKE_SOURCE_DIR}/configs/presets/procrustes.yaml
          --network ${CMAKE_SOURCE_DIR}/configs/networks/vgg5p2.yaml --batch 64 --per-op)
set_tests_properties(explore_vgg5p2_procrustes PROPERTIES
  PASS_REGULAR_EXPRESSION "vgg5p2, batch 64, scheme procrustes.*conv3 +forward.*fc1 +forward.*fc1 +input_grad.*conv3 +input_grad.*fc2 +update.*speedup +[0-9.]+ +energy ratio [0-9.]+"
  FAIL_REGULAR_EXPRESSION "pool3")
# An estimate longer than a second says so on stderr while it runs (about 2 s of host CPU).
# An estimate that takes several seconds of host time on any machine (VGG-S takes about one).
add_test(NAME explore_progress
  COMMAND stvp_explore --preset ${CMAKE_SOURCE_DIR}/configs/presets/procrustes.yaml
          --network ${CMAKE_SOURCE_DIR}/configs/networks/resnet18.yaml --batch 16)
set_tests_properties(explore_progress PROPERTIES PASS_REGULAR_EXPRESSION
  "stvp_explore: estimating resnet18: 1 s.*resnet18, batch 16, scheme procrustes")
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/bad_net.yaml "name: bad\nlayers:\n  - {name: c, type: conv, in: [3, 8, 8], out: 4}\n")
add_test(NAME explore_bad_network
  COMMAND stvp_explore --network ${CMAKE_CURRENT_BINARY_DIR}/bad_net.yaml)
set_tests_properties(explore_bad_network PROPERTIES WILL_FAIL FALSE
  PASS_REGULAR_EXPRESSION "bad_net.yaml: layers\\[0\\] \\(c\\)\\.kernel: missing")
