# Settings that change how fast a tree builds, never what it does. The figures behind each are in
# docs/testing.md, "Where the time goes".
#
# KIOSK_DEBUG_INFO   the -g level of every compile: empty keeps the build type's (-g, full debug information);
#                    1 keeps line tables only (backtraces and sanitizer reports still name file:line), which
#                    cuts compile CPU by a quarter to a third. deploy/dev.sh builds its trees with 1.
# KIOSK_USE_LLD      link with lld when the compiler accepts -fuse-ld=lld (Debian's lld package).
# KIOSK_UNITY_BUILD  compile each target's sources in batches of KIOSK_UNITY_BATCH files as one translation
#                    unit (CMake's unity build): the standard library, nlohmann_json, doctest, OpenSSL and
#                    ImGui are parsed, and their templates instantiated and optimised, once a batch instead of
#                    once a file. deploy/dev.sh builds its trees so; an IDE's tree may leave it off, and then
#                    each file still compiles on its own (both ways are built: helpers and names private to a
#                    file must not collide with another file's of the same target, since a batch shares one
#                    anonymous namespace).
set(KIOSK_DEBUG_INFO "" CACHE STRING "Debug information level (-gN) of every compile; empty: the build type's")
option(KIOSK_USE_LLD "Link with lld when it is installed" ON)
option(KIOSK_UNITY_BUILD "Compile each target's sources in batches (CMake's unity build)" OFF)
set(KIOSK_UNITY_BATCH 16 CACHE STRING "Sources per batch when KIOSK_UNITY_BUILD is on")

if(NOT KIOSK_DEBUG_INFO STREQUAL "")
  if(NOT KIOSK_DEBUG_INFO MATCHES "^[0-3]$")
    message(FATAL_ERROR "KIOSK_DEBUG_INFO must be empty or 0–3, not '${KIOSK_DEBUG_INFO}'")
  endif()
  # After the build type's flags on the command line, so this level is the one that counts.
  add_compile_options(-g${KIOSK_DEBUG_INFO})
endif()

if(KIOSK_USE_LLD)
  include(CheckLinkerFlag)
  check_linker_flag(CXX -fuse-ld=lld KIOSK_HAVE_LLD)
  if(KIOSK_HAVE_LLD)
    add_link_options(-fuse-ld=lld)
  endif()
endif()

if(KIOSK_UNITY_BUILD)
  # Before any target is made: CMAKE_UNITY_BUILD is each target's UNITY_BUILD default.
  set(CMAKE_UNITY_BUILD ON)
  set(CMAKE_UNITY_BUILD_BATCH_SIZE ${KIOSK_UNITY_BATCH})
endif()
