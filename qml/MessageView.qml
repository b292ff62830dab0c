import QtQuick
import QtQuick.Controls
import Rill.Client

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

    function jumpToLatest() { list.positionViewAtBeginning() }

    // Bottom-to-top, the visual top is the oldest end: resting there means "more, please".
    function loadOlderAtTop() {
        if (root.store && list.count > 0 && list.atYBeginning && !root.store.atStart)
            root.store.loadOlder()
    }
    Connections {
        target: root.store
        function onLoadingChanged() { root.loadOlderAtTop() }
    }

    SystemPalette { id: sys }

    ListView {
        id: list
        objectName: "messageList"
        anchors.fill: parent
        model: root.store ? root.store.messages : null // null once the channel is left
        verticalLayoutDirection: ListView.BottomToTop
        reuseItems: true
        cacheBuffer: 1200
        boundsBehavior: Flickable.StopAtBounds
        clip: true

        delegate: MessageDelegate {
            width: ListView.view.width
            onRetry: (nonce) => root.workspace.retry(nonce)
            onDiscard: (nonce) => root.workspace.discard(nonce)
        }

        // Bottom-to-top: the footer sits above the oldest message.
        footer: Item {
            width: ListView.view.width
            height: 64
            BusyIndicator {
                anchors.centerIn: parent
                running: root.store && root.store.loadingOlder
                visible: running
            }
            Label {
                anchors.centerIn: parent
                visible: root.store && root.store.atStart
                text: root.store ? (root.store.isDirect ? qsTr("This is the beginning of your conversation with %1.").arg(root.store.title)
                                                        : qsTr("This is the start of #%1.").arg(root.store.name)) : ""
                opacity: 0.6
            }
        }

        ScrollBar.vertical: ScrollBar { }
        onAtYBeginningChanged: root.loadOlderAtTop()
    }

    RoundButton {
        objectName: "jumpToLatest"
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        anchors.margins: 16
        visible: !list.atYEnd && list.count > 0
        text: "↓"
        font.pixelSize: 18
        highlighted: true
        ToolTip.visible: hovered
        ToolTip.text: qsTr("Jump to the latest message")
        onClicked: root.jumpToLatest()
    }
}
