import QtQuick
import QtTest
import Rill.Views

// The thread panel: opened from the message menu and from "N replies", answered from its own
// composer (the reply shows in the panel, the root's count goes up, and the timeline's copy of
// the reply says which thread it is in), live replies from others, closed with its button.
Item {
    id: root
    width: 900
    height: 420

    TestCase {
        id: testCase
        name: "Thread"
        when: windowShown

        Component {
            id: chatComponent
            Row {
                property alias view: view
                property alias panel: panel
                MessageView {
                    id: view
                    width: 540
                    height: 400
                    workspace: harness.workspace
                    store: harness.workspace.current
                    settings: harness.settings
                }
                ThreadPanel {
                    id: panel
                    width: 360
                    height: 400
                    workspace: harness.workspace
                    visible: harness.workspace.thread.isOpen
                }
            }
        }

        property int channelCount: 0

        // A fresh channel with Bob's root message, Alice viewing it.
        function openChat(rootText) {
            const name = "thread" + (++channelCount)
            verify(harness.postAsBob(name, rootText))
            harness.workspace.join(name)
            tryVerify(() => harness.workspace.currentName === name, 10000)
            tryVerify(() => harness.texts(name).indexOf(rootText) >= 0, 10000)
            return createTemporaryObject(chatComponent, root)
        }

        // The row of `list` showing the model row `index` once laid out and in sight.
        function rowAt(list, index) {
            const find = () => {
                for (let i = 0; i < list.contentItem.children.length; ++i) {
                    const row = list.contentItem.children[i]
                    if (row.visible && row.index === index && row.messageId !== undefined)
                        return row
                }
                return null
            }
            tryVerify(() => find() !== null, 5000, "row " + index + " is shown")
            const row = find()
            tryVerify(() => {
                const p = row.mapToItem(list, row.width / 2, row.height / 2)
                return row.width > 0 && p.y > 0 && p.y < list.height
            }, 5000, "in sight")
            return row
        }

        // The row of the message whose text is `text` (by model row), once shown.
        function rowWithText(list, text) {
            let found = -1
            tryVerify(() => {
                for (let i = 0; i < list.count; ++i) {
                    const item = list.itemAtIndex(i)
                    if (item && item.text === text) {
                        found = i
                        return true
                    }
                }
                return false
            }, 10000, "a row says " + text)
            return rowAt(list, found)
        }

        function test_replyFromTheMenuShowsInThePanelAndCounts() {
            const chat = openChat("Which color for the logo?")
            const timeline = findChild(chat.view, "messageList")
            const rootRow = rowWithText(timeline, "Which color for the logo?")
            mouseClick(rootRow, rootRow.width / 2, rootRow.height / 2, Qt.RightButton)
            const menu = findChild(chat.view, "messageMenu")
            tryVerify(() => menu && menu.opened)
            findChild(menu, "replyInThreadItem").triggered()
            tryVerify(() => !menu.visible)
            verify(harness.workspace.thread.isOpen)
            tryVerify(() => chat.panel.visible)
            const panelList = findChild(chat.panel, "threadList")
            tryVerify(() => panelList.count === 1, 10000, "the root")
            compare(rowAt(panelList, 0).text, "Which color for the logo?")

            const field = findChild(findChild(chat.panel, "threadComposer"), "composerInput")
            field.forceActiveFocus()
            for (const c of "Blue")
                keyClick(c)
            keyClick(Qt.Key_Return)
            compare(field.text, "")
            tryVerify(() => panelList.count === 2, 10000, "the reply in the panel")
            compare(rowAt(panelList, 0).text, "Blue")
            tryVerify(() => rootRow.replies === 1, 10000, "the root counts it")
            const count = findChild(rootRow, "replyCount")
            tryVerify(() => count !== null && count.text === "1 reply")
            // The reply stays in the timeline, saying which thread it is in.
            const replyRow = rowWithText(timeline, "Blue")
            const link = findChild(replyRow, "threadLink")
            verify(link)
            compare(link.text, "in thread: Which color for the logo?")
            verify(findChild(rowAt(panelList, 0), "threadLink") === null, "the panel is that thread")

            mouseClick(findChild(chat.panel, "closeThreadButton"))
            verify(!harness.workspace.thread.isOpen)
            tryVerify(() => !chat.panel.visible)

            // The "in thread" line opens it again; so does the count, and live replies come in.
            mouseClick(link)
            verify(harness.workspace.thread.isOpen)
            tryVerify(() => panelList.count === 2, 10000)
            harness.workspace.closeThread()
            tryVerify(() => findChild(rootRow, "replyCount") !== null)
            mouseClick(findChild(rootRow, "replyCount"))
            verify(harness.workspace.thread.isOpen)
            compare(harness.workspace.thread.rootId, rootRow.messageId)
            verify(harness.postAsBob(harness.workspace.currentName, "Green", rootRow.messageId))
            tryVerify(() => panelList.count === 3, 10000, "Bob's reply, live")
            tryVerify(() => rootRow.replies === 2, 10000)
            compare(rowAt(panelList, 0).text, "Green")
            harness.workspace.closeThread()
        }
    }
}
