import QtQuick
import QtTest
import Rill.Views

// What a kept timeline shows when it is shown again, and after a send (issue 9, items 2, 8
// and 9). Each view lives in a TimelineStack as in the app.
Item {
    id: root
    width: 700
    height: 660

    TestCase {
        id: testCase
        name: "Timeline"
        when: windowShown

        Component {
            id: stackComponent
            TimelineStack {
                width: 480
                height: 360
                workspace: harness.workspace
            }
        }

        function initTestCase() {
            verify(harness.postAsBob("elsewhere", "somewhere else"))
            harness.workspace.join("elsewhere")
            tryVerify(() => harness.workspace.channel("elsewhere") !== null, 5000)
        }

        // The delegate of a model row, when the list has one for it.
        function delegateOf(list, row) {
            for (let i = 0; i < list.contentItem.children.length; ++i) {
                const item = list.contentItem.children[i]
                if (item.visible && item.messageId !== undefined && item.index === row)
                    return item
            }
            return null
        }

        // Whether the newest row is on screen, its bottom edge included.
        function newestShown(list) {
            const item = delegateOf(list, 0)
            return item !== null && item.height > 0 && item.y + item.height <= list.contentY + list.height + 1
                    && item.y + item.height > list.contentY
        }

        // The message in the middle of the view.
        function middleRowId(list) {
            const row = list.indexAt(list.width / 2, list.contentY + list.height / 2)
            const item = delegateOf(list, row)
            return item ? item.messageId : ""
        }

        function open(name) {
            harness.workspace.currentName = name
            compare(harness.workspace.currentName, name)
        }

        // Item 2: a hidden view gets rows while hidden; shown again it shows the newest.
        function test_returningToAViewAtTheLatestShowsTheNewest() {
            verify(harness.prepareLongChannel("busy", 60))
            const stack = createTemporaryObject(stackComponent, root)
            const busy = harness.workspace.current
            const view = stack.currentView
            tryVerify(() => view.list.count > 0 && newestShown(view.list), 5000)

            open("elsewhere")
            verify(!view.visible)
            for (let i = 1; i <= 120; ++i)
                verify(harness.postAsBob("busy", "while you were away " + i))
            tryVerify(() => harness.texts("busy").slice(-1)[0] === "while you were away 120", 5000)

            stack.height = 300 // the composer grew meanwhile
            open("busy")
            compare(stack.currentView, view)
            tryVerify(() => newestShown(view.list), 3000, "the newest message is on screen")
            verify(view.atLatest)
        }

        // A view at the latest stays there when it gets smaller (the composer grows) or larger.
        function test_resizedViewStaysAtTheLatest() {
            verify(harness.prepareLongChannel("resized", 60))
            const stack = createTemporaryObject(stackComponent, root)
            const view = stack.currentView
            tryVerify(() => view.list.count > 0 && newestShown(view.list), 5000)
            stack.height = 250
            tryVerify(() => newestShown(view.list), 3000, "smaller")
            stack.height = 360
            tryVerify(() => newestShown(view.list), 3000, "larger")
            verify(view.atLatest)
        }

        // Item 2: a view the user scrolled up stays where it was.
        function test_returningToAScrolledUpViewKeepsItsPlace() {
            verify(harness.prepareLongChannel("history", 120))
            const stack = createTemporaryObject(stackComponent, root)
            const store = harness.workspace.current
            const view = stack.currentView
            const list = view.list
            tryVerify(() => list.count > 0 && newestShown(list), 5000)
            for (let i = 0; i < 3; ++i) {
                mouseWheel(list, list.width / 2, list.height / 2, 0, 360)
                tryVerify(() => !list.moving && !store.loadingOlder, 5000)
            }
            verify(!view.atLatest)
            const middle = middleRowId(list)
            verify(middle !== "")

            open("elsewhere")
            for (let i = 1; i <= 5; ++i)
                verify(harness.postAsBob("history", "meanwhile " + i))
            tryVerify(() => store.unread >= 5, 5000)
            open("history")
            wait(50) // a few frames: nothing may move it
            compare(middleRowId(list), middle, "the same message in the middle")
            verify(!view.atLatest)
        }

        // Item 9: sending shows what was sent, also from a view scrolled up.
        function test_sendingScrollsToTheSentMessage() {
            verify(harness.prepareLongChannel("chatty", 80))
            const stack = createTemporaryObject(stackComponent, root)
            const view = stack.currentView
            const list = view.list
            tryVerify(() => list.count > 0 && newestShown(list), 5000)
            for (let i = 0; i < 3; ++i) {
                mouseWheel(list, list.width / 2, list.height / 2, 0, 360)
                tryVerify(() => !list.moving && !harness.workspace.current.loadingOlder, 5000)
            }
            verify(!view.atLatest)
            compare(harness.workspace.send("my own words"), "")
            tryVerify(() => newestShown(list), 3000, "the sent message is on screen")
            compare(delegateOf(list, 0).isPending || delegateOf(list, 0).isOwn, true)
        }

        // Item 8: a very long newest message. After a restart the first page of the channel
        // comes into a view that is already there, the message is its row 0, and the view
        // shows it; again after another channel, in a kept view and in a view made anew.
        function test_longNewestMessageShows_data() {
            return [
                { tag: "4000 code points of words", channel: "longwords", text: "lorem ipsum ".repeat(333) + "end" },
                { tag: "4000 code points in one word", channel: "longword", text: "x".repeat(4000) },
                { tag: "2000 emoji", channel: "emoji", text: "😀".repeat(2000) },
            ]
        }
        function test_longNewestMessageShows(data) {
            harness.workspace.join(data.channel)
            tryVerify(() => harness.workspace.currentName === data.channel, 5000)
            for (let i = 1; i <= 5; ++i)
                verify(harness.postAsBob(data.channel, "short " + i))
            verify(harness.postAsBob(data.channel, data.text))

            const restarted = harness.restartedWorkspace()
            verify(restarted)
            const stack = createTemporaryObject(stackComponent, root, { width: 676, height: 639, workspace: restarted })
            const store = restarted.channel(data.channel)
            compare(store.messages.count, 0, "not loaded yet")
            restarted.currentName = data.channel
            let view = stack.currentView
            compare(view.store, store)
            tryVerify(() => store.messages.count >= 7 && !store.loadingOlder, 5000)
            tryVerify(() => newestShown(view.list), 3000, "the first opening shows it")

            restarted.currentName = "elsewhere"
            restarted.currentName = data.channel
            compare(stack.currentView, view)
            tryVerify(() => newestShown(view.list), 3000, "a kept view shows it again")

            stack.keep = 1
            restarted.currentName = "elsewhere"
            restarted.currentName = data.channel
            verify(stack.currentView !== view, "a view made anew")
            view = stack.currentView
            tryVerify(() => newestShown(view.list), 3000, "a new view of a loaded channel shows it")
        }
    }
}
