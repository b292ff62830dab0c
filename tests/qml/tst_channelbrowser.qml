import QtQuick
import QtTest
import Rill.Views

// Issue 9, item 4: the browser offered "Create #design team" (no channel name), closed and
// showed the server's refusal only as a tooltip elsewhere, and Enter joined the first partial
// match instead of what was typed.
Item {
    id: root
    width: 600
    height: 600

    TestCase {
        name: "ChannelBrowser"
        when: windowShown

        Component {
            id: browserComponent
            ChannelBrowser {
                workspace: harness.workspace
            }
        }

        // The other view tests expect #general on screen.
        function cleanup() {
            harness.workspace.currentName = "general"
        }

        function openBrowser() {
            const browser = createTemporaryObject(browserComponent, root)
            browser.open()
            tryCompare(browser, "opened", true)
            return browser
        }

        function part(browser, name) {
            const item = findChild(browser.contentItem, name)
            verify(item !== null, name)
            return item
        }

        function test_aNameThatIsNoChannelIsNeverOffered() {
            const browser = openBrowser()
            const filter = part(browser, "browserFilter")
            filter.text = "design team"
            verify(!part(browser, "createChannelButton").visible)
            verify(part(browser, "browserProblem").visible)
            filter.accepted()
            verify(browser.opened, "stays open to say why")
            verify(part(browser, "browserProblem").text.indexOf("not a channel name") >= 0)
            compare(harness.workspace.channel("design team"), null)
        }

        function test_enterMakesWhatWasTypedNotAPartialMatch() {
            const browser = openBrowser()
            tryVerify(() => findChild(browser.contentItem, "directory:general") !== null, 10000)
            const filter = part(browser, "browserFilter")
            filter.text = "gen"
            tryVerify(() => findChild(browser.contentItem, "directory:general") !== null, 5000) // the partial match is listed
            verify(part(browser, "createChannelButton").visible)
            compare(part(browser, "createChannelButton").text, "Create #gen")
            filter.accepted()
            tryCompare(harness.workspace, "currentName", "gen", 10000)
            tryCompare(browser, "opened", false)
        }

        function test_anExistingChannelIsJoinedNotCreatedAgain() {
            const browser = openBrowser()
            const filter = part(browser, "browserFilter")
            filter.text = "#General"
            tryVerify(() => !part(browser, "createChannelButton").visible, 10000) // "general" is listed
            harness.workspace.join("elsewhere") // looking at another channel
            tryCompare(harness.workspace, "currentName", "elsewhere", 10000)
            filter.accepted()
            tryCompare(harness.workspace, "currentName", "general", 10000)
            tryCompare(browser, "opened", false)
        }
    }
}
