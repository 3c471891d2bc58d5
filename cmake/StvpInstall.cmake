# `cmake --install build [--prefix DIR]`: the programs, the model libraries as an exported CMake
# package (find_package(stvp) -> stvp::cpu, stvp::memory, stvp::accel, ...), their headers and
# the register maps, the firmware ELFs, the configurations, stvp-plot and the docs.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Model libraries and the names they are exported under (stvp::<name>).
set(_stvp_export_libs
  stvp_common:common stvp_cpu:cpu stvp_bus:bus stvp_memory:memory stvp_timer:timer stvp_irq:irq
  stvp_uart:uart stvp_simctrl:simctrl stvp_dma:dma stvp_accel:accel stvp_accel_engine:accel_engine stvp_accel_core:accel_core
  stvp_accel_sparse:accel_sparse stvp_mask_capture:mask_capture)
set(_stvp_incdir ${CMAKE_INSTALL_INCLUDEDIR}/stvp/models)  # the models/ tree: common/, cpu/, accel/core/, ...
set(_targets)
foreach(pair ${_stvp_export_libs})
  string(REPLACE ":" ";" pair "${pair}")
  list(GET pair 0 lib)
  list(GET pair 1 name)
  if(NOT TARGET ${lib})
    continue()
  endif()
  # Source-tree include paths only while building; the install tree has its own.
  get_target_property(_inc ${lib} INTERFACE_INCLUDE_DIRECTORIES)
  set(_wrapped)
  if(_inc)
    foreach(d ${_inc})
      if(d MATCHES "^\\$<")
        list(APPEND _wrapped "${d}")
      else()
        list(APPEND _wrapped "$<BUILD_INTERFACE:${d}>")
      endif()
    endforeach()
  endif()
  list(APPEND _wrapped "$<INSTALL_INTERFACE:${_stvp_incdir}>" "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>")
  set_target_properties(${lib} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_wrapped}" EXPORT_NAME ${name})
  list(APPEND _targets ${lib})
endforeach()

install(TARGETS ${_targets} EXPORT stvpTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${_stvp_incdir} ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY models/ DESTINATION ${_stvp_incdir} FILES_MATCHING PATTERN "*.h" PATTERN "*.def")  # .def: tables a header includes (accel/core/energy.def)
# The register maps, memory map and firmware headers (stvp/hw/*.def, *.h), shared by models and firmware.
install(DIRECTORY firmware/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT stvpTargets NAMESPACE stvp:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/stvp)
configure_package_config_file(cmake/stvpConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/stvpConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/stvp)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/stvpConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/stvpConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/stvpConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/stvp)

# Programs, firmware, configurations, documentation.
foreach(p stvp stvp_explore stvp_reftrain)
  if(TARGET ${p})
    install(TARGETS ${p} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()
install(DIRECTORY ${STVP_TARGET_BIN_DIR}/ DESTINATION ${CMAKE_INSTALL_DATADIR}/stvp/firmware
  FILES_MATCHING PATTERN "*.elf")
install(DIRECTORY configs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/stvp/configs)
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES README.md LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})
