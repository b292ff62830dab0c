import QtQuick
import QtTest
import Rill.Views

// "@" in the composer offers the channel's members: Up/Down choose, Tab or Enter insert
// "@name " (Enter does not send then), Esc closes the list and leaves the text alone; an
// e-mail address offers nothing.
Item {
    id: root
    width: 600
    height: 400

    TestCase {
        id: testCase
        name: "Mentions"
        when: windowShown

        Component {
            id: composerComponent
            Composer {
                y: 300
                width: 600
                workspace: harness.workspace
            }
        }

        function type(text) {
            for (const c of text)
                keyClick(c)
        }

        function test_completionFromMembers() {
            verify(harness.postAsBob("mentions", "hello"))
            verify(harness.postAsBob("mentions", "hello"))
            harness.workspace.join("mentions")
            tryVerify(() => harness.workspace.currentName === "mentions", 10000)
            const composer = createTemporaryObject(composerComponent, root)
            const field = findChild(composer, "composerInput")
            const popup = findChild(composer, "mentionPopup")
            field.forceActiveFocus()

            type("ask @b")
            tryVerify(() => popup.visible, 10000, "bob is offered")
            const list = findChild(composer, "mentionList")
            compare(list.count, 1)
            keyClick(Qt.Key_Down) // one row: stays on it
            keyClick(Qt.Key_Tab)
            compare(field.text, "ask @bob ")
            verify(!popup.visible)

            type("or @")
            tryVerify(() => popup.visible)
            keyClick(Qt.Key_Escape)
            verify(!popup.visible)
            compare(field.text, "ask @bob or @", "Esc closes the list, the text stays")
            verify(composer.workspace.thread.isOpen === false)

            type("b")
            verify(!popup.visible, "closed until another mention starts")
            keyClick(Qt.Key_Space)
            type("x@b")
            verify(!popup.visible, "an address is no mention")

            keyClick(Qt.Key_Space)
            type("@B")
            tryVerify(() => popup.visible)
            keyClick(Qt.Key_Return)
            compare(field.text, "ask @bob or @b x@b @bob ", "Enter inserts, it does not send")
            compare(harness.pendingCount("mentions"), 0)
            keyClick(Qt.Key_Return)
            tryVerify(() => harness.texts("mentions").indexOf("ask @bob or @b x@b @bob") >= 0, 10000)
        }
    }
}
