import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Rill.Client

// The conversation's name, its members (a button that shows or hides their list) and its topic. A channel's topic is edited in place:
// click it, Enter sets it for everyone, Esc leaves it as it was. DMs have no topic.
Pane {
    id: root
    objectName: "channelHeaderPane"
    property Workspace workspace
    readonly property ChannelStore current: workspace ? workspace.current : null
    readonly property bool editing: topicEditor.visible
    // Whether the member list is on screen; the page decides where it goes.
    property bool membersShown: false
    signal membersToggled()

    function editTopic() {
        if (!root.current || root.current.isDirect)
            return
        topicEditor.text = root.current.topic
        topicEditor.visible = true
        topicEditor.forceActiveFocus()
        topicEditor.selectAll()
    }
    function saveTopic() {
        if (root.workspace && topicEditor.text.trim() !== root.current.topic)
            root.workspace.setTopic(topicEditor.text)
        topicEditor.visible = false
    }
    function cancelTopic() { topicEditor.visible = false }

    onCurrentChanged: cancelTopic()

    padding: 10
    leftPadding: 16
    SystemPalette { id: sys }
    background: Rectangle {
        color: sys.base
        Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: sys.mid }
    }

    RowLayout {
        anchors.fill: parent
        spacing: 12
        Label {
            objectName: "channelHeader"
            text: root.current ? (root.current.isDirect ? root.current.title : "# " + root.current.name) : ""
            font.pixelSize: 16
            font.weight: Font.DemiBold
        }
        // Shows or hides the member list (in a narrow window: opens it over the conversation).
        ToolButton {
            objectName: "membersButton"
            visible: root.current !== null && !root.current.isDirect
            text: root.current ? (root.current.memberCount === 1 ? qsTr("1 member") : qsTr("%1 members").arg(root.current.memberCount)) : ""
            flat: true
            checkable: true
            checked: root.membersShown
            opacity: checked ? 1 : 0.7
            onClicked: root.membersToggled()
            ToolTip.visible: hovered
            ToolTip.text: checked ? qsTr("Hide members") : qsTr("Show members")
        }
        Label {
            id: topicLabel
            objectName: "topicLabel"
            Layout.fillWidth: true
            visible: !topicEditor.visible && root.current !== null && !root.current.isDirect
            text: root.current && root.current.topic !== "" ? root.current.topic : qsTr("Add a topic")
            opacity: root.current && root.current.topic !== "" ? 0.85 : 0.45
            elide: Text.ElideRight
            textFormat: Text.PlainText
            ToolTip.visible: topicMouse.containsMouse && truncated
            ToolTip.text: text
            MouseArea {
                id: topicMouse
                anchors.fill: parent
                hoverEnabled: true
                cursorShape: Qt.IBeamCursor
                onClicked: root.editTopic()
            }
        }
        TextField {
            id: topicEditor
            objectName: "topicEditor"
            Layout.fillWidth: true
            visible: false
            placeholderText: qsTr("What this channel is about")
            maximumLength: 250
            Keys.onShortcutOverride: (event) => { event.accepted = event.key === Qt.Key_Escape }
            Keys.onEscapePressed: root.cancelTopic()
            onAccepted: root.saveTopic()
            onActiveFocusChanged: if (!activeFocus) root.cancelTopic()
        }
        Item { Layout.fillWidth: true; visible: !topicLabel.visible && !topicEditor.visible }
    }
}
