# Training on the VP (sw/train, train.elf) and its host reference trainer
# (platform/reftrain). Short runs on a slice of Fashion-MNIST so each case takes a few seconds.
set(TRAIN_CFG ${CMAKE_SOURCE_DIR}/configs/train/lenet300_dense.yaml)
set(TRAIN_SMALL --config ${TRAIN_CFG} --quiet --set dataset.train_limit=6400 --set dataset.test_limit=1000)

# The README's main job (configs/train/main.yaml), shortened to 100 steps of 64 on a slice of
# the data: progress, evaluation, summary, stats and VCD.
stvp_case(train_main_short CODE 0
  ARGS --config ${CMAKE_SOURCE_DIR}/configs/train/main.yaml --quiet --set dataset.train_limit=6400
       --set dataset.test_limit=1000 --set "args=[0,0,1,100,1,25]" --firmware ${BIN}/train.elf
  STDOUT "epoch 1 step 25/100 loss [0-9.]+ acc [0-9.]+%.*epoch 1 step 100/100 .*epoch 1 test loss 0\\.[0-9]+ acc (7[5-9]|8[0-9])\\.[0-9]+% \\([0-9]+/1000\\).*== summary ==.*test accuracy   .*weights kept    1\\.0000 \\(266200 of 266200\\).*simulated time  .*accel training  cycles [1-9].*energy [1-9][0-9.]* mJ.*speedup.*train: done"
  REJECT_STDOUT "train: .*failed"
  STATS_RE "\"exit_code\": 0" "\"chains_failed\": 0,"
  VCD_RE "\\$scope module simctrl" "\\$var wire 32 [^ ]+ phase")
# LeNet-5 (conv, pool, FC), dense, 10 steps.
stvp_case(train_lenet5_short CODE 0
  ARGS ${TRAIN_SMALL} --set dataset.test_limit=200 --set "args=[1,0,1,10,1,5]" --firmware ${BIN}/train.elf
  STDOUT "train: lenet5, mode dense.*epoch 1 step 10/10 loss .*epoch 1 test loss .*\\([0-9]+/200\\).*weights kept    1\\.0000 \\(61470 of 61470\\).*train: done"
  STATS_RE "\"exit_code\": 0" "\"chains_failed\": 0,")
# Refusals: no data set preloaded (exit 1), a bad network argument (exit 2).
stvp_case(train_no_dataset CODE 1
  ARGS ${RUN} --firmware ${BIN}/train.elf
  STDOUT "train: no data set at 0x90000000 \\(run stvp with --set dataset.name=fashion-mnist\\)")
stvp_case(train_bad_network CODE 2
  ARGS ${TRAIN_SMALL} --set "args=[7]" --firmware ${BIN}/train.elf
  STDOUT "train: ARG\\[0\\] \\(network\\) must be 0 \\(lenet300\\) or 1 \\(lenet5\\)")

# The VP's per-step losses against the host reference trainer: same code for the math on the
# same host, so every loss must agree to 1e-5 relative (they are bit-identical in practice)
# and the test correct counts exactly.
function(train_compare name)
  string(REPLACE ";" "@@" joined "${ARGN}")
  add_test(NAME integration.${name}
    COMMAND ${CMAKE_COMMAND} -DSTVP=$<TARGET_FILE:stvp> -DREFTRAIN=$<TARGET_FILE:stvp_reftrain>
            -DFIRMWARE=${BIN}/train.elf -DLOG=${OUT}/${name}.txt "-DARGS=${joined}"
            -P ${CMAKE_SOURCE_DIR}/platform/reftrain/compare_vp.cmake)
  set_tests_properties(integration.${name} PROPERTIES
    ENVIRONMENT "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1" TIMEOUT 300
    PASS_REGULAR_EXPRESSION "compare: PASS")
endfunction()
train_compare(train_vs_reftrain_lenet300 --config ${TRAIN_CFG} --set dataset.train_limit=6400
  --set dataset.test_limit=1000 --set "args=[0,0,2,50,1,1]")
train_compare(train_vs_reftrain_lenet5 --config ${TRAIN_CFG} --set dataset.train_limit=2000
  --set dataset.test_limit=200 --set "args=[1,0,1,15,1,1]")

# Procrustes (DropBack selection on the accelerator, budget 1/10): block-format forward and
# input-gradient ops from the second step on; fewer MACs than dense, weights kept reported.
stvp_case(train_procrustes_short CODE 0
  ARGS ${TRAIN_SMALL} --set "args=[0,1,1,40,1,20]" --firmware ${BIN}/train.elf
  STDOUT "train: lenet300, mode procrustes.*epoch 1 step 40/40 .*weights kept    0\\.0[0-9]+ \\([0-9]+ of 266200\\).*MACs [0-9]+ \\(skipped [1-9][0-9]*\\).*train: done"
  STATS_RE "\"exit_code\": 0" "\"chains_failed\": 0,")

# The sparse modes against the reference trainer (same library calls in the same order:
# bit-identical losses), 30 steps each on LeNet-300-100 and 10 on LeNet-5. ARG[1] = mode:
# 1 Procrustes, 2 N:M (2:4), 4 SparseTrain (p = 0.9), 5 and 6 the combinations; 0x01080202
# is N:M 1:8 with p = 0.01 (train_defs.h).
# 0x1401 is Procrustes keeping 20% of the weights (ARG[1] bits 8..15).
foreach(mode 1 2 4 5 6 0x01080202 0x1401)
  train_compare(train_vs_reftrain_lenet300_mode${mode} --config ${TRAIN_CFG} --set dataset.train_limit=6400
    --set dataset.test_limit=500 --set "args=[0,${mode},1,30,1,1]")
endforeach()
foreach(mode 5 6)
  train_compare(train_vs_reftrain_lenet5_mode${mode} --config ${TRAIN_CFG} --set dataset.train_limit=2000
    --set dataset.test_limit=200 --set "args=[1,${mode},1,10,1,1]")
endforeach()
# N:M + SparseTrain on the VP: summary names the pattern, half the weights kept at 2:4,
# gradient zeros reported, MACs skipped.
stvp_case(train_nm_sparsetrain_short CODE 0
  ARGS ${TRAIN_SMALL} --set "args=[0,6,1,20,1,10]" --firmware ${BIN}/train.elf
  STDOUT "train: lenet300, mode nm\\+sparsetrain.*train: N:M 2:4 .*SparseTrain prune rate 0\\.90.*epoch 1 step 20/20 .*weights kept    0\\.5000 \\(133100 of 266200\\).*grad zeros      0\\.[0-9]+ after pruning.*MACs [0-9]+ \\(skipped [1-9][0-9]*\\).*train: done"
  STATS_RE "\"exit_code\": 0" "\"chains_failed\": 0,")
# Procrustes + N:M is refused (both choose the kept weights).
stvp_case(train_procrustes_nm_refused CODE 2
  ARGS ${TRAIN_SMALL} --set "args=[0,3]" --firmware ${BIN}/train.elf
  STDOUT "train: ARG\\[1\\] \\(mode\\): Procrustes and N:M both choose the kept weights")
# The Procrustes budget from ARG[1] bits 8..15 (0x1401 = 20%): named at start-up; the
# estimator (lambda 1e-6, tuned for networks of millions of weights) needs about 100 steps to
# reach it on LeNet-300-100, then holds it within a few percent. Out-of-range budgets and
# stray M bits are refused.
stvp_case(train_procrustes_budget CODE 0
  ARGS ${TRAIN_SMALL} --set dataset.train_limit=12800 --set dataset.test_limit=500
       --set "args=[0,0x1401,1,200,1,50]" --firmware ${BIN}/train.elf
  STDOUT "train: Procrustes budget 20% of the weights \\(DROPBACK's quantile estimator targets q = 0\\.80\\).*epoch 1 step 200/200 .*kept 0\\.(1[89]|2[0-2])[0-9]*.*weights kept    0\\.(1[89]|2[0-2])[0-9]+ \\([0-9]+ of 266200\\).*train: done"
  STATS_RE "\"exit_code\": 0" "\"chains_failed\": 0,")
stvp_case(train_procrustes_budget_refused CODE 2
  ARGS ${TRAIN_SMALL} --set "args=[0,0x6401]" --firmware ${BIN}/train.elf
  STDOUT "train: ARG\\[1\\] \\(mode\\): the Procrustes budget \\(bits 8..15\\) must be 1..99 % of the weights")
stvp_case(train_procrustes_stray_m_refused CODE 2
  ARGS ${TRAIN_SMALL} --set "args=[0,0x041401]" --firmware ${BIN}/train.elf
  STDOUT "train: ARG\\[1\\] \\(mode\\): bits 16..23 \\(M of N:M\\) must be 0 with Procrustes")

# stvp_reftrain's selection-study options: nonsense is refused (exit 2) with the option named,
# and --compare (which checks the VP's algorithm) refuses any departure from it.
function(reftrain_refusal name regex)
  add_test(NAME integration.${name} COMMAND stvp_reftrain --config ${TRAIN_CFG} --set dataset.train_limit=640
           --set dataset.test_limit=100 ${ARGN})
  set_tests_properties(integration.${name} PROPERTIES WILL_FAIL FALSE PASS_REGULAR_EXPRESSION "${regex}")
endfunction()
reftrain_refusal(reftrain_bad_select "--select top-k: not one of quantile, topk, topk-per-layer, random"
  --arg 0 --arg 1 --select top-k)
reftrain_refusal(reftrain_study_needs_procrustes "need Procrustes \\(ARG\\[1\\] bit 0\\)"
  --arg 0 --arg 0 --select topk)
reftrain_refusal(reftrain_ramp_needs_exact "ramp steps need an exact selection" --arg 0 --arg 1 --ramp-steps 10)
reftrain_refusal(reftrain_study_no_compare "--compare checks the VP's algorithm; the study options \\(select topk\\)"
  --arg 0 --arg 1 --select topk --compare ${CMAKE_SOURCE_DIR}/README.md)
reftrain_refusal(reftrain_bad_weight_decay "weight decay must be in \\[0, 1\\)" --arg 0 --arg 1 --weight-decay 2)

# Mask capture (capture.* keys, models/accel/capture): LeNet-5, Procrustes + SparseTrain, six
# steps captured at 0, 3 and 5. The file is then checked bit for bit against stvp_reftrain's
# capture of the same run, and read by stvp_explore --masks in place of Bernoulli masks.
set(CAPTURE_ARGS --config ${TRAIN_CFG} --set dataset.train_limit=640 --set dataset.test_limit=200
    --set "args=[1,5,1,6,1,1,64,1000]")
string(REPLACE ";" "@@" capture_joined "${CAPTURE_ARGS}")
set(CAPTURE_MASKS ${OUT}/capture.masks)
add_test(NAME integration.train_capture_masks
  COMMAND ${CMAKE_COMMAND} -DSTVP=$<TARGET_FILE:stvp> -DFIRMWARE=${BIN}/train.elf -DOUT=${OUT}
          -DMASKS=${CAPTURE_MASKS} "-DARGS=${capture_joined}" -P ${CMAKE_CURRENT_SOURCE_DIR}/capture_masks.cmake)
set_tests_properties(integration.train_capture_masks PROPERTIES FIXTURES_SETUP capture_masks
  ENVIRONMENT "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1" TIMEOUT 300 PASS_REGULAR_EXPRESSION "capture: PASS")
add_test(NAME integration.train_vs_reftrain_masks
  COMMAND stvp_reftrain ${CAPTURE_ARGS} --compare-masks ${CAPTURE_MASKS})
set_tests_properties(integration.train_vs_reftrain_masks PROPERTIES FIXTURES_REQUIRED capture_masks TIMEOUT 300
  PASS_REGULAR_EXPRESSION "compare-masks: PASS 3 steps, 45 maps, [0-9]+ bits identical")
# The comparison can fail: another seed trains on other samples with other masks.
add_test(NAME integration.train_vs_reftrain_masks_differ
  COMMAND stvp_reftrain ${CAPTURE_ARGS} --set "args=[1,5,1,6,2,1,64,1000]" --compare-masks ${CAPTURE_MASKS})
set_tests_properties(integration.train_vs_reftrain_masks_differ PROPERTIES FIXTURES_REQUIRED capture_masks TIMEOUT 300
  PASS_REGULAR_EXPRESSION "compare-masks: FAIL step 0, layer 1, [a-z_]+: element [0-9]+ \\(\\[[0-9]+\\]\\[0\\]\\[[0-9]+\\]\\[[0-9]+\\]\\) is [01] in A, [01] in B \\(A = the VP.s")
add_test(NAME integration.explore_captured_masks
  COMMAND stvp_explore --preset ${CMAKE_SOURCE_DIR}/configs/presets/sparsetrain.yaml
          --network ${CMAKE_SOURCE_DIR}/configs/networks/lenet5.yaml --batch 64 --masks ${CAPTURE_MASKS}:3)
set_tests_properties(integration.explore_captured_masks PROPERTIES FIXTURES_REQUIRED capture_masks
  PASS_REGULAR_EXPRESSION "masks captured at training step 3 vs\\. Bernoulli masks.*\\| conv2 \\| 0\\.[0-9]+ \\| 0\\.[0-9]+ \\| 0\\.[0-9]+ \\|.*\\*\\*total\\*\\*")
add_test(NAME integration.explore_captured_masks_wrong_network
  COMMAND stvp_explore --preset ${CMAKE_SOURCE_DIR}/configs/presets/procrustes.yaml
          --network ${CMAKE_SOURCE_DIR}/configs/networks/lenet300.yaml --batch 64 --masks ${CAPTURE_MASKS})
set_tests_properties(integration.explore_captured_masks_wrong_network PROPERTIES FIXTURES_REQUIRED capture_masks
  PASS_REGULAR_EXPRESSION "stvp_explore: --masks: .*capture.masks does not match .*lenet300.yaml: layer fc1 \\(weight layer 1\\) is fc 784 -> 300, the file's layer 1 is conv C1 H28 W28 -> K6 5x5 stride 1 pad 2")
add_test(NAME integration.explore_masks_garbage
  COMMAND stvp_explore --preset ${CMAKE_SOURCE_DIR}/configs/presets/procrustes.yaml
          --network ${CMAKE_SOURCE_DIR}/configs/networks/lenet5.yaml --batch 64 --masks ${TRAIN_CFG})
set_tests_properties(integration.explore_masks_garbage PROPERTIES
  PASS_REGULAR_EXPRESSION "stvp_explore: --masks: .*lenet300_dense.yaml: not a masks file")
# Bad capture keys are refused before the run, naming the key.
stvp_case(train_capture_bad_step CODE 2
  ARGS ${TRAIN_SMALL} --set capture.masks=${OUT}/never.masks --set "capture.steps=[1,x2]" --firmware ${BIN}/train.elf
  STDERR "'capture.steps': 'x2' is not a step number")
stvp_case(train_capture_steps_twice CODE 2
  ARGS ${TRAIN_SMALL} --set capture.masks=${OUT}/never.masks --set "capture.steps=[4,4]" --firmware ${BIN}/train.elf
  STDERR "'capture.steps': step 4 is listed twice")
stvp_case(train_capture_no_file CODE 2
  ARGS ${TRAIN_SMALL} --set "capture.steps=[4]" --firmware ${BIN}/train.elf
  STDERR "'capture.masks' and 'capture.steps' go together \\(steps without a masks file\\)")
# A chosen step the run never reaches is named (the file holds the others).
stvp_case(train_capture_step_never_reached CODE 0
  ARGS ${TRAIN_SMALL} --set capture.masks=${OUT}/short.masks --set "capture.steps=[1,50]"
       --set "args=[0,0,1,3,1,1]" --firmware ${BIN}/train.elf
  STDERR "stvp: capture.steps never reached \\(nothing recorded\\): 50")
# Firmware that never writes SIMCTRL STEP: nothing recorded, said so.
stvp_case(train_capture_no_steps_named CODE 0
  ARGS --config ${CFG} --quiet --set capture.masks=${OUT}/hello.masks --set "capture.steps=[0]" --firmware ${BIN}/hello.elf
  STDERR "capture.steps never reached \\(nothing recorded\\): 0 \\(did the firmware write SIMCTRL STEP\\?\\)")
