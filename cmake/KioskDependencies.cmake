# Every dependency is a Debian 12 package (deploy/dev.sh installs them). Imported targets keep their
# headers SYSTEM, so our warnings do not apply to them.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(CURL REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(fmt 9 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(doctest REQUIRED)

pkg_check_modules(P11KIT REQUIRED IMPORTED_TARGET p11-kit-1)
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
# sd-bus, for logind (kiosk/power); the service notifications are written without it (kiosk/service).
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)

# PKCS#11 headers: p11-kit ships the standard pkcs11.h (as p11-kit/pkcs11.h).
add_library(kiosk_pkcs11_headers INTERFACE)
target_link_libraries(kiosk_pkcs11_headers INTERFACE PkgConfig::P11KIT)

if(KIOSK_BUILD_APP)
  pkg_check_modules(SDL2 REQUIRED IMPORTED_TARGET sdl2)
  pkg_check_modules(IMGUI REQUIRED IMPORTED_TARGET imgui)
  # Dear ImGui's SDL2 and SDL_Renderer backends from the sources libimgui-dev ships; compiled in a target
  # of their own, without our warnings (they do not pass them).
  set(KIOSK_IMGUI_BACKENDS /usr/share/doc/libimgui-dev/examples/backends)
  add_library(imgui_backends STATIC
    ${KIOSK_IMGUI_BACKENDS}/imgui_impl_sdl.cpp
    ${KIOSK_IMGUI_BACKENDS}/imgui_impl_sdlrenderer.cpp)
  target_include_directories(imgui_backends SYSTEM PUBLIC /usr/include/imgui/backends)
  target_link_libraries(imgui_backends PUBLIC PkgConfig::IMGUI PkgConfig::SDL2)
  target_compile_options(imgui_backends PRIVATE -w)
endif()
