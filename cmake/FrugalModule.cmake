# frugal_add_module(<name> SOURCES ... [DEPENDS ...] [PRIVATE_DEPENDS ...]
#                   [PKG_REQUIRES ...] [PKG_SHARED_LIBS ...] [PORTABLE])
# Adds library frugal_<name>, exported and aliased as frugal::<name>.
# PKG_SHARED_LIBS: -l flags for frugal.pc's Libs.private instead of a
# Requires.private entry, for libraries only ever linked dynamically
# (libavcodec, for the LGPL): `pkg-config --static` would otherwise pull in
# their own static dependencies (libvpx, libx264...).
# PORTABLE modules (core, mp4, ...) build with -fno-exceptions -fno-rtti so
# they can go on bare-metal targets.
set(FRUGAL_PKG_LIBS "" CACHE INTERNAL "")
set(FRUGAL_PKG_REQUIRES "" CACHE INTERNAL "")
set(FRUGAL_PKG_IMPORTS "" CACHE INTERNAL "")
set(FRUGAL_PKG_SHARED_LIBS "" CACHE INTERNAL "")

# frugal_find_package(<PREFIX> <pkg-config module> [REQUIRED])
# Finds a pkg-config module as global imported target PkgConfig::<PREFIX>
# (tests use it too); installed
# frugalConfig.cmake finds the same modules again for consumers of the static
# libraries.
macro(frugal_find_package prefix module)
  pkg_check_modules(${prefix} ${ARGN} IMPORTED_TARGET GLOBAL ${module})
  if(${prefix}_FOUND AND NOT "${prefix}=${module}" IN_LIST FRUGAL_PKG_IMPORTS)
    set(_frugal_imports ${FRUGAL_PKG_IMPORTS})
    list(APPEND _frugal_imports "${prefix}=${module}")
    set(FRUGAL_PKG_IMPORTS "${_frugal_imports}" CACHE INTERNAL "")
  endif()
endmacro()

# frugal_find_optional(<PREFIX> <pkg-config module> <option>): finds the
# module as frugal_find_package does when <option> is AUTO (found or not) or
# ON (REQUIRED); OFF skips it. <PREFIX>_FOUND and <option> then say whether
# to build with it.
macro(frugal_find_optional prefix module option)
  if(${option} STREQUAL "AUTO")
    frugal_find_package(${prefix} ${module})
  elseif(${option})
    frugal_find_package(${prefix} ${module} REQUIRED)
  endif()
endmacro()

function(frugal_set_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                           $<$<BOOL:${FRUGAL_WERROR}>:-Werror>)
  endif()
endfunction()

function(frugal_add_module name)
  cmake_parse_arguments(M "PORTABLE" "" "SOURCES;DEPENDS;PRIVATE_DEPENDS;PKG_REQUIRES;PKG_SHARED_LIBS" ${ARGN})
  set(target frugal_${name})
  add_library(${target} ${M_SOURCES})
  add_library(frugal::${name} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_link_libraries(${target} PUBLIC ${M_DEPENDS} PRIVATE ${M_PRIVATE_DEPENDS})
  if(M_PORTABLE AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -fno-exceptions -fno-rtti)
  endif()
  frugal_set_warnings(${target})
  install(TARGETS ${target} EXPORT frugalTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  # Link order for pkg-config: dependents before their dependencies.
  set(FRUGAL_PKG_LIBS "-l${target} ${FRUGAL_PKG_LIBS}" CACHE INTERNAL "")
  set(FRUGAL_PKG_REQUIRES "${FRUGAL_PKG_REQUIRES} ${M_PKG_REQUIRES}" CACHE INTERNAL "")
  set(FRUGAL_PKG_SHARED_LIBS "${FRUGAL_PKG_SHARED_LIBS} ${M_PKG_SHARED_LIBS}" CACHE INTERNAL "")
endfunction()

function(frugal_write_pkg_config)
  string(STRIP "${FRUGAL_PKG_LIBS}" libs)
  string(REPLACE ";" " " requires "${FRUGAL_PKG_REQUIRES}")
  string(STRIP "${requires}" requires)
  string(REPLACE ";" " " shared_libs "${FRUGAL_PKG_SHARED_LIBS}")
  string(STRIP "${shared_libs}" shared_libs)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/frugal.pc.in ${PROJECT_BINARY_DIR}/frugal.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/frugal.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endfunction()
