import QtQuick
import QtTest
import Rill.Views

// Revision 2 in the views: editing (Up, Enter, Esc), deleting with a confirmation, reaction
// chips that toggle, the message menu, and the topic edited in place in the header. Alice's
// workspace talks to a real server; what she does comes back as `update` and `topic` events.
Item {
    id: root
    width: 600
    height: 420

    TestCase {
        id: testCase
        name: "Conversation"
        when: windowShown

        Component {
            id: chatComponent
            Column {
                width: 600
                property alias header: header
                property alias view: view
                property alias composer: composer
                ChannelHeader {
                    id: header
                    width: 600
                    workspace: harness.workspace
                }
                MessageView {
                    id: view
                    width: 600
                    height: 260
                    workspace: harness.workspace
                    store: harness.workspace.current
                    settings: harness.settings
                    onEditRequested: (messageId) => composer.startEdit(messageId)
                }
                Composer {
                    id: composer
                    width: 600
                    workspace: harness.workspace
                }
            }
        }

        property int channelCount: 0

        // A fresh channel for each test, Alice in it and viewing it, with her own message.
        function openChat(text) {
            const name = "conv" + (++channelCount)
            harness.workspace.join(name)
            tryVerify(() => harness.workspace.currentName === name, 10000)
            const chat = createTemporaryObject(chatComponent, root)
            if (text !== undefined) {
                input(chat.composer)
                for (const c of text)
                    keyClick(c)
                keyClick(Qt.Key_Return)
                tryVerify(() => harness.pendingCount(name) === 0 && harness.texts(name).length === 1, 10000)
            }
            return chat
        }

        // Waits until the middle of `item` shows in the view's list, where a click reaches it:
        // positioners place their children a frame later, and a row that grew (chips) is
        // brought back into sight by the view a moment after (until then it hangs below).
        function inSight(item, view) {
            const list = findChild(view, "messageList")
            tryVerify(() => {
                const p = item.mapToItem(list, item.width / 2, item.height / 2)
                return item.width > 0 && p.x > 0 && p.x < list.width && p.y > 0 && p.y < list.height
            }, 5000, "in sight")
        }

        // An item a Repeater made in `parent` (findChild does not see those: they are not
        // the parent's QObject children).
        function repeated(parent, name) {
            for (let i = 0; i < parent.children.length; ++i) {
                if (parent.children[i].objectName === name)
                    return parent.children[i]
            }
            return null
        }

        function input(composer) {
            const field = findChild(composer, "composerInput")
            field.forceActiveFocus()
            return field
        }

        // The row showing the newest message, once the view has laid it out.
        function newestRow(view) {
            const list = findChild(view, "messageList")
            const find = () => {
                for (let i = 0; i < list.contentItem.children.length; ++i) {
                    const row = list.contentItem.children[i]
                    if (row.visible && row.index === 0 && row.messageId !== undefined && row.messageId !== "")
                        return row
                }
                return null
            }
            tryVerify(() => find() !== null, 5000, "the newest row is shown")
            const row = find()
            inSight(row, view)
            return row
        }

        function test_upEditsTheLastMessageEnterSaves() {
            const chat = openChat("helo")
            const field = input(chat.composer)
            keyClick(Qt.Key_Up)
            verify(chat.composer.editing, "Up in an empty composer edits")
            compare(field.text, "helo")
            verify(findChild(chat.composer, "editingHint").visible)
            keyClick(Qt.Key_End)
            keyClick(Qt.Key_Left)
            keyClick(Qt.Key_L)
            keyClick(Qt.Key_Return)
            verify(!chat.composer.editing)
            compare(field.text, "")
            tryVerify(() => harness.texts(harness.workspace.currentName)[0] === "hello", 10000)
            const row = newestRow(chat.view)
            tryVerify(() => row.isEdited)
            verify(findChild(row, "messageText").text.indexOf("(edited)") > 0)
            compare(harness.texts(harness.workspace.currentName).length, 1, "an edit is not a new message")
        }

        function test_escapeCancelsAndTheDraftComesBack() {
            const chat = openChat("first")
            const field = input(chat.composer)
            keyClick(Qt.Key_Up)
            verify(chat.composer.editing)
            keyClick(Qt.Key_X)
            keyClick(Qt.Key_Escape)
            verify(!chat.composer.editing)
            compare(field.text, "")
            compare(harness.texts(harness.workspace.currentName), ["first"])

            // With a draft, Up moves the cursor: it edits nothing.
            keyClick(Qt.Key_D)
            keyClick(Qt.Key_Up)
            verify(!chat.composer.editing)
            compare(field.text, "d")
            // From the menu, the draft is kept aside and comes back.
            chat.composer.startEdit(harness.workspace.current.lastEditableId())
            compare(field.text, "first")
            keyClick(Qt.Key_Escape)
            compare(field.text, "d")
        }

        function test_emptyEditIsRefusedAndSaid() {
            const chat = openChat("keep me")
            const field = input(chat.composer)
            keyClick(Qt.Key_Up)
            field.selectAll()
            keyClick(Qt.Key_Delete)
            keyClick(Qt.Key_Return)
            verify(chat.composer.editing, "still editing")
            verify(findChild(chat.composer, "composerProblem").visible)
            verify(chat.composer.problem !== "")
            keyClick(Qt.Key_Escape)
            compare(harness.texts(harness.workspace.currentName), ["keep me"])
        }

        function test_menuDeletesAfterConfirmation() {
            const chat = openChat("regret")
            const row = newestRow(chat.view)
            verify(row)
            mouseClick(row, row.width / 2, row.height / 2, Qt.RightButton)
            const menu = findChild(chat.view, "messageMenu")
            tryVerify(() => menu && menu.opened)
            const remove = findChild(menu, "deleteItem")
            verify(remove.enabled)
            remove.triggered()
            const confirm = findChild(chat.view, "deleteConfirmation")
            tryVerify(() => confirm && confirm.opened)
            compare(harness.texts(harness.workspace.currentName), ["regret"], "nothing gone before the answer")
            confirm.accept()
            tryVerify(() => row.isDeleted, 10000)
            const text = findChild(row, "messageText")
            compare(text.text, "message deleted")
            verify(text.font.italic)
            // Nothing to do to a deleted message.
            tryVerify(() => !confirm.visible)
            mouseClick(row, row.width / 2, row.height / 2, Qt.RightButton)
            tryVerify(() => menu.opened)
            verify(!findChild(menu, "editItem").enabled)
            verify(!findChild(menu, "deleteItem").enabled)
            menu.close()
        }

        function test_menuEditGoesToTheComposer() {
            const chat = openChat("from the menu")
            const row = newestRow(chat.view)
            mouseClick(row, row.width / 2, row.height / 2, Qt.RightButton)
            const menu = findChild(chat.view, "messageMenu")
            tryVerify(() => menu && menu.opened)
            findChild(menu, "editItem").triggered()
            verify(chat.composer.editing)
            compare(findChild(chat.composer, "composerInput").text, "from the menu")
            keyClick(Qt.Key_Escape)
        }

        function test_quickReactionAndChipToggle() {
            const chat = openChat("react to me")
            const row = newestRow(chat.view)
            mouseClick(row, row.width / 2, row.height / 2, Qt.RightButton)
            const menu = findChild(chat.view, "messageMenu")
            tryVerify(() => menu && menu.opened)
            // The quick reactions are the first entry's own row.
            const thumbs = repeated(menu.itemAt(0).contentItem, "quickReaction:👍")
            verify(thumbs)
            mouseClick(thumbs)
            tryVerify(() => !menu.visible) // its exit transition over: clicks reach the rows again
            tryVerify(() => row.reactions.length === 1, 10000)
            let chip = null
            tryVerify(() => (chip = findChild(row, "reaction:👍")) !== null)
            inSight(chip, chat.view)
            verify(chip.checked, "it is mine")
            compare(chip.text, "👍 1")
            mouseClick(chip)
            tryVerify(() => row.reactions.length === 0, 10000)
            tryVerify(() => findChild(row, "reaction:👍") === null)
        }

        function test_emojiPickerSearchesAndRemembers() {
            const chat = openChat("pick for me")
            const row = newestRow(chat.view)
            mouseClick(row, row.width / 2, row.height / 2, Qt.RightButton)
            const menu = findChild(chat.view, "messageMenu")
            tryVerify(() => menu && menu.opened)
            findChild(menu, "moreReactions").triggered()
            const picker = findChild(chat.view, "emojiPicker")
            tryVerify(() => picker && picker.opened)
            const search = findChild(picker, "emojiSearch")
            verify(search.activeFocus)
            for (const c of "party")
                keyClick(c)
            compare(picker.shown, ["🎉", "🥳"], "every word of the name is searched by its start")
            for (const c of " pop")
                keyClick(c)
            compare(picker.shown, ["🎉"])
            keyClick(Qt.Key_Return)
            tryVerify(() => !picker.visible)
            tryVerify(() => row.reactions.length === 1 && row.reactions[0].emoji === "🎉" && row.reactions[0].mine, 10000)
            compare(harness.settings.recentEmoji[0], "🎉")

            // Next time it is first among the recently used; nothing matches nonsense.
            mouseClick(row, row.width / 2, row.height / 2, Qt.RightButton)
            tryVerify(() => menu.opened)
            findChild(menu, "moreReactions").triggered()
            tryVerify(() => picker.opened)
            verify(findChild(picker, "recentEmoji").visible)
            verify(repeated(findChild(picker, "recentEmoji"), "recent:🎉"))
            keyClick(Qt.Key_Z)
            keyClick(Qt.Key_Q)
            compare(picker.shown.length, 0)
            verify(!findChild(picker, "recentEmoji").visible)
            picker.close()

            // The list keeps the newest sixteen, each once.
            for (let i = 0; i < 20; ++i)
                harness.settings.noteEmojiUsed(picker.all[i][0])
            harness.settings.noteEmojiUsed(picker.all[19][0])
            compare(harness.settings.recentEmoji.length, 16)
            compare(harness.settings.recentEmoji[0], picker.all[19][0])
            compare(harness.reopenSettings().recentEmoji.length, 16, "kept in the profile")
        }

        function test_topicEditedInPlace() {
            const chat = openChat()
            const label = findChild(chat.header, "topicLabel")
            const editor = findChild(chat.header, "topicEditor")
            compare(label.text, "Add a topic")
            mouseClick(label)
            verify(editor.visible && editor.activeFocus)
            for (const c of "Ship it")
                keyClick(c)
            keyClick(Qt.Key_Return)
            verify(!editor.visible)
            tryVerify(() => harness.workspace.current.topic === "Ship it", 10000)
            compare(label.text, "Ship it")

            mouseClick(label)
            keyClick(Qt.Key_X)
            keyClick(Qt.Key_Escape)
            verify(!editor.visible)
            compare(label.text, "Ship it", "Esc leaves it as it was")
        }
    }
}
