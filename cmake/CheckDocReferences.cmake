# cmake -DSOURCE_DIR=<repo> -P CheckDocReferences.cmake: fails when a file of the repository (every
# top-level folder and file except docs/, .git and build trees, so new folders are covered without a
# change here) cites a document that is not in the repository: the design document by section, the style
# guide by file name, an issue by number, or the CA's manual by section or figure. Whoever clones the
# project cannot follow those; a comment cites a page under docs/ or says the reason in place
# (docs/testing.md, "References to documents").
#
# The patterns are written so that this file does not match them itself.
if(NOT SOURCE_DIR)
  message(FATAL_ERROR "usage: cmake -DSOURCE_DIR=<repo> -P CheckDocReferences.cmake")
endif()

set(patterns
  "DESIGN[ ]*§"            # the design document's sections
  "STYLE[.]md"             # the style guide
  "[Ii]ssue[ ]#?[0-9]"     # issue numbers
  "manual('s)?[ ]+§"       # the CA's manual by section ...
  "manual('s)?[ ]+图"       # ... or by figure
  "manual('s)?[ ]+figure"
  "[(]manual[ ,]")          # a parenthesised citation: the manual and a section, figure or note
list(JOIN patterns "|" regex)

file(GLOB top RELATIVE "${SOURCE_DIR}" "${SOURCE_DIR}/*" "${SOURCE_DIR}/.*")
set(files)
foreach(entry IN LISTS top)
  set(path "${SOURCE_DIR}/${entry}")
  if(entry MATCHES "^[.]git$|^[.][.]?$|^docs$")
    continue()
  endif()
  if(IS_DIRECTORY "${path}")
    if(EXISTS "${path}/CMakeCache.txt")  # a build tree inside the source tree
      continue()
    endif()
    if(entry MATCHES "^build")  # build-deb/ and the like (.gitignore's /build*/): copies and outputs
      continue()
    endif()
    file(GLOB_RECURSE found LIST_DIRECTORIES false "${path}/*")
    list(APPEND files ${found})
  else()
    list(APPEND files "${path}")
  endif()
endforeach()

set(bad 0)
set(scanned 0)
foreach(f IN LISTS files)
  if(f MATCHES "[.](png|jpg|jpeg|gif|otf|ttf|so|a|o|db|gz|der)$")
    continue()
  endif()
  if(f MATCHES "/node_modules/")  # the pinned linter npm installs (tools/lint), not ours
    continue()
  endif()
  math(EXPR scanned "${scanned} + 1")
  file(STRINGS "${f}" hits ENCODING UTF-8 REGEX "${regex}")
  foreach(line IN LISTS hits)
    file(RELATIVE_PATH rel "${SOURCE_DIR}" "${f}")
    string(STRIP "${line}" line)
    message("${rel}: ${line}")
    math(EXPR bad "${bad} + 1")
  endforeach()
endforeach()

if(bad GREATER 0)
  message(FATAL_ERROR "${bad} reference(s) to documents that are not in the repository: cite docs/ or say "
                      "the reason in place (docs/testing.md, \"References to documents\")")
endif()
message("no references to documents outside the repository in ${scanned} files")
