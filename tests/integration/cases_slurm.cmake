# Sweeps on a real single-node Slurm cluster started by tests/slurm/slurm_fixture.sh (munged,
# slurmctld, slurmd on localhost; needs root and Debian's slurm-wlm and munge, skipped with
# the reason otherwise): the density sweep as a job array equals the local run, and a
# cancelled array resumes with only its missing points.
add_test(NAME integration.sweep_slurm
  COMMAND ${CMAKE_SOURCE_DIR}/tests/slurm/slurm_fixture.sh ${CMAKE_SOURCE_DIR}/tests/slurm/sweep_on_slurm.sh
          $<TARGET_FILE:stvp_explore> ${CMAKE_SOURCE_DIR}/configs/sweeps/density.yaml ${OUT}/sweep_slurm)
set_tests_properties(integration.sweep_slurm PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 1200)
# A training sweep (three short VP runs) as a job array: its CSV equals the local run's but for
# the host_seconds column.
add_test(NAME integration.sweep_training_slurm
  COMMAND ${CMAKE_SOURCE_DIR}/tests/slurm/slurm_fixture.sh ${CMAKE_SOURCE_DIR}/tests/slurm/training_on_slurm.sh
          $<TARGET_FILE:stvp_explore> ${OUT}/training_sweep.yaml ${OUT}/training_slurm)
set_tests_properties(integration.sweep_training_slurm PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900
  ENVIRONMENT "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1")
