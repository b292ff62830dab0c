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

        Component {
            id: draftingComposer
            Composer {
                width: 600
                workspace: harness.workspace
            }
        }

        // Issue 9, item 6: the draft followed the person to the next channel, where Enter posted
        // it. Each channel keeps its own, also across a restart.
        function test_draftsBelongToTheirChannel() {
            harness.workspace.join("drafts")
            tryVerify(() => harness.workspace.channel("drafts") !== null, 5000)
            harness.workspace.currentName = "general"
            const composer = createTemporaryObject(draftingComposer, root, { drafts: harness.settings })
            const field = input(composer)
            for (const c of "half a thought")
                keyClick(c)

            harness.workspace.currentName = "drafts"
            compare(field.text, "", "the next channel starts empty")
            const before = harness.texts("drafts").length
            keyClick(Qt.Key_Return)
            compare(harness.pendingCount("drafts"), 0, "nothing was posted in the wrong channel")
            keyClick(Qt.Key_X)

            harness.workspace.currentName = "general"
            compare(field.text, "half a thought", "back where it was written")
            compare(composer.problem, "")

            // The next start: a new composer on the settings file read afresh.
            composer.destroy()
            const settings = harness.reopenSettings()
            compare(settings.draft("general"), "half a thought")
            compare(settings.draft("drafts"), "x")
            const next = createTemporaryObject(draftingComposer, root, { drafts: settings })
            compare(findChild(next, "composerInput").text, "half a thought")

            // Sent, it is no draft any more.
            input(next)
            keyClick(Qt.Key_Return)
            tryVerify(() => harness.pendingCount("general") === 0, 5000)
            compare(settings.draft("general"), "")
            compare(harness.texts("drafts").length, before)
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
