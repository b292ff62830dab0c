import QtQuick
import QtTest
import Rill.Views

// TestCase is invisible: the views under test live in this item.
Item {
    id: root
    width: 600
    height: 200

    TestCase {
        id: testCase
        name: "Composer"
        when: windowShown

        Component {
            id: composerComponent
            Composer {
                width: 600
                workspace: harness.workspace
            }
        }

        function init() {
            harness.workspace.currentName = "general"
        }

        function input(composer) {
            const field = findChild(composer, "composerInput")
            verify(field, "the composer has an input")
            field.forceActiveFocus()
            return field
        }

        function test_enterSends() {
            const composer = createTemporaryObject(composerComponent, root)
            const field = input(composer)
            const before = harness.texts("general").length
            for (const c of "hello")
                keyClick(c)
            compare(field.text, "hello")
            keyClick(Qt.Key_Return)
            compare(field.text, "", "the input is cleared at once")
            // Shown as pending at once (the server cannot have answered yet), then confirmed.
            compare(harness.pendingCount("general"), 1)
            tryVerify(() => harness.pendingCount("general") === 0, 5000)
            compare(harness.texts("general")[harness.texts("general").length - 1], "hello")
        }

        function test_shiftEnterIsANewLine() {
            const composer = createTemporaryObject(composerComponent, root)
            const field = input(composer)
            const before = harness.texts("general").length
            keyClick(Qt.Key_A)
            keyClick(Qt.Key_Return, Qt.ShiftModifier)
            keyClick(Qt.Key_B)
            compare(field.text, "a\nb")
            compare(harness.pendingCount("general"), 0, "nothing was sent")
            keyClick(Qt.Key_Enter) // the keypad's Enter sends too
            tryVerify(() => harness.texts("general").length === before + 1, 5000)
            compare(harness.texts("general")[before], "a\nb")
        }

        function test_emptyIsNotSent() {
            const composer = createTemporaryObject(composerComponent, root)
            const field = input(composer)
            const before = harness.texts("general").length
            keyClick(Qt.Key_Space)
            keyClick(Qt.Key_Return)
            compare(harness.pendingCount("general"), 0)
            compare(findChild(composer, "composerProblem").text, "Nothing to send")
            compare(harness.texts("general").length, before)
        }
    }
}
