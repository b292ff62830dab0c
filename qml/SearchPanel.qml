import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Rill.Client

// Message search beside the timeline (Ctrl+F: the current channel, Ctrl+Shift+F: every channel
// of the user). Enter searches; Up/Down choose a result and Enter (or a click) opens its
// channel at that message. More results load as the list scrolls. What went wrong (no words to
// search for, an error) is said here, in the panel.
Pane {
    id: root
    objectName: "searchPanel"
    property Workspace workspace
    readonly property Search search: workspace ? workspace.search : null
    readonly property alias input: input
    readonly property alias list: list
    // The channel searched, "" for every channel.
    property string scope: ""
    signal closeRequested()

    // Opens with the field focused, for `scope`; a query already typed is searched again there.
    function start(scope) {
        root.scope = scope
        input.forceActiveFocus()
        input.selectAll()
        if (root.search && input.text.trim() !== "")
            root.run()
    }
    function run() {
        list.currentIndex = -1
        root.search.run(input.text, root.scope)
    }
    function activate(row) {
        const item = list.itemAtIndex(row)
        if (!item)
            return
        list.currentIndex = row
        root.workspace.openMessage(item.channel, item.messageId)
    }

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
                text: qsTr("Search")
                font.weight: Font.DemiBold
            }
            ComboBox {
                id: scopeBox
                objectName: "searchScope"
                Layout.fillWidth: true
                readonly property ChannelStore current: root.workspace ? root.workspace.current : null
                model: [current ? (current.isDirect ? qsTr("In %1").arg(current.title) : qsTr("In #%1").arg(current.name)) : qsTr("In this channel"),
                        qsTr("In all my channels")]
                currentIndex: root.scope === "" ? 1 : 0
                onActivated: (index) => {
                    root.scope = index === 0 && current ? current.name : ""
                    if (input.text.trim() !== "")
                        root.run()
                }
            }
            BusyIndicator {
                Layout.preferredHeight: 20
                Layout.preferredWidth: 20
                running: root.search !== null && root.search.loading
                visible: running
            }
            ToolButton {
                objectName: "closeSearchButton"
                text: "✕"
                onClicked: root.closeRequested()
                ToolTip.visible: hovered
                ToolTip.delay: 400
                ToolTip.text: qsTr("Close (Esc)")
            }
        }

        TextField {
            id: input
            objectName: "searchInput"
            Layout.fillWidth: true
            Layout.leftMargin: 12
            Layout.rightMargin: 12
            placeholderText: qsTr("Words to find")
            selectByMouse: true
            Keys.onDownPressed: list.currentIndex = Math.min(list.currentIndex + 1, list.count - 1)
            Keys.onUpPressed: list.currentIndex = Math.max(list.currentIndex - 1, 0)
            Keys.onShortcutOverride: (event) => { event.accepted = event.key === Qt.Key_Escape }
            Keys.onEscapePressed: root.closeRequested()
            // Enter searches; after choosing a result with the arrows, Enter opens it.
            onAccepted: {
                if (root.search && text.trim() === root.search.query && list.currentIndex >= 0)
                    root.activate(list.currentIndex)
                else
                    root.run()
            }
        }

        Label {
            id: status
            objectName: "searchStatus"
            Layout.fillWidth: true
            Layout.margins: 12
            wrapMode: Text.Wrap
            visible: text !== ""
            color: root.search && root.search.problem !== "" ? "#e5484d" : sys.windowText
            opacity: root.search && root.search.problem !== "" ? 1 : 0.6
            text: !root.search ? ""
                : root.search.problem !== "" ? root.search.problem
                : root.search.done && list.count === 0 && !root.search.loading ? qsTr("Nothing found")
                : ""
        }

        ListView {
            id: list
            objectName: "searchResults"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            currentIndex: -1
            model: root.search ? root.search.results : null
            boundsBehavior: Flickable.StopAtBounds
            delegate: ItemDelegate {
                id: hit
                required property int index
                required property string messageId
                required property string channel
                required property string channelTitle
                required property string author
                required property string when
                required property string styledText
                width: ListView.view.width
                highlighted: ListView.isCurrentItem
                onClicked: root.activate(index)
                contentItem: Column {
                    spacing: 2
                    Text {
                        width: parent.width
                        text: hit.channelTitle + " · " + hit.author + " · " + hit.when
                        textFormat: Text.PlainText
                        elide: Text.ElideRight
                        font.pixelSize: 11
                        color: sys.windowText
                        opacity: 0.65
                    }
                    Text {
                        objectName: "resultText"
                        width: parent.width
                        text: hit.styledText
                        textFormat: Text.StyledText
                        wrapMode: Text.Wrap
                        maximumLineCount: 3
                        elide: Text.ElideRight
                        color: sys.text
                    }
                }
            }
            ScrollBar.vertical: ScrollBar { }
        }
    }
}
