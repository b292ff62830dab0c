# CPack: one build, the packages of each platform (docs/packaging.md says how to build them).
#   Linux    cpack -G DEB        rill_<v>_<arch>.deb and rill-server_<v>_<arch>.deb
#   Windows  cpack -G NSIS       Rill-<v>-win64.exe (the app, Qt deployed by windeployqt)
#   macOS    cpack -G DragNDrop  Rill-<v>-Darwin.dmg (Rill.app, Qt deployed by macdeployqt)
# Included last from the top-level CMakeLists.txt, after every install() rule.

set(CPACK_PACKAGE_NAME "Rill")
set(CPACK_PACKAGE_VENDOR "Rill")
set(CPACK_PACKAGE_CONTACT "Rill maintainers <rill@localhost>" CACHE STRING "Maintainer of the packages")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "Rill")
set(CPACK_PACKAGE_EXECUTABLES "rill;Rill")
set(CPACK_STRIP_FILES ON)

if(UNIX AND NOT APPLE)
  set(CPACK_GENERATOR DEB)
  set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(CPACK_DEB_COMPONENT_INSTALL ON)
  set(CPACK_COMPONENTS_ALL server)
  if(RILL_BUILD_APP)
    list(APPEND CPACK_COMPONENTS_ALL app)
  endif()
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_PACKAGE_SECTION net)
  set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
  # Shared-library dependencies come from dpkg-shlibdeps, never a hand-kept list.
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)

  set(CPACK_DEBIAN_SERVER_PACKAGE_NAME rill-server)
  set(CPACK_COMPONENT_SERVER_DESCRIPTION
      "Rill chat server\n rill-server speaks Rill's WebSocket protocol and keeps everything in Redis. By default\n it runs a private redis-server under /var/lib/rill; several instances can share one\n Redis instead. Installs a hardened systemd unit and /etc/rill/rill-server.conf.")
  # What dpkg-shlibdeps cannot see: the embedded Redis is a program rill-server starts
  # (an operator who points it at another Redis may remove the dependency's service, not the
  # package), and deb-systemd-helper runs in the maintainer scripts.
  set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "redis-server (>= 5:6.0), init-system-helpers (>= 1.54)")
  set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
      "${PROJECT_BINARY_DIR}/packaging/debian/rill-server/postinst"
      "${PROJECT_BINARY_DIR}/packaging/debian/rill-server/prerm"
      "${PROJECT_BINARY_DIR}/packaging/debian/rill-server/postrm"
      "${PROJECT_BINARY_DIR}/packaging/debian/rill-server/conffiles")
  set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_STRICT_PERMISSION ON)

  set(CPACK_DEBIAN_APP_PACKAGE_NAME rill)
  set(CPACK_COMPONENT_APP_DESCRIPTION
      "Rill team chat, the desktop app\n Channels, direct messages, presence and unread counts, with notifications and a tray\n icon. Connects to a Rill server, or runs one on this computer (with redis-server).")
  # What dpkg-shlibdeps cannot see either: QML modules and the platform plugins, which Qt
  # loads at run time by name.
  set(CPACK_DEBIAN_APP_PACKAGE_DEPENDS
      "qml6-module-qtquick, qml6-module-qtquick-controls, qml6-module-qtquick-layouts, qml6-module-qtquick-window, qml6-module-qtquick-templates, qml6-module-qtqml-workerscript, qml6-module-qt-labs-settings, qml6-module-qt-labs-platform, qml6-module-qtcore, qt6-qpa-plugins")
  # "Start a server on this computer" runs redis-server; without it the app says so.
  set(CPACK_DEBIAN_APP_PACKAGE_RECOMMENDS "redis-server")
  set(CPACK_DEBIAN_APP_PACKAGE_SUGGESTS "qt6-wayland")
elseif(WIN32)
  set(CPACK_GENERATOR NSIS)
  set(CPACK_COMPONENTS_ALL app)
  set(CPACK_NSIS_PACKAGE_NAME "Rill")
  set(CPACK_NSIS_DISPLAY_NAME "Rill")
  set(CPACK_NSIS_MUI_ICON "${PROJECT_SOURCE_DIR}/resources/icons/rill.ico")
  set(CPACK_NSIS_MUI_UNIICON "${PROJECT_SOURCE_DIR}/resources/icons/rill.ico")
  set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\\\rill.exe")
  set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
  set(CPACK_NSIS_EXECUTABLES_DIRECTORY bin)
  set(CPACK_NSIS_MUI_FINISHPAGE_RUN rill.exe)
elseif(APPLE)
  set(CPACK_GENERATOR DragNDrop)
  set(CPACK_COMPONENTS_ALL app)
  set(CPACK_DMG_VOLUME_NAME "Rill")
  set(CPACK_PACKAGE_ICON "${PROJECT_SOURCE_DIR}/resources/icons/rill.icns")
endif()

include(CPack)
