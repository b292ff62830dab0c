import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Rill.Client

// Find public channels and join them, or create one by name.
Dialog {
    id: root
    objectName: "channelBrowser"
    property Workspace workspace

    title: qsTr("Browse channels")
    modal: true
    anchors.centerIn: Overlay.overlay
    width: Math.min(parent ? parent.width - 80 : 460, 460)
    height: Math.min(parent ? parent.height - 80 : 520, 520)
    standardButtons: Dialog.Close

    onOpened: {
        filter.text = ""
        filter.forceActiveFocus()
        root.workspace.refreshDirectory()
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
            onAccepted: {
                if (matches.count > 0)
                    root.join(matches.get(0, "name"))
                else if (text.trim() !== "")
                    root.join(text.trim())
            }
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
            visible: filter.text.trim() !== "" && matches.count === 0
            text: qsTr("Create #%1").arg(filter.text.trim().toLowerCase())
            onClicked: root.join(filter.text.trim())
        }
    }

    function join(name) {
        root.workspace.join(name)
        root.close()
    }
}
