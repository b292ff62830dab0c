import QtQuick
import QtTest
import Rill.Views

// The search panel: type a query, Enter searches, the results show with the matched words in
// bold; choosing one opens its channel at that message, highlighted. A query with no words is
// told in the panel.
Item {
    id: root
    width: 900
    height: 500

    TestCase {
        id: testCase
        name: "Search"
        when: windowShown

        Component {
            id: chatComponent
            Row {
                property alias stack: stack
                property alias panel: panel
                TimelineStack {
                    id: stack
                    width: 540
                    height: 480
                    workspace: harness.workspace
                }
                SearchPanel {
                    id: panel
                    width: 360
                    height: 480
                    workspace: harness.workspace
                }
            }
        }

        function type(text) {
            for (const c of text)
                keyClick(c)
        }

        function test_findAndOpenAResultFarBack() {
            // The message is older than the newest page the app loads.
            verify(harness.postAsBob("searched", "the quarterly zebra report"))
            verify(harness.prepareLongChannel("searched", 120))
            const target = harness.idOf("searched", "the quarterly zebra report")
            verify(harness.texts("searched").indexOf("the quarterly zebra report") < 0)
            harness.workspace.currentName = "general"

            const chat = createTemporaryObject(chatComponent, root)
            chat.panel.start("") // Ctrl+Shift+F: every channel
            tryVerify(() => chat.panel.input.activeFocus)
            type("Zebra rep")
            keyClick(Qt.Key_Return)
            tryVerify(() => chat.panel.list.count === 1, 10000, "one result")
            const hit = chat.panel.list.itemAtIndex(0)
            compare(hit.channelTitle, "#searched")
            compare(hit.author, "bob")
            compare(findChild(hit, "resultText").text, "the quarterly <b>zebra</b> <b>report</b>")

            // Down chooses it, Enter opens it: the channel, at that message, highlighted.
            keyClick(Qt.Key_Down)
            compare(chat.panel.list.currentIndex, 0)
            keyClick(Qt.Key_Return)
            tryCompare(harness.workspace, "currentName", "searched", 5000)
            tryVerify(() => chat.stack.currentView !== null && chat.stack.currentView.highlightedId === target, 10000)
            verify(!harness.workspace.current.atLatest)
            verify(harness.texts("searched").indexOf("the quarterly zebra report") >= 0)

            // Nothing to search for: said in the panel.
            chat.panel.start("searched")
            tryVerify(() => chat.panel.input.activeFocus)
            keyClick(Qt.Key_A, Qt.ControlModifier)
            type("?!")
            keyClick(Qt.Key_Return)
            const status = findChild(chat.panel, "searchStatus")
            tryVerify(() => status.visible && status.text === "Search for words: “?!” has no letters or digits", 5000)
            compare(chat.panel.list.count, 0)
            harness.workspace.current.returnToLatest()
        }
    }
}
