import QtQuick
import QtTest
import Rill.Views

// Opening a channel at a message far from its newest (a search result, a link): the view shows
// it in the middle, highlighted; live messages wait below; scrolling down reaches them, and the
// jump-to-latest button goes back to the newest from anywhere.
Item {
    id: root
    width: 700
    height: 500

    TestCase {
        id: testCase
        name: "Jump"
        when: windowShown

        Component {
            id: stackComponent
            TimelineStack {
                width: 480
                height: 360
                workspace: harness.workspace
            }
        }

        // The delegate showing the message `id`, when the list has one.
        function delegateWithId(list, id) {
            for (let i = 0; i < list.contentItem.children.length; ++i) {
                const item = list.contentItem.children[i]
                if (item.visible && item.messageId === id)
                    return item
            }
            return null
        }

        function inSight(list, item) {
            const p = item.mapToItem(list, item.width / 2, item.height / 2)
            return item.height > 0 && p.y > 0 && p.y < list.height
        }

        function newestText(list) {
            const item = list.itemAtIndex(0)
            return item ? item.text : ""
        }

        function test_openAMessageFarBackThenComeBack() {
            verify(harness.prepareLongChannel("archive", 200))
            const stack = createTemporaryObject(stackComponent, root)
            const view = stack.currentView
            const store = harness.workspace.current
            tryVerify(() => view.list.count > 0 && view.atLatest, 5000)
            verify(store.atLatest)

            const target = harness.idOf("archive", "line 20")
            verify(target !== "")
            harness.workspace.openMessage("archive", target)
            tryVerify(() => view.highlightedId === target, 10000, "the message is highlighted")
            verify(!store.atLatest)
            compare(store.focusId, "", "the view took the focus")
            let row = null
            tryVerify(() => (row = delegateWithId(view.list, target)) !== null && inSight(view.list, row), 5000, "in sight")
            verify(row.highlighted)
            compare(row.text, "line 20")
            const jump = findChild(view, "jumpToLatest")
            tryVerify(() => jump !== null && jump.visible, 5000, "the way back is offered")

            // Bob goes on meanwhile: counted, not shown in the stretch.
            const unread = store.unread
            verify(harness.postAsBob("archive", "while you read the past"))
            tryCompare(store, "unread", unread + 1, 5000)
            verify(harness.texts("archive").indexOf("while you read the past") < 0)

            // Back with the button: the newest messages, the one that came meanwhile below.
            mouseClick(jump)
            tryVerify(() => store.atLatest, 10000)
            tryVerify(() => view.atLatest && newestText(view.list) === "while you read the past", 5000)
            tryVerify(() => !jump.visible, 5000)
            verify(harness.texts("archive").indexOf("line 20") < 0, "only the newest page is held")

            // Away again; resting at the bottom brings newer pages until the newest.
            harness.workspace.openMessage("archive", target)
            tryVerify(() => !store.atLatest, 10000)
            tryVerify(() => view.highlightedId === target, 5000)
            tryVerify(() => {
                view.list.positionViewAtBeginning()
                return store.atLatest
            }, 30000, "scrolled down to the newest")
            const texts = harness.texts("archive")
            compare(texts.filter(t => t === "while you read the past").length, 1)
            compare(texts.filter(t => t === "line 21").length, 1)
            compare(texts.length, 201)
        }
    }
}
