# Sweeps on a real single-node Slurm cluster started by tests/slurm/slurm_fixture.sh (munged,
# slurmctld, slurmd on localhost; needs root and Debian's slurm-wlm and munge, skipped with
# the reason otherwise): the density sweep as a job array equals the local run, and a
# cancelled array resumes with only its missing points.
add_test(NAME integration.sweep_slurm
  COMMAND ${CMAKE_SOURCE_DIR}/tests/slurm/slurm_fixture.sh ${CMAKE_SOURCE_DIR}/tests/slurm/sweep_on_slurm.sh
          $<TARGET_FILE:stvp_explore> ${CMAKE_SOURCE_DIR}/configs/sweeps/density.yaml ${OUT}/sweep_slurm)
set_tests_properties(integration.sweep_slurm PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 1200)
