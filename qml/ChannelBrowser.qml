import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Rill.Client

// Find public channels and join them, or create one by name. It stays open until the channel
// is on screen, and says here (not in a tooltip elsewhere) why when it cannot be.
Dialog {
    id: root
    objectName: "channelBrowser"
    property Workspace workspace
    // The channel asked for and not yet shown; its problem, if the server refused it.
    property string pending: ""
    property string problem: ""
    readonly property string typedName: root.workspace ? root.workspace.directory.channelNameFor(filter.text) : ""

    title: qsTr("Browse channels")
    modal: true
    anchors.centerIn: Overlay.overlay
    width: Math.min(parent ? parent.width - 80 : 460, 460)
    height: Math.min(parent ? parent.height - 80 : 520, 520)
    standardButtons: Dialog.Close

    onOpened: {
        filter.text = ""
        root.pending = ""
        root.problem = ""
        filter.forceActiveFocus()
        root.workspace.refreshDirectory()
    }

    Connections {
        target: root.workspace
        function onProblem(text) {
            if (root.pending === "")
                return
            root.problem = text
            root.pending = ""
        }
        function onCurrentChanged() {
            if (root.pending !== "" && root.workspace.currentName === root.pending)
                root.close()
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 8
        TextField {
            id: filter
            objectName: "browserFilter"
            Layout.fillWidth: true
            placeholderText: qsTr("Search or name a new channel")
            selectByMouse: true
            onTextEdited: root.problem = ""
            // Enter means what was typed: that channel, joined or made; a partial match is
            // joined by choosing it in the list.
            onAccepted: {
                if (root.typedName !== "")
                    root.join(root.typedName)
                else if (text.trim() !== "")
                    root.problem = qsTr("“%1” is not a channel name: use 1–64 of a–z, 0–9, _ and -").arg(text.trim())
            }
        }
        Label {
            objectName: "browserProblem"
            Layout.fillWidth: true
            visible: root.problem !== "" || (filter.text.trim() !== "" && root.typedName === "")
            text: root.problem !== "" ? root.problem
                                      : qsTr("A channel name is 1–64 of a–z, 0–9, _ and -")
            color: root.problem !== "" ? "#d1383d" : palette.windowText
            opacity: root.problem !== "" ? 1 : 0.7
            wrapMode: Text.Wrap
        }
        ListView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: FilterModel {
                id: matches
                sourceModel: root.workspace ? root.workspace.directory : null
                text: filter.text
            }
            delegate: ItemDelegate {
                id: entry
                required property string name
                required property int members
                required property bool joined
                objectName: "directory:" + name
                width: ListView.view.width
                onClicked: root.join(name)
                contentItem: RowLayout {
                    Label { text: "# " + entry.name; Layout.fillWidth: true; elide: Text.ElideRight }
                    Label { text: entry.members === 1 ? qsTr("1 member") : qsTr("%1 members").arg(entry.members); opacity: 0.6 }
                    Label { text: entry.joined ? qsTr("joined") : qsTr("join"); opacity: entry.joined ? 0.6 : 1; font.weight: Font.DemiBold }
                }
            }
            BusyIndicator {
                anchors.centerIn: parent
                running: root.workspace && root.workspace.directory.loading
                visible: running
            }
        }
        Button {
            objectName: "createChannelButton"
            visible: root.typedName !== "" && !root.hasExactMatch()
            text: qsTr("Create #%1").arg(root.typedName)
            onClicked: root.join(root.typedName)
        }
    }

    function hasExactMatch() {
        for (let i = 0; i < matches.count; ++i) {
            if (matches.get(i, "name") === root.typedName)
                return true
        }
        return false
    }

    function join(name) {
        root.problem = ""
        if (root.workspace.currentName === name) {
            root.close()
            return
        }
        root.pending = name
        root.workspace.join(name)
    }
}
