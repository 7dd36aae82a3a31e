# Writes OUTPUT (a header defining FLASH_GIT_DESCRIBE) from `git describe` in SOURCE_DIR. Run on
# every build, so `flash --version` names the commit it was built from; the file is rewritten
# only when the text changes, so an unchanged tree rebuilds nothing.
execute_process(COMMAND git describe --always --dirty --tags
                WORKING_DIRECTORY "${SOURCE_DIR}"
                OUTPUT_VARIABLE describe OUTPUT_STRIP_TRAILING_WHITESPACE
                ERROR_QUIET RESULT_VARIABLE status)
if(NOT status EQUAL 0 OR describe STREQUAL "")
  set(describe "unknown (not built from a git checkout)")
endif()
set(text "#define FLASH_GIT_DESCRIBE \"${describe}\"\n")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUTPUT}" "${text}")
endif()
