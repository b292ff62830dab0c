import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Rill.Client
import Rill.Ui

// Sidebar (channels), the conversation, and its members, the open thread or the search. Keyboard:
// Ctrl+K quick switcher, Ctrl+F search in the channel, Ctrl+Shift+F search everywhere, Alt+Up/Down
// previous/next channel, Esc closes the search or the thread, else marks the channel read.
Page {
    id: page
    objectName: "chatPage"
    required property RillApp app
    readonly property Workspace workspace: app.workspace
    readonly property ChannelStore current: workspace.current
    // Too narrow for sidebar, conversation and a side panel next to each other (their minimum
    // widths and the handles): the member list opens over the conversation instead, and an
    // open thread or search takes the sidebar's place.
    readonly property bool narrow: width < 760
    property bool membersWanted: true
    readonly property bool hasMembers: current !== null && !current.isDirect && !workspace.thread.isOpen && !searchOpen
    onNarrowChanged: if (!narrow) memberDrawer.close()
    // The search panel is open (in the place of the thread and the members).
    property bool searchOpen: false
    function openSearch(everywhere) {
        page.searchOpen = true
        searchPanel.start(everywhere || !page.current ? "" : page.current.name)
    }
    function closeSearch() {
        page.searchOpen = false
        composer.focusInput()
    }

    SystemPalette { id: sys }

    Shortcut {
        sequence: "Ctrl+K"
        onActivated: switcher.open()
    }
    Shortcut {
        sequence: "Ctrl+F"
        onActivated: page.openSearch(false)
    }
    Shortcut {
        sequence: "Ctrl+Shift+F"
        onActivated: page.openSearch(true)
    }
    Shortcut {
        sequence: "Alt+Up"
        onActivated: page.workspace.selectRelative(-1)
    }
    Shortcut {
        sequence: "Alt+Down"
        onActivated: page.workspace.selectRelative(1)
    }
    // Esc closes the search, else the thread panel while it is open, else marks the channel read.
    Shortcut {
        sequence: "Esc"
        enabled: !switcher.opened && !browser.opened && !page.searchOpen && !page.workspace.thread.isOpen
        onActivated: page.workspace.markCurrentRead()
    }
    Shortcut {
        sequence: "Esc"
        enabled: !switcher.opened && !browser.opened && !page.searchOpen && page.workspace.thread.isOpen
        onActivated: page.workspace.closeThread()
    }
    Shortcut {
        sequence: "Esc"
        enabled: !switcher.opened && !browser.opened && page.searchOpen
        onActivated: page.closeSearch()
    }

    Connections {
        target: page.workspace
        function onCurrentChanged() {
            memberDrawer.close()
            composer.focusInput()
        }
        function onProblem(text) { status.show(text) }
    }
    Connections {
        target: page.workspace.thread
        function onOpenChanged() {
            if (page.workspace.thread.isOpen) {
                page.searchOpen = false // a thread asked for is shown
                threadPanel.focusInput()
            }
            else
                composer.focusInput()
        }
    }

    SplitView {
        anchors.fill: parent
        orientation: Qt.Horizontal

        // --- sidebar ---
        Pane {
            visible: !(page.narrow && (page.workspace.thread.isOpen || page.searchOpen))
            SplitView.preferredWidth: 240
            SplitView.minimumWidth: 180
            padding: 0
            background: Rectangle { color: Qt.darker(sys.window, page.app.theme.dark ? 1.15 : 1.03) }

            ColumnLayout {
                anchors.fill: parent
                spacing: 0

                RowLayout {
                    Layout.fillWidth: true
                    Layout.margins: 10
                    spacing: 8
                    Rectangle {
                        width: 10
                        height: 10
                        radius: 5
                        color: page.app.session.online ? "#2fa84f" : "#f4c04f"
                    }
                    Label {
                        objectName: "selfName"
                        Layout.fillWidth: true
                        text: page.app.session.user
                        font.weight: Font.DemiBold
                        elide: Text.ElideRight
                    }
                    ToolButton {
                        objectName: "menuButton"
                        text: "⋯"
                        onClicked: menu.open()
                        Menu {
                            id: menu
                            y: parent.height
                            MenuItem {
                                text: qsTr("Quick switcher (Ctrl+K)") // a tab is no column in a Quick menu: it was elided to "……"
                                onTriggered: switcher.open()
                            }
                            MenuItem {
                                text: qsTr("Browse channels…")
                                onTriggered: browser.open()
                            }
                            MenuItem {
                                // The address (and fingerprint) teammates need, after sign-in too.
                                objectName: "serverSharingItem"
                                text: qsTr("Server on this computer…")
                                visible: page.app.bundledServer.status === BundledServer.Running
                                height: visible ? implicitHeight : 0
                                onTriggered: sharingDialog.open()
                            }
                            MenuSeparator { }
                            Menu {
                                title: qsTr("Theme")
                                Repeater {
                                    model: [["system", qsTr("Follow the system")], ["light", qsTr("Light")], ["dark", qsTr("Dark")]]
                                    MenuItem {
                                        required property var modelData
                                        text: modelData[1]
                                        checkable: true
                                        checked: page.app.settings.theme === modelData[0]
                                        onTriggered: page.app.settings.theme = modelData[0]
                                    }
                                }
                            }
                            MenuItem {
                                text: qsTr("Desktop notifications")
                                checkable: true
                                checked: page.app.settings.notifications
                                onTriggered: page.app.settings.notifications = checked
                            }
                            MenuItem {
                                text: page.current && !page.current.isDirect ? qsTr("Leave #%1").arg(page.current.name) : qsTr("Leave")
                                enabled: page.current && !page.current.isDirect
                                onTriggered: page.workspace.part(page.current.name)
                            }
                            MenuSeparator { }
                            MenuItem {
                                objectName: "signOutItem"
                                text: qsTr("Sign out")
                                onTriggered: page.app.signOut()
                            }
                        }
                    }
                }

                ChannelList {
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    model: page.workspace.channels
                    onActivated: (name) => page.workspace.currentName = name
                }

                Button {
                    objectName: "browseButton"
                    Layout.fillWidth: true
                    Layout.margins: 8
                    text: qsTr("+ Browse channels")
                    flat: true
                    onClicked: browser.open()
                }
            }
        }

        // --- conversation ---
        ColumnLayout {
            SplitView.fillWidth: true
            SplitView.minimumWidth: 320
            spacing: 0

            ConnectionBanner {
                Layout.fillWidth: true
                session: page.app.session
            }

            ChannelHeader {
                Layout.fillWidth: true
                workspace: page.workspace
                membersShown: page.narrow ? memberDrawer.opened : (page.hasMembers && page.membersWanted)
                onMembersToggled: {
                    if (page.narrow)
                        memberDrawer.opened ? memberDrawer.close() : memberDrawer.open()
                    else
                        page.membersWanted = !page.membersWanted
                }
            }

            TimelineStack {
                id: timeline
                objectName: "timelineStack"
                Layout.fillWidth: true
                Layout.fillHeight: true
                workspace: page.workspace
                settings: page.app.settings
                onEditRequested: (messageId) => composer.startEdit(messageId)
                Rectangle { anchors.fill: parent; color: sys.base; z: -1 }
            }

            Label {
                objectName: "typingIndicator"
                Layout.fillWidth: true
                leftPadding: 16
                text: page.current ? page.current.typingText : ""
                font.pixelSize: 12
                font.italic: true
                opacity: 0.7
                height: 16
                Layout.preferredHeight: 16
            }

            Composer {
                id: composer
                Layout.fillWidth: true
                workspace: page.workspace
                drafts: page.app.settings
            }
        }

        // --- the open thread, in the members' place while it is open ---
        ThreadPanel {
            id: threadPanel
            SplitView.preferredWidth: 360
            SplitView.minimumWidth: 260
            workspace: page.workspace
            visible: page.workspace.thread.isOpen && !page.searchOpen
            onLinkClicked: (link, messageText) => {
                if (timeline.currentView)
                    timeline.currentView.openLink(link, messageText)
            }
        }

        // --- search, in the place of the thread and the members while open ---
        SearchPanel {
            id: searchPanel
            SplitView.preferredWidth: 360
            SplitView.minimumWidth: 260
            workspace: page.workspace
            visible: page.searchOpen
            onCloseRequested: page.closeSearch()
        }

        // --- members ---
        MemberList {
            SplitView.preferredWidth: 200
            SplitView.minimumWidth: 140
            store: page.current
            workspace: page.workspace
            visible: page.hasMembers && page.membersWanted && !page.narrow
        }
    }

    Drawer {
        id: memberDrawer
        objectName: "memberDrawer"
        edge: Qt.RightEdge
        width: Math.min(280, page.width * 0.8)
        height: page.height
        interactive: page.narrow && page.hasMembers
        MemberList {
            objectName: "drawerMemberList"
            anchors.fill: parent
            store: page.current
            workspace: page.workspace
        }
    }

    Dialog {
        id: sharingDialog
        objectName: "serverSharingDialog"
        title: qsTr("Server on this computer")
        anchors.centerIn: parent
        width: Math.min(parent.width - 48, 520)
        modal: true
        standardButtons: Dialog.Close
        ServerSharing {
            anchors.fill: parent
            app: page.app
        }
    }

    ChannelBrowser {
        id: browser
        parent: Overlay.overlay
        workspace: page.workspace
    }

    QuickSwitcher {
        id: switcher
        parent: Overlay.overlay
        workspace: page.workspace
    }

    ToolTip {
        id: status
        function show(text) { status.text = text; status.open() }
        x: (page.width - width) / 2
        y: page.height - height - 80
        timeout: 5000
    }

    Component.onCompleted: composer.focusInput()
}
