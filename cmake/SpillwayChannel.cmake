# SPDX-License-Identifier: MIT
# SpillwayChannel.cmake - spillway_add_channel(), for a Spillway found with
# find_package(Spillway CONFIG) (installed by make install next to
# SpillwayConfig.cmake) or added with add_subdirectory / FetchContent (the
# top-level CMakeLists.txt includes this file). docs/cmake.md is the manual.
#
#   spillway_add_channel(<target> TYPE <C type> NAME <name>
#                        [INCLUDES <header>...] [PASS value|pointer|auto]
#                        [PREFIX <prefix>])
#
# PREFIX is spwgen's --prefix (functions <prefix>_<name>_send, ...; the
# default is spw); it needs a spwgen whose --help lists --prefix. NAME must
# be unique within a target (the files are spillway_<name>.h/.c whatever
# the prefix).
#
# At build time, spwgen writes spillway_<name>.h and spillway_<name>.c into
# <current binary dir>/spillway/<target>/; the pair is added to <target>
# with that folder on its include path, and <target> links Spillway::runtime.
# The command re-runs when spwgen, its templates or a listed header change.
#
# Whoever includes this file first sets two global properties:
#   SPILLWAY_SPWGEN_COMMAND  the command that runs spwgen (a list)
#   SPILLWAY_SPWGEN_DEPENDS  the files generation depends on (spwgen, the
#                            templates)
include_guard(GLOBAL)

function(spillway_add_channel target)
	cmake_parse_arguments(PARSE_ARGV 1 arg "" "TYPE;NAME;PASS;PREFIX" "INCLUDES")
	set(where "spillway_add_channel(${target})")
	if(arg_UNPARSED_ARGUMENTS)
		message(FATAL_ERROR "${where}: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
	endif()
	if(NOT TARGET "${target}")
		message(FATAL_ERROR "${where}: no target ${target} (call add_executable or add_library first)")
	endif()
	if(NOT arg_TYPE OR NOT arg_NAME)
		message(FATAL_ERROR "${where}: TYPE and NAME are required")
	endif()
	if(NOT arg_NAME MATCHES "^[A-Za-z][A-Za-z0-9_]*$")
		message(FATAL_ERROR "${where}: NAME ${arg_NAME} is not a C identifier starting with a letter")
	endif()
	get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
	if(NOT "C" IN_LIST languages)
		message(FATAL_ERROR "${where}: generated channels are C: enable it, e.g. project(... LANGUAGES C) or (C CXX)")
	endif()
	get_property(spwgen GLOBAL PROPERTY SPILLWAY_SPWGEN_COMMAND)
	get_property(spwgen_depends GLOBAL PROPERTY SPILLWAY_SPWGEN_DEPENDS)
	if(NOT spwgen)
		message(FATAL_ERROR "${where}: spwgen unknown: use find_package(Spillway CONFIG) or add_subdirectory(<spillway>) first")
	endif()

	set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/spillway/${target}")
	set(out_h "${out_dir}/spillway_${arg_NAME}.h")
	set(out_c "${out_dir}/spillway_${arg_NAME}.c")
	set(args --type "${arg_TYPE}" --name "${arg_NAME}")

	# <header> is a system header: passed on as it is. Anything else is a
	# file: a relative path is spelled as written in the generated
	# #include "..." and found from the current source folder, an absolute
	# one is spelled by its file name and found in its folder; either way
	# that folder goes on the target's include path and generation depends
	# on the file.
	set(header_files "")
	set(header_dirs "")
	foreach(inc IN LISTS arg_INCLUDES)
		if(inc MATCHES "^<.+>$")
			list(APPEND args --include "${inc}")
			continue()
		endif()
		string(REGEX REPLACE "^\"(.+)\"$" "\\1" path "${inc}")
		if(IS_ABSOLUTE "${path}")
			get_filename_component(dir "${path}" DIRECTORY)
			get_filename_component(spelling "${path}" NAME)
			set(file "${path}")
		else()
			set(dir "${CMAKE_CURRENT_SOURCE_DIR}")
			set(spelling "${path}")
			set(file "${CMAKE_CURRENT_SOURCE_DIR}/${path}")
		endif()
		list(APPEND args --include "${spelling}")
		list(APPEND header_files "${file}")
		list(APPEND header_dirs "${dir}")
	endforeach()
	list(REMOVE_DUPLICATES header_dirs)
	if(arg_PASS)
		list(APPEND args --pass "${arg_PASS}")
	endif()
	if(arg_PREFIX)
		list(APPEND args --prefix "${arg_PREFIX}")
	endif()
	list(APPEND args --out-dir "${out_dir}")

	file(MAKE_DIRECTORY "${out_dir}")
	add_custom_command(
		OUTPUT "${out_h}" "${out_c}"
		COMMAND "${CMAKE_COMMAND}" -E make_directory "${out_dir}"
		COMMAND ${spwgen} ${args}
		DEPENDS ${spwgen_depends} ${header_files}
		COMMENT "spwgen: channel ${arg_NAME} of ${arg_TYPE} for ${target}"
		VERBATIM)

	# A library's dependents include the channel header too.
	get_target_property(kind "${target}" TYPE)
	if(kind STREQUAL "EXECUTABLE")
		set(scope PRIVATE)
	else()
		set(scope PUBLIC)
	endif()
	target_sources("${target}" PRIVATE "${out_c}" "${out_h}")
	target_include_directories("${target}" ${scope} "${out_dir}" ${header_dirs})
	target_link_libraries("${target}" ${scope} Spillway::runtime)
	target_compile_features("${target}" PRIVATE c_std_11)
endfunction()
