/*
 * The rate of the CLINT's mtime in Hz (10 MHz, a common RISC-V real-time clock): the default of
 * the platform's clint.timebase_hz (models/timer/clint_config.h) and the rate the firmware's
 * timer code assumes (stvp/clint.h). One source, included by C and C++. A plain integer literal.
 */
#ifndef STVP_HW_TIMEBASE_H
#define STVP_HW_TIMEBASE_H

#define STVP_CLINT_TIMEBASE_HZ_DEFAULT 10000000

#endif
