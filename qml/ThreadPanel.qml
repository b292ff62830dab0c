import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Rill.Client

// The open thread beside the timeline: its root at the top, the replies below it, newest at
// the bottom, and a composer that answers in the thread. Esc or the close button closes it
// (ChatPage has the shortcut). Its rows are the timeline's delegate over the thread's own
// MessageModel.
Pane {
    id: root
    objectName: "threadPanel"
    property Workspace workspace
    readonly property Thread thread: workspace ? workspace.thread : null
    readonly property alias list: list
    // A link clicked in a message: the timeline decides what it may do (LinkGuard).
    signal linkClicked(string link, string messageText)

    function focusInput() { composer.focusInput() }

    padding: 0
    SystemPalette { id: sys }
    background: Rectangle { color: sys.base }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        RowLayout {
            Layout.fillWidth: true
            Layout.margins: 8
            Layout.leftMargin: 16
            spacing: 8
            Label {
                text: qsTr("Thread")
                font.weight: Font.DemiBold
            }
            Label {
                Layout.fillWidth: true
                text: root.thread && root.thread.store ? (root.thread.store.isDirect ? root.thread.store.title : "#" + root.thread.channel) : ""
                opacity: 0.6
                elide: Text.ElideRight
            }
            BusyIndicator {
                Layout.preferredHeight: 20
                Layout.preferredWidth: 20
                running: root.thread !== null && root.thread.loading
                visible: running
            }
            ToolButton {
                objectName: "closeThreadButton"
                text: "✕"
                onClicked: root.workspace.closeThread()
                ToolTip.visible: hovered
                ToolTip.delay: 400
                ToolTip.text: qsTr("Close (Esc)")
            }
        }
        Rectangle { Layout.fillWidth: true; height: 1; color: sys.mid; opacity: 0.5 }

        ListView {
            id: list
            objectName: "threadList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            // A new model for every thread opened: no pooled delegates to carry over (see
            // MessageView on Qt 6.4's reuse across a change of model).
            model: root.thread ? root.thread.messages : null
            verticalLayoutDirection: ListView.BottomToTop
            boundsBehavior: Flickable.StopAtBounds
            clip: true
            delegate: MessageDelegate {
                width: ListView.view.width
                threadLinks: false
                onLinkClicked: (link, messageText) => root.linkClicked(link, messageText)
                onReactionToggled: (messageId, emoji) => root.workspace.toggleReaction(messageId, emoji)
            }
            ScrollBar.vertical: ScrollBar { }
            // New replies come in at the bottom: keep them in sight.
            onCountChanged: positionViewAtBeginning()
        }

        Composer {
            id: composer
            objectName: "threadComposer"
            Layout.fillWidth: true
            workspace: root.workspace
            replying: true
        }
    }
}
