// stvp: the virtual platform's command-line program.
//
//   stvp --config configs/default.yaml --firmware build/target/bin/hello.elf
//
// Parses options and configuration (errors exit 2 with a message naming what and where),
// builds the SoC, loads the firmware, runs, prints a summary and writes stats. The exit code
// is the firmware's, or one of exit_codes.h.
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <boost/program_options.hpp>
#include <yaml-cpp/yaml.h>
#include <systemc>

#include "elf_loader.h"
#include "exit_codes.h"
#include "platform_config.h"
#include "simulation.h"

namespace po = boost::program_options;
using namespace stvp;

namespace {

// "10ms", "2.5 s", "100 us", "1500" (ns) → ns.
uint64_t parse_duration_ns(const std::string& text) {
    std::string s;
    for (char c : text)
        if (c != ' ') s += c;
    static const std::pair<const char*, double> units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
    double scale = 1;
    for (auto& [u, k] : units) {
        std::string su = u;
        if (s.size() > su.size() && s.compare(s.size() - su.size(), su.size(), su) == 0 &&
            !(su == "s" && (s[s.size() - 2] == 'n' || s[s.size() - 2] == 'u' || s[s.size() - 2] == 'm'))) {
            s = s.substr(0, s.size() - su.size());
            scale = k;
            break;
        }
    }
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end || !(v > 0) || v * scale > 1.8e19)
        throw ConfigError("--max-time '" + text + "': expected a positive duration such as 10ms, 2s or 500us");
    return static_cast<uint64_t>(v * scale);
}

// libsystemc prints its banner into every run's output unless SYSTEMC_DISABLE_COPYRIGHT_MESSAGE
// is in the environment when the process starts (setting it later is too late), so stvp
// restarts itself once with it set. STVP_SYSTEMC_BANNER=1 keeps the banner.
void quiet_systemc_banner(char** argv) {
    if (std::getenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE") || std::getenv("STVP_SYSTEMC_BANNER")) return;
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    execv("/proc/self/exe", argv);  // returns only on failure: then run with the banner
}

}  // namespace

int main(int argc, char** argv) {
    hold_interrupts();  // until sc_main installs the handler (simulation.h)
    quiet_systemc_banner(argv);
    return sc_core::sc_elab_and_sim(argc, argv);
}

int sc_main(int argc, char** argv) {
    install_interrupt_handler();  // first: an interrupt at any moment ends with stats (simulation.h)
    po::options_description opts(
        "Usage: stvp --firmware ELF [--config FILE.yaml] [options]\n\n"
        "Runs RISC-V firmware on the stvp virtual SoC (RV32IMAC CPU, CLINT, PLIC, UART, simctrl,\n"
        "DMA, sparse training accelerator, DRAM). The process exits with the firmware's exit code\n"
        "(simctrl EXIT; HTIF tohost: 0 pass, 1 any failing test, whose number is in the message),\n"
        "or: 2 bad command line/configuration, 3 firmware/data file refused, 70 simulator error,\n"
        "124 --max-time/--max-instructions reached, 125 firmware cannot continue (trap loop,\n"
        "WFI with nothing to wake it, hang: waiting without progress for sim.hang_timeout_ns),\n"
        "130 interrupted (or killed from gdb).\n\nOptions");
    std::string config_path, firmware, stats_path, vcd_path, itrace_path, max_time;
    std::vector<std::string> sets, loads, args;
    std::vector<std::string> txlog_filters;
    uint64_t max_instructions = 0;
    int gdb_port = -1;
    std::string txlog_path, txlog_format;
    opts.add_options()
        ("help,h", "print this help and exit")
        ("help-config", "list every configuration key with its default and meaning, and exit")
        ("config,c", po::value(&config_path), "YAML configuration file (default: built-in defaults)")
        ("firmware,f", po::value(&firmware), "RISC-V RV32 ELF executable to run")
        ("set,s", po::value(&sets)->composing(),
         "override a configuration key: --set cpu.quantum_ns=1000 (repeatable; see --help-config)")
        ("arg,a", po::value(&args)->composing(),
         "firmware argument (32-bit integer), readable in SIMCTRL ARG[i] (repeatable, at most 8)")
        ("load,l", po::value(&loads)->composing(), "copy a data file into memory before start: FILE@ADDRESS (repeatable)")
        ("max-time,t", po::value(&max_time), "stop at this simulated time (e.g. 10ms, 2s, 500us; plain numbers are ns)")
        ("max-instructions,n", po::value(&max_instructions), "stop after this many retired instructions")
        ("stats", po::value(&stats_path), "write run statistics as JSON to this file")
        ("vcd", po::value(&vcd_path),
         "write a VCD waveform to this file, gzip-compressed if its name ends in .gz (IRQ lines, CPU state and pc, "
         "DMA, accelerator; trace.* keys select signals and a time window)")
        ("gdb", po::value(&gdb_port),
         "wait for gdb at reset on 127.0.0.1:PORT (0: any free port, printed on stderr); simulated time stands "
         "still while gdb has the CPU halted")
        ("txlog", po::value(&txlog_path), "write a transaction log (register accesses, DMA and accelerator transfers)")
        ("txlog-format", po::value(&txlog_format), "transaction log format: text (default) or jsonl")
        ("txlog-filter", po::value(&txlog_filters)->composing(),
         "transaction log filter, e.g. initiator=cpu target=uart,dma kind=reg,mem,desc,op addr=LO-HI "
         "response=error (repeatable; all must hold)")
        ("itrace", po::value(&itrace_path), "write an instruction trace with disassembly to this file (slow)")
        ("print-config", "print the effective configuration (YAML) and exit")
        ("verbose,v", "print the effective configuration (YAML) on stderr before the run")
        ("quiet,q", "print only errors and one summary line on stderr (no progress)")
        ("silent", "print only errors on stderr");

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(opts).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "stvp: " << e.what() << "\n(see stvp --help)\n";
        return exit_code::kUsage;
    }
    if (vm.count("help")) {
        std::cout << opts << "\n";
        return 0;
    }

    PlatformConfig cfg;
    std::string effective;
    try {
        if (vm.count("help-config")) {
            ConfigSchema schema;
            bind_platform_config(schema, cfg);
            std::cout << "Configuration keys (YAML sections.keys; override with --set key=value):\n"
                      << schema.reference();
            return 0;
        }
        cfg = load_platform_config(config_path, sets, &effective);
        for (auto& a : args) cfg.args.push_back(a);
        for (auto& l : loads) cfg.preload.push_back(l);
        if (vm.count("max-time")) cfg.sim.max_time_ns = parse_duration_ns(max_time);
        if (vm.count("max-instructions")) cfg.sim.max_instructions = max_instructions;
        if (vm.count("txlog")) cfg.trace.txlog = txlog_path;
        if (vm.count("txlog-format")) {
            if (txlog_format != "text" && txlog_format != "jsonl")
                throw ConfigError("--txlog-format '" + txlog_format + "': expected text or jsonl");
            cfg.trace.txlog_format = txlog_format;
        }
        for (auto& f : txlog_filters) cfg.trace.txlog_filter.push_back(f);
        if (vm.count("gdb") && (gdb_port < 0 || gdb_port > 65535))
            throw ConfigError("--gdb " + std::to_string(gdb_port) + ": expected a TCP port 0..65535");
        if (vm.count("vcd")) cfg.trace.vcd = vcd_path;
        validate_platform_config(cfg, "command line");
        effective = dump_platform_config(cfg);  // with what the command line set
    } catch (const YAML::Exception& e) {
        // Every YAML shape the schema does not expect should be a ConfigError already; this
        // keeps a missed one a configuration error (exit 2) rather than a crash.
        const std::string msg = config_path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg;
        std::cerr << "stvp: configuration error: " << msg << "\n";
        if (!stats_path.empty()) write_early_stats(stats_path, firmware, {"config-error", exit_code::kUsage, msg});
        return exit_code::kUsage;
    } catch (const ConfigError& e) {
        std::cerr << "stvp: configuration error: " << e.what() << "\n";
        if (!stats_path.empty())
            write_early_stats(stats_path, firmware, {"config-error", exit_code::kUsage, e.what()});
        return exit_code::kUsage;
    }
    if (vm.count("print-config")) {
        std::cout << effective;
        return 0;
    }
    if (firmware.empty()) {
        std::string msg = "no firmware given (--firmware ELF); see stvp --help";
        std::cerr << "stvp: " << msg << "\n";
        if (!stats_path.empty()) write_early_stats(stats_path, firmware, {"usage-error", exit_code::kUsage, msg});
        return exit_code::kUsage;
    }
    // The instruction trace is opened by the CPU model; a path it cannot write is refused here
    // like the VCD's (exit 3), not as a simulator error.
    if (!itrace_path.empty()) {
        std::error_code ec;
        const bool dir = std::filesystem::is_directory(itrace_path, ec);
        if (dir || !std::ofstream(itrace_path, std::ios::app)) {
            std::string msg = "--itrace " + itrace_path + ": " +
                              (dir ? "is a directory, not a trace file" : "cannot write the trace file");
            std::cerr << "stvp: " << msg << "\n";
            if (!stats_path.empty()) write_early_stats(stats_path, firmware, {"load-error", exit_code::kLoad, msg});
            return exit_code::kLoad;
        }
    }
    if (vm.count("verbose")) std::cerr << "stvp: effective configuration\n" << effective << std::flush;

    RunOptions run;
    run.firmware = firmware;
    run.stats_path = stats_path;
    run.vcd_path = cfg.trace.vcd;
    run.itrace_path = itrace_path;
    run.gdb_port = vm.count("gdb") ? gdb_port : -1;
    run.output = vm.count("silent")  ? RunOptions::Output::Silent
                 : vm.count("quiet") ? RunOptions::Output::Quiet
                                     : RunOptions::Output::Normal;
    run.effective_config = effective;
    return run_simulation(cfg, run);
}
