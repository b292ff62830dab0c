import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The sidebar's list: channels then direct messages; unread ones bold with a count, and a
// red "@N" when some of them mention the user.
ListView {
    id: list
    objectName: "channelList"

    signal activated(string name)

    clip: true
    boundsBehavior: Flickable.StopAtBounds
    currentIndex: -1

    SystemPalette { id: sys }

    // The section heading is part of the row that starts the section (the model says which):
    // ListView's own section headings are reused by Qt 6.4 without updating their text.
    delegate: Column {
        id: entry
        required property string name
        required property string title
        required property bool isDirect
        required property int unread
        required property bool hasUnread
        required property int mentions
        required property bool isCurrent
        required property bool peerOnline
        required property bool peerPresenceKnown
        required property string section
        required property bool startsSection

        width: ListView.view.width

        Label {
            objectName: "sectionHeading"
            visible: entry.startsSection
            width: parent.width
            topPadding: 14
            bottomPadding: 4
            leftPadding: 14
            text: entry.section.toUpperCase()
            font.pixelSize: 11
            font.weight: Font.DemiBold
            opacity: 0.6
        }

        ItemDelegate {
            id: row
            readonly property string name: entry.name
            readonly property string title: entry.title
            readonly property bool isDirect: entry.isDirect
            readonly property int unread: entry.unread
            readonly property bool hasUnread: entry.hasUnread
            readonly property int mentions: entry.mentions
            readonly property bool isCurrent: entry.isCurrent
            readonly property bool peerOnline: entry.peerOnline

            objectName: "channel:" + name
            width: parent.width
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
                        opacity: entry.peerPresenceKnown ? 1 : 0.35 // offline: not known
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
                // Mentions of the user: a badge of its own, stronger than the unread count.
                Rectangle {
                    objectName: "mentionBadge"
                    visible: row.mentions > 0
                    implicitWidth: Math.max(20, mentionText.implicitWidth + 10)
                    implicitHeight: 18
                    radius: 9
                    color: "#e5484d"
                    Label {
                        id: mentionText
                        objectName: "mentionCount"
                        anchors.centerIn: parent
                        text: "@" + (row.mentions > 99 ? "99+" : row.mentions)
                        font.pixelSize: 11
                        font.bold: true
                        color: "white"
                    }
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
}
