# `cmake --install build [--prefix P] [--strip]` (DESTDIR honoured): the two binaries, the
# systemd units and sysusers file where systemd looks under the prefix (/usr/local/lib/systemd/
# and /usr/local/lib/sysusers.d are on its search paths), and the example config, the Python
# subscriber and the README as documentation. The config itself (/etc/rectifyd/rectifyd.toml)
# is the operator's: copied from the example once, never overwritten by an install.
include(GNUInstallDirs)

install(TARGETS rectifyd rectifyctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The units name the binaries by absolute path (/usr/local/bin in the repository). Rewrite it
# for the prefix the install really uses, which `cmake --install --prefix` may change after
# configuration, so the rewrite runs at install time.
set(RECTIFY_UNITS rectifyd.service rectify-remind.service rectify-remind.timer)
foreach(unit IN LISTS RECTIFY_UNITS)
  install(CODE "
    file(READ \"${PROJECT_SOURCE_DIR}/deploy/systemd/${unit}\" text)
    string(REPLACE \"/usr/local/bin/\" \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/\"
           text \"\${text}\")
    file(WRITE \"${CMAKE_BINARY_DIR}/installed-units/${unit}\" \"\${text}\")
  ")
  install(FILES ${CMAKE_BINARY_DIR}/installed-units/${unit} DESTINATION lib/systemd/system)
endforeach()
install(FILES deploy/systemd/rectifyd.sysusers.conf DESTINATION lib/sysusers.d
        RENAME rectifyd.conf)

install(FILES deploy/rectifyd.example.toml README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(PROGRAMS client/examples/watch_subscriber.py
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
