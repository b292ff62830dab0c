import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Rill.Client

// Ctrl+K: type a few letters of a channel or a person, Enter goes there.
Popup {
    id: root
    objectName: "quickSwitcher"
    property Workspace workspace

    modal: true
    focus: true
    x: parent ? (parent.width - width) / 2 : 0
    y: parent ? parent.height * 0.15 : 0
    width: Math.min(parent ? parent.width - 80 : 420, 420)
    padding: 8

    onOpened: {
        input.text = ""
        results.currentIndex = 0
        input.forceActiveFocus()
    }

    function activate(row) {
        if (row < 0 || row >= matches.count)
            return
        root.workspace.currentName = matches.get(row, "name")
        root.close()
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 6
        TextField {
            id: input
            objectName: "switcherInput"
            Layout.fillWidth: true
            placeholderText: qsTr("Jump to a channel or a conversation")
            onTextChanged: results.currentIndex = 0
            Keys.onDownPressed: results.currentIndex = Math.min(results.currentIndex + 1, matches.count - 1)
            Keys.onUpPressed: results.currentIndex = Math.max(results.currentIndex - 1, 0)
            onAccepted: root.activate(results.currentIndex)
        }
        ListView {
            id: results
            objectName: "switcherResults"
            Layout.fillWidth: true
            Layout.preferredHeight: Math.min(contentHeight, 320)
            clip: true
            model: FilterModel {
                id: matches
                sourceModel: root.workspace ? root.workspace.channels : null
                filterRoleName: "title"
                text: input.text
            }
            delegate: ItemDelegate {
                id: hit
                required property int index
                required property string title
                required property bool isDirect
                required property int unread
                width: ListView.view.width
                highlighted: ListView.isCurrentItem
                text: (isDirect ? "@ " : "# ") + title + (unread > 0 ? "  (" + unread + ")" : "")
                font.bold: unread > 0
                onClicked: root.activate(index)
            }
        }
    }
}
