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

        // The delegate among the newest rows that shows `text`, or null.
        function rowWithText(list, text) {
            for (let i = 0; i < 5; ++i) {
                const item = list.itemAtIndex(i)
                if (item && item.text === text)
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

        // "Copy link" in a message's menu, and a click on such a link in a message.
        function test_copyLinkAndFollowIt() {
            verify(harness.prepareLongChannel("linked", 120))
            const stack = createTemporaryObject(stackComponent, root)
            const view = stack.currentView
            tryVerify(() => view.list.count > 0 && view.atLatest, 5000)
            let row = null
            tryVerify(() => (row = rowWithText(view.list, "line 120")) !== null && inSight(view.list, row), 5000)
            mouseClick(row, row.width / 2, row.height / 2, Qt.RightButton)
            const menu = findChild(view, "messageMenu")
            tryVerify(() => menu && menu.opened)
            findChild(menu, "copyLinkItem").triggered()
            menu.close()
            const pasted = createTemporaryQmlObject("import QtQuick; TextEdit { }", root)
            pasted.paste()
            compare(pasted.text, harness.workspace.messageLink(row.messageId))
            verify(pasted.text.startsWith("rill://"))
            verify(pasted.text.endsWith("/linked/" + row.messageId))

            // Bob sends a link to an old message; clicking it opens the channel there.
            const target = harness.idOf("linked", "line 3")
            const link = harness.workspace.messageLink(target)
            verify(harness.postAsBob("linked", "see " + link + " for the plan"))
            let linkRow = null
            tryVerify(() => (linkRow = rowWithText(view.list, "see " + link + " for the plan")) !== null, 5000)
            const text = findChild(linkRow, "messageText")
            verify(text.text.indexOf("<a href=\"" + link + "\">") >= 0, text.text)
            text.linkActivated(link)
            tryVerify(() => view.highlightedId === target, 10000, "the linked message is shown")
            verify(!harness.workspace.current.atLatest)
            verify(harness.openedUrls().indexOf(link) < 0, "not handed to the desktop")
            harness.workspace.current.returnToLatest()
        }
    }
}
