import QtQuick
import QtTest
import Rill.Views

// TestCase is invisible: the views under test live in this item.
Item {
    id: root
    width: 480
    height: 360

    TestCase {
        id: testCase
        name: "MessageView"
        when: windowShown

        Component {
            id: viewComponent
            MessageView {
                width: 480
                height: 360
                workspace: harness.workspace
                store: harness.workspace.current
            }
        }

        function initTestCase() {
            verify(harness.prepareLongChannel("long", 180))
        }

        function test_scrollingUpFetchesOlderPages() {
            const view = createTemporaryObject(viewComponent, root)
            const list = findChild(view, "messageList")
            const store = harness.workspace.current
            compare(store.name, "long")
            const firstPage = list.count
            verify(firstPage > 0 && firstPage <= 51, "one page to start with: " + firstPage)
            verify(!store.atStart)
            verify(view.atLatest, "it opens at the newest message")

            // Scroll up with the wheel until the start of the channel.
            for (let i = 0; i < 60 && !store.atStart; ++i) {
                mouseWheel(list, list.width / 2, list.height / 2, 0, 1200)
                tryVerify(() => !list.moving && !store.loadingOlder, 15000)
            }
            verify(store.atStart, "scrolled back to the start")
            compare(list.count, 182) // 180 messages and two joins
            verify(!view.atLatest)

            const jump = findChild(view, "jumpToLatest")
            tryVerify(() => jump.visible)
            mouseClick(jump)
            tryVerify(() => view.atLatest)
        }
    }
}
