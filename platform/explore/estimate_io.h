// Printing and serialising a timing-only estimate (table, JSON, CSV, and the one-line summary
// a sweep collects).
#pragma once

#include <ostream>
#include <string>

#include "timing_only.h"

namespace stvp::explore {

void print_table(std::ostream& out, const Estimate& e, const std::string& title, bool per_op);
void write_json(std::ostream& out, const Estimate& e, const std::string& network, const Workload& w);
void write_ops_csv(std::ostream& out, const Estimate& e);
// The summary columns (header and one row): network, scheme, batch, cycles, seconds, speedup,
// energy (uJ, per component), energy ratio, utilisation.
std::string summary_csv_header();
std::string summary_csv_row(const Estimate& e, const std::string& network, const Workload& w);

}  // namespace stvp::explore
