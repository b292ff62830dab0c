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
            harness.workspace.currentName = "general"
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

        // The section headings on screen, top to bottom, and the rows under each.
        function layout(list) {
            const items = []
            for (let i = 0; i < list.contentItem.children.length; ++i) {
                const entry = list.contentItem.children[i]
                if (!entry.visible || entry.name === undefined)
                    continue
                const heading = findChild(entry, "sectionHeading")
                if (heading && heading.visible)
                    items.push({ y: entry.y, heading: heading.text })
                items.push({ y: entry.y + 0.5, row: entry.name, direct: entry.isDirect })
            }
            items.sort((a, b) => a.y - b.y)
            return items
        }

        // Issue 9, item 5: direct messages that come during the session go under one
        // "Direct messages" heading, after the channels, whichever way they come.
        function test_directMessagesJoinTheirSection() {
            const list = createTemporaryObject(listComponent, root)
            rowFor(list, "general")
            for (const user of ["dora", "zed", "anna"]) {
                const dm = harness.directMessageFrom(user)
                verify(dm !== "", "a DM from " + user)
                rowFor(list, dm)
                harness.workspace.openDirect(user) // opened from the member list: already there
            }
            harness.workspace.join("aaa-first")
            rowFor(list, "aaa-first")
            wait(50)
            const seen = layout(list)
            const headings = seen.filter(i => i.heading !== undefined).map(i => i.heading)
            compare(headings, ["CHANNELS", "DIRECT MESSAGES"], JSON.stringify(seen))
            let section = ""
            for (const item of seen) {
                if (item.heading !== undefined)
                    section = item.heading
                else
                    compare(section, item.direct ? "DIRECT MESSAGES" : "CHANNELS", item.row + " is under " + section)
            }
            harness.workspace.currentName = "general"
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
