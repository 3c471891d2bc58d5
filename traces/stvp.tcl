# GTKWave script for the stvp view (traces/stvp.gtkw): fits the whole run into the window and
# shows coded values by name (accelerator opcode and phase, CPU state, sw/train's phase label
# (set-up, training, evaluation), and the layer ids of
# sw/train's network: lenet300, or STVP_GTKW_NETWORK=lenet5), with the translate filters the
# build generates from the models' and the firmware's tables (build/traces/filters; set
# STVP_GTKW_FILTERS to use another folder). Use:
#   gtkwave -S traces/stvp.tcl traces/train.vcd.gz traces/stvp.gtkw

gtkwave::/Time/Zoom/Zoom_Full

set stvp_filters [file normalize [file join [file dirname [info script]] .. build traces filters]]
if {[info exists env(STVP_GTKW_FILTERS)]} { set stvp_filters $env(STVP_GTKW_FILTERS) }
set stvp_network lenet300
if {[info exists env(STVP_GTKW_NETWORK)]} { set stvp_network $env(STVP_GTKW_NETWORK) }

# signal as the view names it -> filter file
foreach {signal file} [list \
    soc.accel.opcode\[31:0\] accel_opcode.txt \
    soc.accel.phase\[31:0\]  accel_phase.txt \
    soc.accel.layer\[31:0\]  train_layer_$stvp_network.txt \
    soc.cpu.state\[31:0\]    cpu_state.txt \
    soc.simctrl.phase\[31:0\] train_phase.txt \
] {
    set path [file join $stvp_filters $file]
    if {![file readable $path]} {
        puts "stvp.tcl: no $path (build the project first, or set STVP_GTKW_FILTERS): $signal shows numbers"
        continue
    }
    gtkwave::/Edit/UnHighlight_All
    if {[gtkwave::highlightSignalsFromList [list $signal]] > 0} {
        gtkwave::installFileFilter [gtkwave::setCurrentTranslateFile $path]
    }
}
gtkwave::/Edit/UnHighlight_All
