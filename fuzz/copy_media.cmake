# cmake -DFROM=<media folder> -DTO=<seed folder> -P copy_media.cmake
# Copies the media folder's files of up to 1 MiB as fuzz seeds (larger ones
# slow every run); nothing when the folder is absent.
if(NOT IS_DIRECTORY "${FROM}")
  message(STATUS "fuzz seeds: no media folder at ${FROM}")
  return()
endif()
file(GLOB files "${FROM}/*")
set(count 0)
foreach(f IN LISTS files)
  file(SIZE "${f}" size)
  if(size LESS_EQUAL 1048576)
    file(COPY "${f}" DESTINATION "${TO}")
    math(EXPR count "${count} + 1")
  endif()
endforeach()
message(STATUS "fuzz seeds: ${count} files from ${FROM}")
