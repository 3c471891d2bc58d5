# Training on the VP (sw/train, train.elf) and its host reference trainer
# (platform/reftrain). Short runs on a slice of Fashion-MNIST so each case takes a few seconds.
set(TRAIN_CFG ${CMAKE_SOURCE_DIR}/configs/train/lenet300_dense.yaml)
set(TRAIN_SMALL --config ${TRAIN_CFG} --quiet --set dataset.train_limit=6400 --set dataset.test_limit=1000)

# The README's main job (configs/train/main.yaml), shortened to 100 steps of 64 on a slice of
# the data: progress, evaluation, summary, stats and VCD.
stvp_case(train_main_short CODE 0
  ARGS --config ${CMAKE_SOURCE_DIR}/configs/train/main.yaml --quiet --set dataset.train_limit=6400
       --set dataset.test_limit=1000 --set workload.epochs=1 --set workload.max_steps=100
       --set workload.print_every=25 --firmware ${BIN}/train.elf
  STDOUT "epoch 1 step 25/100 loss [0-9.]+ acc [0-9.]+%.*epoch 1 step 100/100 .*epoch 1 test loss 0\\.[0-9]+ acc (7[5-9]|8[0-9])\\.[0-9]+% \\([0-9]+/1000\\).*== summary ==.*test accuracy   .*weights kept    1\\.0000 \\(266200 of 266200\\).*simulated time  .*accel training  cycles [1-9].*energy [1-9][0-9.]* mJ.*speedup.*train: done"
  REJECT_STDOUT "train: .*failed"
  STATS_RE "\"exit_code\": 0" "\"chains_failed\": 0,"
  VCD_RE "\\$scope module simctrl" "\\$var wire 32 [^ ]+ phase")
# LeNet-5 (conv, pool, FC), dense, 10 steps.
stvp_case(train_lenet5_short CODE 0
  ARGS ${TRAIN_SMALL} --set dataset.test_limit=200 --set workload.network=lenet5 --set workload.epochs=1
       --set workload.max_steps=10 --set workload.print_every=5 --firmware ${BIN}/train.elf
  STDOUT "train: lenet5, mode dense.*epoch 1 step 10/10 loss .*epoch 1 test loss .*\\([0-9]+/200\\).*weights kept    1\\.0000 \\(61470 of 61470\\).*train: done"
  STATS_RE "\"exit_code\": 0" "\"chains_failed\": 0,")
# The VGG-style CNN (vgg5: 3x3 convolutions with pad 1, three pools, the last 7x7 -> 3x3), dense,
# two epochs of 5 steps on its presets' schedule (lr x 0.85 per epoch: the second epoch at 0.085).
stvp_case(train_vgg5_short CODE 0
  ARGS ${TRAIN_SMALL} --set dataset.test_limit=200 --set workload.network=vgg5 --set workload.epochs=2
       --set workload.max_steps=5 --set workload.print_every=5 --set workload.lr_decay=0.85 --firmware ${BIN}/train.elf
  STDOUT "train: vgg5, mode dense, 2 epochs x 5 steps, batch 64, lr 0\\.1 x 85%/epoch.*epoch 1 test loss .*\\([0-9]+/200\\) lr 0\\.10000.*epoch 2 step 5/5 loss .*epoch 2 test loss .*\\([0-9]+/200\\) lr 0\\.08500.*weights kept    1\\.0000 \\(98192 of 98192\\).*train: done"
  STATS_RE "\"exit_code\": 0" "\"chains_failed\": 0,")
# vgg5p2 (vgg5 without its third pooling: conv3's 7x7x64 map straight into FC 3136-128), dense,
# 5 steps: the chain's conv-to-FC step without a pooling between them.
stvp_case(train_vgg5p2_short CODE 0
  ARGS ${TRAIN_SMALL} --set dataset.test_limit=200 --set workload.network=vgg5p2 --set workload.epochs=1
       --set workload.max_steps=5 --set workload.print_every=5 --firmware ${BIN}/train.elf
  STDOUT "train: vgg5p2, mode dense, 1 epochs x 5 steps.*epoch 1 step 5/5 loss .*epoch 1 test loss .*\\([0-9]+/200\\).*weights kept    1\\.0000 \\(425872 of 425872\\).*train: done"
  STATS_RE "\"exit_code\": 0" "\"chains_failed\": 0,")
# Refusals: no data set preloaded (exit 1); a bad workload key, before the run (exit 2),
# naming file, line and key, in stvp and in stvp_reftrain alike.
stvp_case(train_no_dataset CODE 1
  ARGS ${RUN} --firmware ${BIN}/train.elf
  STDOUT "train: no data set at 0x90000000 \\(run stvp with --set dataset.name=fashion-mnist\\)")
file(WRITE ${OUT}/bad_workload.yaml "dataset:\n  name: fashion-mnist\nworkload:\n  network: lenet300\n  epochs: 2\n  mode: sparse\n")
stvp_case(train_bad_workload_key CODE 2
  ARGS --config ${OUT}/bad_workload.yaml --firmware ${BIN}/train.elf
  STDERR "bad_workload.yaml:6: 'workload.mode': 'sparse' is not one of: dense, procrustes, nm, sparsetrain")
add_test(NAME integration.reftrain_bad_workload_key COMMAND stvp_reftrain --config ${OUT}/bad_workload.yaml)
set_tests_properties(integration.reftrain_bad_workload_key PROPERTIES
  PASS_REGULAR_EXPRESSION "bad_workload.yaml:6: 'workload.mode': 'sparse' is not one of")
file(WRITE ${OUT}/bad_workload_network.yaml "workload:\n  network: 7\n")
stvp_case(train_bad_network CODE 2
  ARGS --config ${OUT}/bad_workload_network.yaml --quiet --firmware ${BIN}/train.elf
  STDERR "bad_workload_network.yaml:2: 'workload.network': '7' is not one of: lenet300, lenet5, vgg5, vgg5p2")

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
  --set dataset.test_limit=1000 --set workload.epochs=2 --set workload.max_steps=50 --set workload.print_every=1)
train_compare(train_vs_reftrain_lenet5 --config ${TRAIN_CFG} --set dataset.train_limit=2000
  --set dataset.test_limit=200 --set workload.network=lenet5 --set workload.epochs=1 --set workload.max_steps=15
  --set workload.print_every=1)

# Procrustes (DropBack selection on the accelerator, budget 1/10): block-format forward and
# input-gradient ops from the second step on; fewer MACs than dense, weights kept reported.
stvp_case(train_procrustes_short CODE 0
  ARGS ${TRAIN_SMALL} --set workload.mode=procrustes --set workload.epochs=1 --set workload.max_steps=40
       --set workload.print_every=20 --firmware ${BIN}/train.elf
  STDOUT "train: lenet300, mode procrustes.*epoch 1 step 40/40 .*weights kept    0\\.0[0-9]+ \\([0-9]+ of 266200\\).*MACs [0-9]+ \\(skipped [1-9][0-9]*\\).*train: done"
  STATS_RE "\"exit_code\": 0" "\"chains_failed\": 0,")

# The sparse modes against the reference trainer (same library calls in the same order:
# bit-identical losses), 30 steps each on LeNet-300-100 and 10 on LeNet-5: Procrustes, N:M
# (2:4), SparseTrain (p = 0.9), the combinations, N:M 2:8, SparseTrain p = 0.5 and Procrustes
# keeping 20% of the weights. The test names keep the mode numbers (workload.def's positions).
set(SHORT_RUN --set workload.epochs=1 --set workload.print_every=1)
foreach(case "1@procrustes" "2@nm" "4@sparsetrain" "5@procrustes+sparsetrain" "6@nm+sparsetrain"
             "0x01080202@nm@--set@workload.nm.m=8" "0x1401@procrustes@--set@workload.procrustes.budget=0.2"
             "4_p50@sparsetrain@--set@workload.sparsetrain.prune_rate=0.5")
  string(REPLACE "@" ";" parts "${case}")
  list(POP_FRONT parts id mode)
  train_compare(train_vs_reftrain_lenet300_mode${id} --config ${TRAIN_CFG} --set dataset.train_limit=6400
    --set dataset.test_limit=500 --set workload.mode=${mode} ${SHORT_RUN}
    --set workload.max_steps=30 ${parts})
endforeach()
foreach(case "5@procrustes+sparsetrain" "6@nm+sparsetrain")
  string(REPLACE "@" ";" parts "${case}")
  list(POP_FRONT parts id mode)
  train_compare(train_vs_reftrain_lenet5_mode${id} --config ${TRAIN_CFG} --set dataset.train_limit=2000
    --set dataset.test_limit=200 --set workload.network=lenet5 --set workload.mode=${mode} ${SHORT_RUN}
    --set workload.max_steps=10)
endforeach()
# The CNNs (vgg5, and vgg5p2 without its third pooling) in every mode against the reference
# trainer: two epochs of 4 steps (the second epoch's shuffle and learning rate on the presets'
# schedule, lr x 0.85; Procrustes on the block copies from step 1), evaluation on 200; and N:M
# 2:8 with the backward copy pruned from the forward copy (the cnn sweeps' N:M rule).
foreach(net vgg5 vgg5p2)
  foreach(case "0@dense" "1@procrustes" "2@nm" "4@sparsetrain" "5@procrustes+sparsetrain" "6@nm+sparsetrain"
               "2_2of8_bwd_from_fwd@nm@--set@workload.nm.m=8@--set@workload.nm.backward=forward")
    string(REPLACE "@" ";" parts "${case}")
    list(POP_FRONT parts id mode)
    train_compare(train_vs_reftrain_${net}_mode${id} --config ${TRAIN_CFG} --set dataset.train_limit=640
      --set dataset.test_limit=200 --set workload.network=${net} --set workload.mode=${mode}
      --set workload.epochs=2 --set workload.max_steps=4 --set workload.print_every=1 --set workload.lr_decay=0.85
      ${parts})
  endforeach()
endforeach()
# Random left-right flips of the training images (workload.augment=flip: the gather's COPYs with
# flag MIRROR on the samples train_flip picks), dense vgg5 against the reference trainer on the
# same two short epochs; and on the VP alone, flip must change the first step's loss (same W0,
# partly mirrored inputs), so the flag reaches the device.
set(VGG5_FLIP_RUN --config ${TRAIN_CFG} --set dataset.train_limit=640 --set dataset.test_limit=200
    --set workload.network=vgg5 --set workload.epochs=2 --set workload.max_steps=4 --set workload.print_every=1
    --set workload.lr_decay=0.85)
train_compare(train_vs_reftrain_vgg5_flip ${VGG5_FLIP_RUN} --set workload.augment=flip)
string(REPLACE ";" "@@" vgg5_flip_joined "${VGG5_FLIP_RUN}")
add_test(NAME integration.train_vgg5_flip_changes_losses
  COMMAND ${CMAKE_COMMAND} -DSTVP=$<TARGET_FILE:stvp> -DFIRMWARE=${BIN}/train.elf -DOUT=${OUT}/train_vgg5_flip
          "-DARGS=${vgg5_flip_joined}" -P ${CMAKE_CURRENT_SOURCE_DIR}/flip_changes_losses.cmake)
set_tests_properties(integration.train_vgg5_flip_changes_losses PROPERTIES
  ENVIRONMENT "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1" TIMEOUT 300 PASS_REGULAR_EXPRESSION "flip: PASS")
stvp_case(train_bad_augment CODE 2
  ARGS ${TRAIN_SMALL} --set workload.augment=rotate --firmware ${BIN}/train.elf
  STDERR "--set workload.augment:1: 'workload.augment': 'rotate' is not one of: none, flip")

# N:M + SparseTrain on the VP: summary names the pattern, half the weights kept at 2:4,
# gradient zeros reported, MACs skipped.
stvp_case(train_nm_sparsetrain_short CODE 0
  ARGS ${TRAIN_SMALL} --set workload.mode=nm+sparsetrain --set workload.epochs=1 --set workload.max_steps=20
       --set workload.print_every=10 --firmware ${BIN}/train.elf
  STDOUT "train: lenet300, mode nm\\+sparsetrain.*train: N:M 2:4 .*SparseTrain prune rate 0\\.90.*epoch 1 step 20/20 .*weights kept    0\\.5000 \\(133100 of 266200\\).*grad zeros      0\\.[0-9]+ after pruning.*MACs [0-9]+ \\(skipped [1-9][0-9]*\\).*train: done"
  STATS_RE "\"exit_code\": 0" "\"chains_failed\": 0,")
# Procrustes + N:M is refused (both choose the kept weights).
stvp_case(train_procrustes_nm_refused CODE 2
  ARGS ${TRAIN_SMALL} --set workload.mode=procrustes+nm --firmware ${BIN}/train.elf
  STDERR "--set workload.mode:1: 'workload.mode': 'procrustes\\+nm' is not one of: dense, procrustes, nm, sparsetrain, procrustes\\+sparsetrain, nm\\+sparsetrain")
# The Procrustes budget (workload.procrustes.budget, 20% here): named at start-up; the
# estimator (lambda 1e-6, tuned for networks of millions of weights) needs about 100 steps to
# reach it on LeNet-300-100, then holds it within a few percent. Out-of-range budgets and
# N:M patterns are refused by the platform before the run.
stvp_case(train_procrustes_budget CODE 0
  ARGS ${TRAIN_SMALL} --set dataset.train_limit=12800 --set dataset.test_limit=500
       --set workload.mode=procrustes --set workload.procrustes.budget=0.2 --set workload.epochs=1
       --set workload.max_steps=200 --set workload.print_every=50 --firmware ${BIN}/train.elf
  STDOUT "train: Procrustes budget 20% of the weights \\(DROPBACK's quantile estimator targets q = 0\\.80\\).*epoch 1 step 200/200 .*kept 0\\.(1[89]|2[0-2])[0-9]*.*weights kept    0\\.(1[89]|2[0-2])[0-9]+ \\([0-9]+ of 266200\\).*train: done"
  STATS_RE "\"exit_code\": 0" "\"chains_failed\": 0,")
stvp_case(train_procrustes_budget_refused CODE 2
  ARGS ${TRAIN_SMALL} --set workload.procrustes.budget=1 --firmware ${BIN}/train.elf
  STDERR "'workload.procrustes.budget': must be a fraction between 0.01 and 0.99 in steps of 0.01 \\(got 1\\)")
stvp_case(train_nm_pattern_refused CODE 2
  ARGS ${TRAIN_SMALL} --set workload.nm.n=4 --firmware ${BIN}/train.elf
  STDERR "'workload.nm.n' \\(4\\) must be less than 'workload.nm.m' \\(4\\)")

# stvp_reftrain's selection-study options: nonsense is refused (exit 2) with the option named,
# and --compare (which checks the VP's algorithm) refuses any departure from it.
function(reftrain_refusal name regex)
  add_test(NAME integration.${name} COMMAND stvp_reftrain --config ${TRAIN_CFG} --set dataset.train_limit=640
           --set dataset.test_limit=100 ${ARGN})
  set_tests_properties(integration.${name} PROPERTIES WILL_FAIL FALSE PASS_REGULAR_EXPRESSION "${regex}")
endfunction()
reftrain_refusal(reftrain_bad_select "--select top-k: not one of quantile, topk, topk-per-layer, random"
  --set workload.mode=procrustes --select top-k)
reftrain_refusal(reftrain_study_needs_procrustes "need Procrustes \\(workload.mode\\)"
  --select topk)
reftrain_refusal(reftrain_ramp_needs_exact "ramp steps need an exact selection" --set workload.mode=procrustes
  --ramp-steps 10)
reftrain_refusal(reftrain_study_no_compare "--compare checks the VP's algorithm; the study options \\(select topk\\)"
  --set workload.mode=procrustes --select topk --compare ${CMAKE_SOURCE_DIR}/README.md)
# The workload keys are the platform's: a bad one names the key, as stvp does (file and line
# for a file; here the --set).
reftrain_refusal(reftrain_bad_weight_decay "--set workload.weight_decay:1: 'workload.weight_decay': must be between 0 and 0.5"
  --set workload.mode=procrustes --set workload.weight_decay=2)

# Mask capture (capture.* keys, models/accel/capture): LeNet-5, Procrustes + SparseTrain, six
# steps captured at 0, 3 and 5. The file is then checked bit for bit against stvp_reftrain's
# capture of the same run, and read by stvp_explore --masks in place of Bernoulli masks.
set(CAPTURE_ARGS --config ${TRAIN_CFG} --set dataset.train_limit=640 --set dataset.test_limit=200
    --set workload.network=lenet5 --set workload.mode=procrustes+sparsetrain --set workload.epochs=1
    --set workload.max_steps=6 --set workload.print_every=1)
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
  COMMAND stvp_reftrain ${CAPTURE_ARGS} --set workload.seed=2 --compare-masks ${CAPTURE_MASKS})
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
       --set workload.epochs=1 --set workload.max_steps=3 --set workload.print_every=1 --firmware ${BIN}/train.elf
  STDERR "stvp: capture.steps never reached \\(nothing recorded\\): 50")
# Firmware that never writes SIMCTRL STEP: nothing recorded, said so.
stvp_case(train_capture_no_steps_named CODE 0
  ARGS --config ${CFG} --quiet --set capture.masks=${OUT}/hello.masks --set "capture.steps=[0]" --firmware ${BIN}/hello.elf
  STDERR "capture.steps never reached \\(nothing recorded\\): 0 \\(did the firmware write SIMCTRL STEP\\?\\)")
