import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Rill.Client

// Who is in the channel, online first, with a dot; a click opens a direct message.
Pane {
    id: root
    objectName: "memberList"
    property ChannelStore store
    property Workspace workspace

    padding: 0
    SystemPalette { id: sys }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0
        Label {
            Layout.fillWidth: true
            padding: 12
            font.weight: Font.DemiBold
            text: !root.store ? ""
                  : root.store.members.presenceKnown ? qsTr("Members · %1 online").arg(root.store.members.onlineCount)
                  : qsTr("Members")
        }
        Label {
            objectName: "presenceUnknown"
            Layout.fillWidth: true
            leftPadding: 12
            rightPadding: 12
            bottomPadding: 6
            visible: root.store !== null && !root.store.members.presenceKnown
            text: qsTr("Offline: who is online is not known")
            wrapMode: Text.Wrap
            font.pixelSize: 11
            opacity: 0.6
        }
        ListView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: root.store ? root.store.members : null
            delegate: ItemDelegate {
                id: member
                required property string user
                required property bool online
                required property bool isSelf
                objectName: "member:" + user
                width: ListView.view.width
                height: 30
                enabled: !isSelf
                onClicked: root.workspace.openDirect(user)
                ToolTip.visible: hovered
                ToolTip.delay: 600
                ToolTip.text: qsTr("Message %1").arg(user)
                contentItem: RowLayout {
                    spacing: 8
                    Rectangle {
                        objectName: "presenceDot"
                        width: 9
                        height: 9
                        radius: 4.5
                        color: member.online ? "#2fa84f" : "transparent"
                        border.color: member.online ? "#2fa84f" : sys.mid
                        border.width: 1.5
                        opacity: root.store && root.store.members.presenceKnown ? 1 : 0.35
                    }
                    Label {
                        Layout.fillWidth: true
                        text: member.isSelf ? qsTr("%1 (you)").arg(member.user) : member.user
                        elide: Text.ElideRight
                        opacity: member.online ? 1 : 0.6
                        color: sys.windowText
                    }
                }
            }
        }
    }
}
