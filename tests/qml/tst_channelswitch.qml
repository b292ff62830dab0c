import QtQuick
import QtTest
import Rill.Views

// Issue 9, item 1: after scrolling far up a big channel, jumping to the latest and switching,
// the timeline showed the big channel's rows under the new channel's header.
Item {
    id: root
    width: 480
    height: 360

    TestCase {
        id: testCase
        name: "ChannelSwitch"
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
            verify(harness.postAsBob("quiet", "only this one"))
            harness.workspace.join("quiet")
            tryVerify(() => harness.workspace.channel("quiet") !== null, 5000)
            verify(harness.prepareLongChannel("huge", 1200))
        }

        // Every delegate the list shows belongs to the store on screen, and shows the row the
        // model has at its index.
        function verifyRowsBelongTo(list, store) {
            const model = store.messages
            let seen = 0
            for (let i = 0; i < list.contentItem.children.length; ++i) {
                const item = list.contentItem.children[i]
                if (!item.visible || item.messageId === undefined || item.index === undefined)
                    continue
                if (item.y + item.height < list.contentY || item.y > list.contentY + list.height)
                    continue
                ++seen
                verify(item.isPending || model.rowOf(item.messageId) === item.index,
                       "row " + item.index + " shows " + item.messageId + " which #" + store.name
                       + " has at row " + model.rowOf(item.messageId))
            }
            verify(seen > 0, "some rows are on screen")
        }

        function test_switchAfterScrollingFarUpShowsTheNewChannel() {
            const stack = createTemporaryObject(stackComponent, root)
            const huge = harness.workspace.current
            compare(huge.name, "huge")
            const view = stack.currentView
            const list = view.list

            // About a thousand messages up, with the wheel, as a person would.
            const topRow = () => list.indexAt(list.width / 2, list.contentY + 10)
            for (let i = 0; i < 400 && topRow() < 1000 && !huge.atStart; ++i) {
                mouseWheel(list, list.width / 2, list.height / 2, 0, 1200)
                tryVerify(() => !list.moving && !huge.loadingOlder, 5000)
            }
            verify(topRow() >= 1000, "scrolled about a thousand messages up: the top row is " + topRow())

            const jump = findChild(view, "jumpToLatest")
            tryVerify(() => jump.visible)
            mouseClick(jump)
            tryVerify(() => view.atLatest)
            wait(50)

            harness.workspace.currentName = "quiet"
            const quiet = harness.workspace.current
            compare(quiet.name, "quiet")
            compare(stack.currentView.store, quiet)
            const quietList = stack.currentView.list
            tryVerify(() => quietList.count > 0 && quietList.count === quiet.messages.count, 5000)
            wait(50)
            verifyRowsBelongTo(quietList, quiet)
            verify(!view.visible, "the other channel's view is hidden")

            // Back again: the kept view, still showing its own rows.
            harness.workspace.currentName = "huge"
            compare(stack.currentView, view)
            verify(view.visible)
            wait(50)
            verifyRowsBelongTo(list, huge)
        }

        function test_keepsOnlyRecentViews() {
            const stack = createTemporaryObject(stackComponent, root)
            stack.keep = 1
            harness.workspace.currentName = "quiet"
            const first = stack.currentView
            harness.workspace.currentName = "huge"
            verify(stack.currentView !== first)
            compare(stack.viewCount, 1)
        }
    }
}
