import QtQuick
import QtQuick.Controls
import Rill.Client
import Rill.Ui

// One channel's timeline, newest at the bottom. The list runs bottom-to-top over a model whose
// row 0 is the newest message, so older pages land past the end (fetchMore) and the view
// does not jump while they arrive.
//
// A view shows one store for its whole life (TimelineStack makes one per channel): Qt 6.4's
// ListView keeps its pool of reusable delegates across a change of model and hands the old
// channel's rows to the new one (issue 9, item 1), so the model of a list never changes.
Item {
    id: root
    required property ChannelStore store
    property Workspace workspace

    readonly property alias list: list
    readonly property bool atLatest: list.atYEnd
    // Whether the view keeps the newest message in sight: true until the user scrolls up,
    // and again once they scroll back down, jump to the latest or send. A BottomToTop
    // ListView keeps its content position, not its bottom, when it is resized (the composer
    // grows, the window changes), when rows come while it is hidden, and when its rows change
    // height after it was positioned (a delegate's layout settles a frame later, by hundreds
    // of pixels for a 4,000-character message: issue 9, item 8), so the view keeps it itself.
    property bool followLatest: true
    // Where the emoji picker keeps what was used lately (the profile's settings).
    property AppSettings settings: null
    // The user asked to edit one of their messages (the composer does the editing).
    signal editRequested(string messageId)
    // What the message menu offers as one-click reactions.
    property var quickReactions: ["👍", "❤️", "😂", "🎉", "👀", "🙏"]

    // The message an opened search result or link brought into sight, highlighted a moment.
    property string highlightedId: ""

    function jumpToLatest() {
        // A stretch away from the newest messages is replaced by them first.
        d.returning = root.store !== null && !root.store.atLatest
        if (d.returning)
            root.store.returnToLatest()
        root.followLatest = true
        d.toLatest()
    }
    function keepLatest() {
        if (root.followLatest && root.visible && list.count > 0 && !list.moving && root.store && root.store.atLatest)
            d.toLatest()
    }
    // The store asks for a message to be shown (ChannelStore.focusId): in the middle of the
    // view, highlighted, and no longer following the newest.
    function showFocus() {
        if (!root.store || root.store.focusId === "" || !root.visible)
            return
        const row = root.store.messages.rowOf(root.store.focusId)
        if (row < 0)
            return
        root.highlightedId = root.store.focusId
        root.store.clearFocus()
        root.followLatest = false
        d.returning = false
        d.focusRow = row
        d.toFocus()
        // Rows above and below settle their heights a frame later: place it again then.
        Qt.callLater(d.toFocus)
        highlightTimer.restart()
    }
    QtObject {
        id: d
        property bool positioning: false // contentY moves because of the view, not the user
        property bool returning: false   // the newest messages were asked for: show them when in
        property int focusRow: -1
        function toLatest() {
            d.positioning = true
            list.positionViewAtBeginning()
            d.positioning = false
        }
        function toFocus() {
            if (d.focusRow < 0 || d.focusRow >= list.count)
                return
            d.positioning = true
            list.positionViewAtIndex(d.focusRow, ListView.Center)
            d.positioning = false
        }
    }
    Timer {
        id: highlightTimer
        interval: 2500
        onTriggered: { root.highlightedId = ""; d.focusRow = -1 }
    }

    // A link clicked in a message: http, https and mailto open; when the text clicked does not
    // say where the link goes, the target is shown first. A message link opens that message.
    function openLink(link, messageText) {
        const decision = LinkGuard.inspect(messageText, link)
        if (decision.action === LinkGuard.Open)
            Qt.openUrlExternally(decision.url)
        else if (decision.action === LinkGuard.Confirm)
            linkConfirmation.ask(decision.url, decision.shown)
        else if (decision.action === LinkGuard.Jump)
            root.workspace.openLink(decision.url)
    }

    // Back at the newest messages, what was scrolled through far above is let go (it loads
    // again when scrolled to). Hidden views let go too.
    function releaseFarHistory() {
        if (root.store && list.atYEnd && root.store.atLatest)
            root.store.releaseFarHistory()
    }
    onVisibleChanged: {
        if (visible) {
            keepLatest()
            showFocus()
        } else
            releaseFarHistory()
    }

    // Bottom-to-top, the visual top is the oldest end: resting there means "more, please".
    function loadOlderAtTop() {
        if (root.store && list.count > 0 && list.atYBeginning && !root.store.atStart)
            root.store.loadOlder()
    }
    // Bottom-to-top, the visual bottom is the newest end: away from the latest, resting there
    // asks for the next newer page.
    function loadNewerAtBottom() {
        if (root.store && list.count > 0 && list.atYEnd && !root.store.atLatest)
            root.store.loadNewer()
    }
    Connections {
        target: root.store
        function onLoadingChanged() {
            if (d.returning && !root.store.loadingNewer) {
                // The newest page is in: show its end. (When a message raced it, the store is
                // not at the latest yet, and resting at the end loads that too.)
                d.returning = !root.store.atLatest
                root.followLatest = root.store.atLatest
                d.toLatest()
            }
            root.loadOlderAtTop()
            Qt.callLater(root.loadNewerAtBottom)
        }
        // The user sent something: show it, wherever they were.
        function onPendingInserted() { root.jumpToLatest() }
        function onFocusChanged() { root.showFocus() }
    }
    Component.onCompleted: showFocus()

    SystemPalette { id: sys }

    ListView {
        id: list
        objectName: "messageList"
        anchors.fill: parent
        model: root.store ? root.store.messages : null // null once the channel is left
        verticalLayoutDirection: ListView.BottomToTop
        reuseItems: true
        cacheBuffer: 600
        boundsBehavior: Flickable.StopAtBounds
        clip: true

        delegate: MessageDelegate {
            id: row
            width: ListView.view.width
            onRetry: (nonce) => root.workspace.retry(nonce)
            onDiscard: (nonce) => root.workspace.discard(nonce)
            onLinkClicked: (link, messageText) => root.openLink(link, messageText)
            onReactionToggled: (messageId, emoji) => root.workspace.toggleReaction(messageId, emoji)
            onMenuRequested: (x, y) => messageMenu.openFor(row, x, y)
            onThreadRequested: (messageId) => root.workspace.openThread(messageId)
            highlighted: messageId !== "" && messageId === root.highlightedId
        }

        // Bottom-to-top: the footer sits above the oldest message. Its parts are made when
        // they show: a new view costs a few items, not a spinner and a label.
        footer: Item {
            width: ListView.view.width
            height: 64
            Loader {
                anchors.centerIn: parent
                active: root.store !== null && root.store.loadingOlder
                sourceComponent: BusyIndicator { running: true }
            }
            Loader {
                anchors.centerIn: parent
                active: root.store !== null && root.store.atStart
                sourceComponent: Label {
                    text: root.store.isDirect ? qsTr("This is the beginning of your conversation with %1.").arg(root.store.title)
                                              : qsTr("This is the start of #%1.").arg(root.store.name)
                    opacity: 0.6
                }
            }
        }

        ScrollBar.vertical: ScrollBar { }
        onAtYBeginningChanged: root.loadOlderAtTop()
        // The user moved the view (wheel, drag, flick, scroll bar, keys): follow the latest
        // again only if they went back down to it.
        // Away from the latest, the bottom is not the newest message: nothing to follow there.
        onContentYChanged: if (!d.positioning && root.visible && list.count > 0) root.followLatest = list.atYEnd && root.store !== null && root.store.atLatest
        onMovementEnded: root.followLatest = list.atYEnd && root.store !== null && root.store.atLatest
        onHeightChanged: root.keepLatest()
        onCountChanged: root.keepLatest()
        onContentHeightChanged: Qt.callLater(root.keepLatest)
        onOriginYChanged: Qt.callLater(root.keepLatest)
        onAtYEndChanged: {
            root.releaseFarHistory()
            root.loadNewerAtBottom()
        }
    }

    // Shown from the local cache: said until the sign-in has caught the channel up.
    Loader {
        anchors.top: parent.top
        anchors.topMargin: 8
        anchors.horizontalCenter: parent.horizontalCenter
        active: root.store !== null && root.store.stale
        sourceComponent: Label {
            objectName: "staleNotice"
            padding: 6
            leftPadding: 12
            rightPadding: 12
            text: qsTr("Saved messages: catching up when connected")
            font.pixelSize: 12
            background: Rectangle { color: sys.window; border.color: sys.mid; radius: height / 2 }
        }
    }

    // Made the first time the view leaves the newest messages, then kept (it hides itself).
    Loader {
        id: jumpButton
        readonly property bool wanted: (!list.atYEnd || (root.store !== null && !root.store.atLatest)) && list.count > 0
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        anchors.margins: 16
        active: false
        onWantedChanged: if (wanted) active = true
        sourceComponent: RoundButton {
            objectName: "jumpToLatest"
            visible: jumpButton.wanted
            text: "↓"
            font.pixelSize: 18
            highlighted: true
            ToolTip.visible: hovered
            ToolTip.text: qsTr("Jump to the latest message")
            onClicked: root.jumpToLatest()
        }
    }

    // Made the first time a link needs it.
    Loader {
        id: linkConfirmation
        active: false
        anchors.centerIn: parent
        property string url
        property string shown
        function ask(url, shown) {
            linkConfirmation.url = url
            linkConfirmation.shown = shown
            active = true
            item.open()
        }
        sourceComponent: Dialog {
            objectName: "linkConfirmation"
            anchors.centerIn: parent
            width: Math.min(root.width - 40, 420)
            modal: true
            title: qsTr("Open this link?")
            standardButtons: Dialog.Open | Dialog.Cancel
            onAccepted: Qt.openUrlExternally(linkConfirmation.url)
            Label {
                objectName: "linkConfirmationTarget"
                width: parent.width
                text: linkConfirmation.shown
                textFormat: Text.PlainText
                wrapMode: Text.WrapAnywhere
            }
        }
    }

    // A message's menu (right click): quick reactions, Reply in thread, Edit and Delete for
    // one's own, Copy text, Copy link.
    // Made the first time it is asked for.
    Loader {
        id: messageMenu
        active: false
        property string messageId
        property string text
        property bool own
        property bool deleted
        function openFor(row, x, y) {
            messageMenu.messageId = row.messageId
            messageMenu.text = row.text
            messageMenu.own = row.isOwn
            messageMenu.deleted = row.isDeleted
            active = true
            const at = row.mapToItem(root, x, y)
            item.popup(root, at.x, at.y)
        }
        sourceComponent: Menu {
            objectName: "messageMenu"
            MenuItem {
                // A row of emoji buttons; choosing one toggles the user's reaction.
                enabled: !messageMenu.deleted
                height: enabled ? implicitHeight : 0
                visible: enabled
                contentItem: Row {
                    spacing: 2
                    Repeater {
                        model: root.quickReactions
                        delegate: ToolButton {
                            required property string modelData
                            objectName: "quickReaction:" + modelData
                            text: modelData
                            onClicked: {
                                root.react(messageMenu.messageId, modelData)
                                messageMenu.item.close()
                            }
                        }
                    }
                }
                background: Item { }
            }
            MenuItem {
                objectName: "moreReactions"
                text: qsTr("Add reaction…")
                enabled: !messageMenu.deleted
                onTriggered: emojiPicker.pickFor(messageMenu.messageId)
            }
            MenuSeparator { visible: !messageMenu.deleted; height: visible ? implicitHeight : 0 }
            MenuItem {
                // A reply's thread is its root's: threads are one level deep.
                objectName: "replyInThreadItem"
                text: qsTr("Reply in thread")
                onTriggered: root.workspace.openThread(messageMenu.messageId)
            }
            MenuItem {
                objectName: "editItem"
                text: qsTr("Edit")
                enabled: messageMenu.own && !messageMenu.deleted
                onTriggered: root.editRequested(messageMenu.messageId)
            }
            MenuItem {
                objectName: "deleteItem"
                text: qsTr("Delete…")
                enabled: messageMenu.own && !messageMenu.deleted
                onTriggered: deleteConfirmation.ask(messageMenu.messageId)
            }
            MenuItem {
                objectName: "copyItem"
                text: qsTr("Copy text")
                enabled: !messageMenu.deleted
                onTriggered: root.copy(messageMenu.text)
            }
            MenuItem {
                objectName: "copyLinkItem"
                text: qsTr("Copy link")
                onTriggered: root.copy(root.workspace.messageLink(messageMenu.messageId))
            }
        }
    }
    function react(messageId, emoji) {
        if (root.settings)
            root.settings.noteEmojiUsed(emoji)
        root.workspace.toggleReaction(messageId, emoji)
    }

    Loader {
        id: emojiPicker
        active: false
        anchors.centerIn: parent
        property string messageId
        function pickFor(messageId) {
            emojiPicker.messageId = messageId
            active = true
            item.open()
        }
        sourceComponent: EmojiPicker {
            settings: root.settings
            // The picker notes the emoji itself.
            onPicked: (emoji) => root.workspace.toggleReaction(emojiPicker.messageId, emoji)
        }
    }

    // Qt Quick has no clipboard API: a hidden editor copies for it.
    TextEdit { id: clipboardBridge; visible: false; textFormat: TextEdit.PlainText }
    function copy(text) {
        clipboardBridge.text = text
        clipboardBridge.selectAll()
        clipboardBridge.copy()
        clipboardBridge.text = ""
    }

    Loader {
        id: deleteConfirmation
        active: false
        anchors.centerIn: parent
        property string messageId
        function ask(messageId) {
            deleteConfirmation.messageId = messageId
            active = true
            item.open()
        }
        sourceComponent: Dialog {
            objectName: "deleteConfirmation"
            anchors.centerIn: parent
            width: Math.min(root.width - 40, 420)
            modal: true
            title: qsTr("Delete this message?")
            standardButtons: Dialog.Ok | Dialog.Cancel
            onAccepted: root.workspace.deleteMessage(deleteConfirmation.messageId)
            Label {
                width: parent.width
                wrapMode: Text.Wrap
                text: qsTr("It is removed for everyone. This cannot be undone.")
            }
        }
    }
}
