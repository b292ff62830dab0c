import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// One row of the timeline. Everything it decides comes from the model's roles.
Item {
    id: root
    required property int index
    required property string channel
    required property string messageId
    required property string author
    required property string markdown
    required property bool isNotice
    required property string kind
    required property string time
    required property string when
    required property string day
    required property bool showDay
    required property bool showAuthor
    required property bool isOwn
    required property bool isPending
    required property bool isFailed
    required property string sendError
    required property string nonce
    required property bool mentionsMe
    required property bool showUnreadDivider

    signal retry(string nonce)
    signal discard(string nonce)

    implicitHeight: column.implicitHeight
    height: implicitHeight

    SystemPalette { id: sys }

    ColumnLayout {
        id: column
        width: parent.width
        spacing: 0

        // Day separator
        RowLayout {
            visible: root.showDay
            Layout.fillWidth: true
            Layout.topMargin: 14
            Layout.bottomMargin: 6
            Layout.leftMargin: 16
            Layout.rightMargin: 16
            Rectangle { Layout.fillWidth: true; height: 1; color: sys.mid }
            Label {
                text: root.day
                font.pixelSize: 12
                font.weight: Font.DemiBold
                opacity: 0.7
            }
            Rectangle { Layout.fillWidth: true; height: 1; color: sys.mid }
        }

        // "New messages" divider at the read marker
        RowLayout {
            objectName: "unreadDivider"
            visible: root.showUnreadDivider
            Layout.fillWidth: true
            Layout.topMargin: 6
            Layout.bottomMargin: 4
            Layout.leftMargin: 16
            Layout.rightMargin: 16
            Rectangle { Layout.fillWidth: true; height: 1; color: "#e5484d" }
            Label {
                text: qsTr("New messages")
                color: "#e5484d"
                font.pixelSize: 11
                font.weight: Font.DemiBold
            }
        }

        // Join/part: one quiet line
        Label {
            visible: root.isNotice
            Layout.fillWidth: true
            Layout.leftMargin: 64
            Layout.rightMargin: 16
            topPadding: 2
            bottomPadding: 2
            font.pixelSize: 12
            opacity: 0.55
            elide: Text.ElideRight
            text: (root.kind === "join" ? qsTr("%1 joined") : qsTr("%1 left")).arg(root.author) + " · " + root.time
        }

        // A message
        Rectangle {
            visible: !root.isNotice
            Layout.fillWidth: true
            implicitHeight: body.implicitHeight + (root.showAuthor ? 10 : 4)
            color: root.mentionsMe ? Qt.rgba(sys.highlight.r, sys.highlight.g, sys.highlight.b, 0.12)
                                   : hover.hovered ? Qt.rgba(sys.mid.r, sys.mid.g, sys.mid.b, 0.18) : "transparent"
            HoverHandler { id: hover }

            // The avatar: an initial on a colour derived from the name
            Rectangle {
                visible: root.showAuthor
                x: 16
                y: 6
                width: 34
                height: 34
                radius: 8
                color: Qt.hsla((root.author.length * 47 + root.author.charCodeAt(0) * 13) % 360 / 360, 0.45, 0.55, 1)
                Label {
                    anchors.centerIn: parent
                    text: root.author.charAt(0).toUpperCase()
                    color: "white"
                    font.bold: true
                }
            }
            Label {
                visible: !root.showAuthor && hover.hovered
                x: 16
                width: 34
                y: 6
                horizontalAlignment: Text.AlignHCenter
                text: root.time
                font.pixelSize: 10
                opacity: 0.5
            }

            ColumnLayout {
                id: body
                x: 64
                y: root.showAuthor ? 6 : 2
                // From the row's width, not from the rectangle's: that one is sized by the
                // column's layout a polish later, and until then the text would wrap at every
                // character and make the row tens of thousands of pixels tall for a moment,
                // enough to throw the list's positions off (issue 9, item 8).
                width: root.width - 64 - 16
                spacing: 2

                RowLayout {
                    visible: root.showAuthor
                    spacing: 8
                    Label {
                        text: root.author
                        font.weight: Font.DemiBold
                    }
                    Label {
                        text: root.isPending ? (root.isFailed ? qsTr("not sent") : qsTr("sending…")) : root.when
                        font.pixelSize: 11
                        opacity: 0.55
                        color: root.isFailed ? "#e5484d" : sys.windowText
                    }
                }
                Text {
                    objectName: "messageText"
                    Layout.fillWidth: true
                    // Issue 9, item 8: the width the layout gives it comes a polish later; rich
                    // text measured before that wraps at every character, and a row first tens
                    // of thousands of pixels tall throws a BottomToTop list's positions off.
                    width: body.width
                    text: root.markdown
                    textFormat: Text.MarkdownText
                    wrapMode: Text.Wrap
                    color: sys.text
                    linkColor: sys.highlight
                    opacity: root.isPending && !root.isFailed ? 0.6 : 1
                    onLinkActivated: (link) => Qt.openUrlExternally(link)
                    HoverHandler {
                        cursorShape: parent.hoveredLink !== "" ? Qt.PointingHandCursor : Qt.IBeamCursor
                    }
                }
                RowLayout {
                    visible: root.isFailed
                    spacing: 8
                    Label {
                        text: root.sendError
                        color: "#e5484d"
                        font.pixelSize: 12
                    }
                    Button {
                        objectName: "retryButton"
                        text: qsTr("Retry")
                        flat: true
                        onClicked: root.retry(root.nonce)
                    }
                    Button {
                        text: qsTr("Discard")
                        flat: true
                        onClicked: root.discard(root.nonce)
                    }
                }
            }
        }
    }
}
