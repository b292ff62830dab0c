import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Rill.Client

// Enter sends, Shift+Enter starts a new line; typing tells the others (throttled in C++).
Pane {
    id: root
    objectName: "composer"
    property Workspace workspace
    property alias text: input.text
    property string problem: ""
    // Offline the app shows what it kept, and nothing can be sent until the server is back.
    readonly property bool offline: !root.workspace || !root.workspace.session.online

    function send() {
        if (!root.workspace || root.offline)
            return
        const refused = root.workspace.send(input.text)
        root.problem = refused
        if (refused === "")
            input.clear()
    }

    function focusInput() { input.forceActiveFocus() }

    padding: 10
    SystemPalette { id: sys }

    background: Rectangle { color: sys.window }

    ColumnLayout {
        anchors.fill: parent
        spacing: 4

        RowLayout {
            Layout.fillWidth: true
            spacing: 8
            ScrollView {
                Layout.fillWidth: true
                Layout.preferredHeight: Math.min(input.implicitHeight, 160)
                TextArea {
                    id: input
                    objectName: "composerInput"
                    wrapMode: TextEdit.Wrap
                    selectByMouse: true
                    focus: true
                    readOnly: root.offline
                    placeholderText: {
                        const current = root.workspace ? root.workspace.current : null
                        if (!current)
                            return ""
                        if (root.offline)
                            return qsTr("Offline: you can read, and send once connected")
                        return current.isDirect ? qsTr("Message %1").arg(current.title) : qsTr("Message #%1").arg(current.name)
                    }
                    Keys.onPressed: (event) => {
                        if ((event.key === Qt.Key_Return || event.key === Qt.Key_Enter)
                                && !(event.modifiers & Qt.ShiftModifier)) {
                            root.send()
                            event.accepted = true
                        }
                    }
                    onTextChanged: {
                        root.problem = ""
                        if (text.length > 0 && root.workspace)
                            root.workspace.typing()
                    }
                }
            }
            Button {
                objectName: "sendButton"
                text: qsTr("Send")
                enabled: input.text.trim().length > 0 && !root.offline
                onClicked: root.send()
            }
        }
        Label {
            objectName: "composerProblem"
            visible: root.problem !== ""
            text: root.problem
            color: "#e5484d"
            font.pixelSize: 12
        }
    }
}
