import QtQuick
import QtQuick.Controls

// One row of the timeline. Everything it decides comes from the model's roles, and its text
// comes styled from C++ (MessageRenderer: StyledText with only the renderer's own tags, made
// once when the message arrived). A row is a handful of plain items placed by hand: what most
// rows do not show (day separator, unread divider, the time on hover, a join/part line, the
// failed-send buttons) is loaded only in the rows that show it.
Item {
    id: root
    objectName: "messageRow"
    required property int index
    required property string channel
    required property string messageId
    required property string author
    required property string text
    required property string styledText
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
    required property bool isEdited
    required property bool isDeleted
    required property var reactions // [{emoji, count, users, mine}]
    required property int replies
    required property string replyTo       // the thread root this answers, "" for none
    required property string threadExcerpt // that root's first words, when loaded
    // The timeline links a reply to its thread; the thread panel, which is that thread, does not.
    property bool threadLinks: true
    // The message an opened search result or link points at, for a moment.
    property bool highlighted: false

    signal retry(string nonce)
    signal discard(string nonce)
    // A link in the text was clicked: the view decides what happens (LinkGuard).
    signal linkClicked(string link, string messageText)
    // A reaction chip was clicked: the user's own reaction goes on or off.
    signal reactionToggled(string messageId, string emoji)
    // The row's menu was asked for (right click), at this point of the row.
    signal menuRequested(real x, real y)
    // "N replies" or a reply's "in thread" line was clicked: open the thread of this message.
    signal threadRequested(string messageId)

    implicitHeight: body.y + body.height
    height: implicitHeight

    SystemPalette { id: sys }

    Loader {
        id: daySeparator
        width: parent.width
        active: root.showDay
        sourceComponent: Item {
            implicitHeight: 36
            Rectangle { x: 16; y: 24; width: dayLabel.x - 24; height: 1; color: sys.mid }
            Text {
                id: dayLabel
                x: (parent.width - width) / 2
                y: 16
                text: root.day
                color: sys.windowText
                font.pixelSize: 12
                font.weight: Font.DemiBold
                opacity: 0.7
            }
            Rectangle { x: dayLabel.x + dayLabel.width + 8; y: 24; width: parent.width - x - 16; height: 1; color: sys.mid }
        }
    }

    // "New messages" at the read marker
    Loader {
        id: unreadDivider
        y: daySeparator.height
        width: parent.width
        active: root.showUnreadDivider
        sourceComponent: Item {
            objectName: "unreadDivider"
            implicitHeight: 22
            Rectangle { x: 16; y: 12; width: newLabel.x - 24; height: 1; color: "#e5484d" }
            Text {
                id: newLabel
                x: parent.width - width - 16
                y: 4
                text: qsTr("New messages")
                color: "#e5484d"
                font.pixelSize: 11
                font.weight: Font.DemiBold
            }
        }
    }

    Rectangle {
        id: body
        y: daySeparator.height + unreadDivider.height
        width: parent.width
        height: root.isNotice ? notice.height
                              : below.y + below.height + (root.showAuthor ? 6 : 2)
        color: root.highlighted ? Qt.rgba(sys.highlight.r, sys.highlight.g, sys.highlight.b, 0.3)
             : root.mentionsMe ? Qt.rgba(sys.highlight.r, sys.highlight.g, sys.highlight.b, 0.12)
                               : hover.hovered && !root.isNotice ? Qt.rgba(sys.mid.r, sys.mid.g, sys.mid.b, 0.18) : "transparent"
        HoverHandler {
            id: hover
            cursorShape: messageText.hoveredLink !== "" ? Qt.PointingHandCursor : Qt.ArrowCursor
        }
        TapHandler {
            acceptedButtons: Qt.RightButton
            enabled: !root.isNotice && !root.isPending
            onTapped: (eventPoint) => root.menuRequested(eventPoint.position.x, eventPoint.position.y)
        }

        // Join/part: one quiet line
        Loader {
            id: notice
            width: parent.width
            active: root.isNotice
            sourceComponent: Text {
                leftPadding: 64
                rightPadding: 16
                topPadding: 2
                bottomPadding: 2
                font.pixelSize: 12
                color: sys.windowText
                opacity: 0.55
                elide: Text.ElideRight
                text: (root.kind === "join" ? qsTr("%1 joined") : qsTr("%1 left")).arg(root.author) + " · " + root.time
            }
        }

        // The avatar: an initial on a colour derived from the name
        Rectangle {
            visible: root.showAuthor && !root.isNotice
            x: 16
            y: 6
            width: 34
            height: 34
            radius: 8
            color: Qt.hsla((root.author.length * 47 + root.author.charCodeAt(0) * 13) % 360 / 360, 0.45, 0.55, 1)
            Text {
                anchors.centerIn: parent
                text: root.author.charAt(0).toUpperCase()
                color: "white"
                font.bold: true
            }
        }
        Loader {
            x: 16
            y: 6
            width: 34
            active: !root.showAuthor && !root.isNotice && hover.hovered
            sourceComponent: Text {
                horizontalAlignment: Text.AlignHCenter
                text: root.time
                color: sys.windowText
                font.pixelSize: 10
                opacity: 0.5
            }
        }

        Text {
            id: authorName
            visible: root.showAuthor && !root.isNotice
            x: 64
            y: 6
            width: Math.min(implicitWidth, parent.width - 64 - 16 - stamp.implicitWidth - 8)
            text: root.author
            color: sys.windowText
            font.weight: Font.DemiBold
            elide: Text.ElideRight
        }
        Text {
            id: stamp
            visible: authorName.visible
            x: authorName.x + authorName.width + 8
            anchors.baseline: authorName.baseline
            text: root.isPending ? (root.isFailed ? qsTr("not sent") : qsTr("sending…")) : root.when
            font.pixelSize: 11
            opacity: 0.55
            color: root.isFailed ? "#e5484d" : sys.windowText
        }

        Text {
            id: messageText
            objectName: "messageText"
            visible: !root.isNotice
            x: 64
            y: root.showAuthor ? authorName.y + authorName.height + 2 : 2
            width: parent.width - 64 - 16
            // The renderer escaped the message's own markup; these tags are ours.
            text: root.isNotice ? "" : root.isDeleted ? qsTr("message deleted")
                : root.isEdited ? root.styledText + " <font size=\"1\">" + qsTr("(edited)") + "</font>" : root.styledText
            textFormat: Text.StyledText
            wrapMode: Text.Wrap
            color: sys.text
            linkColor: sys.highlight
            font.italic: root.isDeleted
            opacity: root.isDeleted ? 0.55 : root.isPending && !root.isFailed ? 0.6 : 1
            onLinkActivated: (link) => root.linkClicked(link, root.text)
        }

        // What hangs below the text: reactions, the thread's size, a failed send's buttons.
        // Each is made only in the rows that have it.
        Column {
            id: below
            x: 64
            y: messageText.y + messageText.height + (height > 0 ? 2 : 0)
            width: parent.width - 64 - 16
            spacing: 2

            Loader {
                id: reactionChips
                width: parent.width
                active: !root.isDeleted && root.reactions.length > 0
                visible: active
                sourceComponent: Flow {
                    objectName: "reactions"
                    spacing: 4
                    Repeater {
                        model: root.reactions
                        delegate: AbstractButton {
                            id: chip
                            required property var modelData
                            objectName: "reaction:" + modelData.emoji
                            padding: 3
                            leftPadding: 6
                            rightPadding: 6
                            hoverEnabled: true
                            checked: modelData.mine
                            text: modelData.emoji + " " + modelData.count
                            contentItem: Text {
                                text: chip.text
                                color: sys.text
                                font.pixelSize: 12
                            }
                            background: Rectangle {
                                radius: height / 2
                                color: chip.checked ? Qt.rgba(sys.highlight.r, sys.highlight.g, sys.highlight.b, 0.2)
                                                    : Qt.rgba(sys.mid.r, sys.mid.g, sys.mid.b, chip.hovered ? 0.35 : 0.2)
                                border.width: 1
                                border.color: chip.checked ? sys.highlight : "transparent"
                            }
                            ToolTip.visible: hovered
                            ToolTip.delay: 400
                            ToolTip.text: modelData.users.join(", ")
                            onClicked: root.reactionToggled(root.messageId, modelData.emoji)
                        }
                    }
                }
            }

            Loader {
                active: root.replies > 0
                visible: active
                sourceComponent: Text {
                    objectName: "replyCount"
                    text: root.replies === 1 ? qsTr("1 reply") : qsTr("%1 replies").arg(root.replies)
                    color: sys.highlight
                    font.pixelSize: 12
                    font.weight: Font.DemiBold
                    font.underline: replyCountHover.hovered && root.threadLinks
                    HoverHandler { id: replyCountHover; cursorShape: root.threadLinks ? Qt.PointingHandCursor : Qt.ArrowCursor }
                    TapHandler {
                        enabled: root.threadLinks
                        onTapped: root.threadRequested(root.messageId)
                    }
                }
            }

            // A reply stays in the timeline (the server counts it in unread); this line says
            // which thread it belongs to and opens it.
            Loader {
                width: parent.width
                active: root.threadLinks && root.replyTo !== ""
                visible: active
                sourceComponent: Text {
                    objectName: "threadLink"
                    text: root.threadExcerpt !== "" ? qsTr("in thread: %1").arg(root.threadExcerpt) : qsTr("in a thread")
                    textFormat: Text.PlainText
                    elide: Text.ElideRight
                    color: sys.highlight
                    font.pixelSize: 12
                    font.underline: threadLinkHover.hovered
                    HoverHandler { id: threadLinkHover; cursorShape: Qt.PointingHandCursor }
                    TapHandler { onTapped: root.threadRequested(root.replyTo) }
                }
            }

            Loader {
                id: failure
                active: root.isFailed
                visible: active
                sourceComponent: Row {
                    spacing: 8
                    Label {
                        anchors.verticalCenter: parent.verticalCenter
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
