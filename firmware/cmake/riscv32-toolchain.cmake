# CMake toolchain file for stvp's bare-metal RV32IMAC target: Debian's riscv64-unknown-elf-gcc
# (a multilib compiler) with picolibc. See docs/toolchain.md for why the flags look
# like this:
#  - compile with -march=rv32imac_zicsr_zifencei: GCC 12 follows ISA spec 20191213, where
#    csrr/csrw need Zicsr and fence.i needs Zifencei;
#  - link with -march=rv32imac: multilib selection follows the LAST -march on the link line,
#    and a march with _zicsr/_zifencei matches no rv32 multilib (the link would pick the rv64
#    libraries). CMake puts CMAKE_C_FLAGS before the linker flags on the link line, so the
#    -march below in CMAKE_EXE_LINKER_FLAGS wins;
#  - --specs=picolibc.specs exactly once per command line: it is in the compile flags only,
#    which CMake also passes when linking (passing it twice is fatal).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv32)
# No OS to run a test executable on: let try_compile stop at a static library.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(STVP_CROSS_PREFIX riscv64-unknown-elf- CACHE STRING "Prefix of the RISC-V bare-metal tools")
find_program(CMAKE_C_COMPILER ${STVP_CROSS_PREFIX}gcc REQUIRED)
set(CMAKE_ASM_COMPILER ${CMAKE_C_COMPILER})
find_program(CMAKE_OBJDUMP ${STVP_CROSS_PREFIX}objdump)
find_program(CMAKE_OBJCOPY ${STVP_CROSS_PREFIX}objcopy)
find_program(CMAKE_SIZE ${STVP_CROSS_PREFIX}size)

set(STVP_ARCH_COMPILE "-march=rv32imac_zicsr_zifencei -mabi=ilp32")
set(STVP_ARCH_LINK "-march=rv32imac -mabi=ilp32")

set(CMAKE_C_FLAGS_INIT "${STVP_ARCH_COMPILE} --specs=picolibc.specs")
set(CMAKE_ASM_FLAGS_INIT "${STVP_ARCH_COMPILE} --specs=picolibc.specs")
# Our own crt0 (firmware/bsp/crt0.S) replaces picolibc's; our own -T script replaces picolibc.ld.
set(CMAKE_EXE_LINKER_FLAGS_INIT "${STVP_ARCH_LINK} -nostartfiles")

# Never look for libraries or headers of the build machine.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
