import QtQuick
import QtTest
import Rill.Views

// TestCase is invisible: the views under test live in this item.
Item {
    id: root
    width: 260
    height: 400

    TestCase {
        id: testCase
        name: "ChannelList"
        when: windowShown

        Component {
            id: listComponent
            ChannelList {
                width: 260
                height: 400
                model: harness.workspace.channels
            }
        }

        function rowFor(list, name) {
            let row = null
            tryVerify(() => (row = findChild(list, "channel:" + name)) !== null, 5000)
            return row
        }

        function test_unreadBadge() {
            harness.workspace.windowActive = false // not looking: messages stay unread
            harness.workspace.markCurrentRead()
            const list = createTemporaryObject(listComponent, root)
            const row = rowFor(list, "general")
            const badge = findChild(row, "unreadBadge")
            const title = findChild(row, "channelTitle")
            verify(!badge.visible)
            verify(!title.font.bold)

            verify(harness.postAsBob("general", "one"))
            verify(harness.postAsBob("general", "two"))
            tryVerify(() => badge.visible, 5000)
            tryCompare(findChild(row, "unreadCount"), "text", "2")
            verify(title.font.bold, "an unread channel is bold")

            harness.workspace.markCurrentRead() // Esc
            tryVerify(() => !badge.visible)
            verify(!title.font.bold)
        }

        function test_clickActivates() {
            const list = createTemporaryObject(listComponent, root)
            const spy = createTemporaryQmlObject("import QtTest; SignalSpy { signalName: \"activated\" }", testCase)
            spy.target = list
            mouseClick(rowFor(list, "general"))
            compare(spy.count, 1)
            compare(spy.signalArguments[0][0], "general")
        }
    }
}
