# `cmake --install`: the installed layout. deploy/debian splits it into the three packages
# (docs/packaging.md): ca-kiosk, ca-kiosk-demo and ca-platform-ref.
#
#   bin/kioskctl, bin/ca-platform-ref
#   lib/ca-kiosk/ca-kiosk             ca-kiosk finds its modules next to itself (/usr/bin/ca-kiosk is a link)
#   lib/ca-kiosk/libkiosk_runtime.so  the runtime module
#   lib/ca-kiosk/ca-kiosk-paused      the 暂停服务 fallback screen (ca-kiosk-paused.service)
#   lib/ca-kiosk/libkiosk_demo.so, libp11fault.so           the demo only
#   share/ca-kiosk/assets/            fonts (build-time subsets), i18n, pictures, rime schema; harness/ (demo)
#   share/ca-kiosk/kiosk.json         the documented default configuration
#   share/ca-platform-ref/catalog.json
#   share/ca-platform-ref/admin/      the fleet console's page (docs/console.md)
# Relative destinations, so `cmake --install --prefix` works; the compiled-in paths (KIOSK_PACKAGE_LAYOUT) are
# the configured prefix's.
set(pkglibdir lib/ca-kiosk)
set(datadir ${CMAKE_INSTALL_DATADIR}/ca-kiosk)
set(refdatadir ${CMAKE_INSTALL_DATADIR}/ca-platform-ref)
if(KIOSK_BUILD_APP)
  install(TARGETS ca-kiosk ca-kiosk-paused RUNTIME DESTINATION ${pkglibdir})
  install(TARGETS kiosk_runtime kiosk_demo LIBRARY DESTINATION ${pkglibdir})
  install(TARGETS p11fault LIBRARY DESTINATION ${pkglibdir} NAMELINK_SKIP)
  install(DIRECTORY ${CMAKE_BINARY_DIR}/assets/ DESTINATION ${datadir}/assets
          PATTERN .copied EXCLUDE PATTERN start-chars.txt EXCLUDE)
endif()
install(TARGETS kioskctl ca-platform-ref RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/config/kiosk.json DESTINATION ${datadir})
install(FILES ${PROJECT_SOURCE_DIR}/config/catalog.json DESTINATION ${refdatadir})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/services/reference/admin/ DESTINATION ${refdatadir}/admin)
