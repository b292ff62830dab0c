import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The sidebar's list: channels then direct messages; unread ones bold with a count.
ListView {
    id: list
    objectName: "channelList"

    signal activated(string name)

    clip: true
    boundsBehavior: Flickable.StopAtBounds
    currentIndex: -1

    SystemPalette { id: sys }

    section.property: "section"
    section.delegate: Label {
        required property string section
        width: ListView.view.width
        topPadding: 14
        bottomPadding: 4
        leftPadding: 14
        text: section.toUpperCase()
        font.pixelSize: 11
        font.weight: Font.DemiBold
        opacity: 0.6
    }

    delegate: ItemDelegate {
        id: row
        required property string name
        required property string title
        required property bool isDirect
        required property int unread
        required property bool hasUnread
        required property bool isCurrent
        required property bool peerOnline

        objectName: "channel:" + name
        width: ListView.view.width
        height: 30
        highlighted: isCurrent
        onClicked: list.activated(name)

        contentItem: RowLayout {
            spacing: 8
            Item {
                implicitWidth: 14
                implicitHeight: 14
                Label {
                    anchors.centerIn: parent
                    visible: !row.isDirect
                    text: "#"
                    opacity: 0.6
                }
                Rectangle {
                    anchors.centerIn: parent
                    visible: row.isDirect
                    width: 9
                    height: 9
                    radius: 4.5
                    color: row.peerOnline ? "#2fa84f" : "transparent"
                    border.color: row.peerOnline ? "#2fa84f" : sys.mid
                    border.width: 1.5
                }
            }
            Label {
                objectName: "channelTitle"
                Layout.fillWidth: true
                text: row.title
                elide: Text.ElideRight
                font.bold: row.hasUnread
                opacity: row.hasUnread || row.isCurrent ? 1 : 0.8
                color: row.highlighted ? sys.highlightedText : sys.windowText
            }
            Rectangle {
                objectName: "unreadBadge"
                visible: row.unread > 0
                implicitWidth: Math.max(20, badgeText.implicitWidth + 10)
                implicitHeight: 18
                radius: 9
                color: row.highlighted ? sys.highlightedText : sys.highlight
                Label {
                    id: badgeText
                    objectName: "unreadCount"
                    anchors.centerIn: parent
                    text: row.unread > 99 ? "99+" : row.unread
                    font.pixelSize: 11
                    font.bold: true
                    color: row.highlighted ? sys.highlight : sys.highlightedText
                }
            }
        }
    }
}
