import QtQuick
import QtTest
import Rill.Views

// Issue 10, "the client renders hostile text safely", seen as a reader sees it: Bob posts, the
// real timeline shows it, the harness records every network request the QML engine makes and
// every URL the views ask the desktop to open.
Item {
    id: root
    width: 600
    height: 400

    TestCase {
        id: testCase
        name: "HostileText"
        when: windowShown

        // The fifteen variants of issue 10 (on main at 5aecdc3 nine of them made every
        // reader's app fetch the image) and more.
        readonly property var hostile: {
            const img = n => "![x](http://127.0.0.1:9/" + n + ".png)"
            return [
                img(1),
                "x\n\n    ```\n" + img(2),
                "x\n    ```\n" + img(3),
                "x\n\t```\n" + img(4),
                "x\n\u00A0```\n" + img(5),
                "~~~\n```\n~~~\n" + img(6),
                "````\n```\n````\n" + img(7),
                "```x```\n" + img(8),
                "```\r" + img(9) + "\n```",
                "a\r```\n" + img(10),
                "!" + img(11),
                "<img src=\"http://127.0.0.1:9/12.png\">",
                "<IMG SRC=http://127.0.0.1:9/13.png>",
                "<div>\n<img src=\"http://127.0.0.1:9/14.png\">\n</div>",
                "&lt;img src=\"http://127.0.0.1:9/15.png\"&gt;",
                "&#60;img src=http://127.0.0.1:9/16.png&#62;",
                "<http://127.0.0.1:9/17.png>",
                "![x][r]\n\n[r]: http://127.0.0.1:9/18.png",
                "![x](data:image/png;base64,iVBORw0KGgo=)",
                "[![x](http://127.0.0.1:9/19.png)](http://127.0.0.1:9/20)",
                "> - " + img(21),
                "<style>p{background:url(http://127.0.0.1:9/22.png)}</style>",
                "[x](<http://a/\"><img src=\"http://127.0.0.1:9/23.png\">>)",
            ]
        }

        Component {
            id: viewComponent
            MessageView {
                width: 600
                height: 20000 // every row on screen at once
                workspace: harness.workspace
                store: harness.workspace.current
            }
        }

        // StyledText fetches an <img>: a request from a Text made after the timeline's rows
        // shows that the recorder works and has caught up with them.
        Component {
            id: canaryComponent
            Text {
                textFormat: Text.StyledText
                text: "<img src=\"http://127.0.0.1:9/canary.png\" width=1 height=1>"
            }
        }

        function open(channel, texts) {
            for (const text of texts)
                verify(harness.postAsBob(channel, text), "posted " + JSON.stringify(text))
            harness.workspace.join(channel)
            tryVerify(() => harness.workspace.currentName === channel && harness.workspace.current.messages.count > texts.length, 10000)
            const view = createTemporaryObject(viewComponent, root)
            const list = findChild(view, "messageList")
            tryVerify(() => list.count === harness.workspace.current.messages.count)
            waitForRendering(view)
            return view
        }

        // The Text items of the rows the view shows, newest first.
        function messageTexts(view) {
            const list = findChild(view, "messageList")
            const rows = []
            for (let i = 0; i < list.contentItem.children.length; ++i) {
                const row = list.contentItem.children[i]
                if (!row.visible || row.index === undefined || row.isNotice)
                    continue
                rows.push(row)
            }
            rows.sort((a, b) => a.index - b.index)
            return rows.map(row => findChild(row, "messageText"))
        }

        function test_hostileMessagesLoadNothing() {
            const view = open("hostile", hostile)
            compare(messageTexts(view).length, hostile.length)
            createTemporaryObject(canaryComponent, root)
            tryVerify(() => harness.networkRequests().some(url => url.endsWith("canary.png")), 10000)
            compare(harness.networkRequests().filter(url => !url.endsWith("canary.png")), [],
                    "requests made by the timeline")
        }

        // Issue 10: long, nested and direction-spoofing messages keep their layout: every row
        // wraps inside the timeline, and an override shows instead of reordering the text.
        function test_longAndNestedMessagesKeepTheirLayout() {
            let nested = ""
            for (let i = 0; i < 50; ++i)
                nested += " ".repeat(2 * i) + "- level " + i + "\n"
            const texts = [
                "word ".repeat(799) + "end",                 // 4,000 code points
                "\u{1F600}".repeat(2000),                     // 2,000 emoji
                nested,                                       // 50 nested list levels
                "- ".repeat(1999) + "x",                      // 2,000 list markers on one line
                ">".repeat(3999) + "x",                       // 4,000 nested quotes
                "invoice\u202Efdp.exe and \u2067RLI\u2069",   // bidi override and isolate
            ]
            const view = open("long-text", texts)
            const items = messageTexts(view)
            compare(items.length, texts.length)
            for (const item of items) {
                verify(item.width > 0 && item.width <= 600 - 64 - 16 + 0.5, "width " + item.width)
                verify(item.contentWidth <= item.width + 1, "wraps within the row: " + item.contentWidth + " > " + item.width)
                verify(item.height > 0 && item.height < 12000, "height " + item.height)
                verify(item.text.length <= 32 * 4 * 4000 + 1024)
            }
            const spoof = items[0] // the newest
            verify(spoof.text.indexOf("[RLO]") >= 0 && spoof.text.indexOf("\u202E") < 0, spoof.text)
            verify(spoof.text.indexOf("[RLI]") >= 0 && spoof.text.indexOf("[PDI]") >= 0, spoof.text)
        }

        // Where a point on `item` lies on the link to `target` (StyledText reports hrefs).
        function linkPoint(item, target) {
            for (let y = 2; y < item.height; y += 4) {
                for (let x = 1; x < item.width; x += 3) {
                    if (item.linkAt(x, y) === target)
                        return Qt.point(x, y)
                }
            }
            return null
        }

        function test_linksOpenOnlyWhatTheySay() {
            const texts = [
                "see https://example.com/plain",
                "[docs](https://example.com/docs)",
                "[click](file:///etc/passwd)",
                "<a href=\"javascript:alert(1)\">x</a>",
            ]
            const view = open("links", texts)
            const items = messageTexts(view)
            compare(items.length, texts.length)
            const [javascript, file, docs, plain] = items // newest first

            // A link that says where it goes opens at once.
            let at = linkPoint(plain, "https://example.com/plain")
            verify(at, "the bare URL is a link")
            mouseClick(plain, at.x, at.y)
            compare(harness.openedUrls(), ["https://example.com/plain"])

            // One whose text says something else shows its target first.
            at = linkPoint(docs, "https://example.com/docs")
            verify(at, "the Markdown link is a link")
            mouseClick(docs, at.x, at.y)
            compare(harness.openedUrls().length, 1, "not opened before the reader agrees")
            const dialog = findChild(view, "linkConfirmation")
            verify(dialog)
            tryVerify(() => dialog.opened)
            compare(findChild(dialog.contentItem, "linkConfirmationTarget").text, "https://example.com/docs")
            dialog.accept()
            compare(harness.openedUrls(), ["https://example.com/plain", "https://example.com/docs"])
            tryVerify(() => !dialog.visible)

            // file: and javascript: are no links at all, and not opened even if asked to.
            compare(file.text, "click")
            compare(javascript.text.indexOf("<a"), -1)
            view.openLink("file:///etc/passwd", texts[2])
            view.openLink("javascript:alert(1)", texts[3])
            compare(harness.openedUrls().length, 2)
            verify(!dialog.visible)
        }

        // Issue 9: `_x_` is emphasis, drawn like the app's other text, not a link's underline.
        function test_underscoresAreEmphasis() {
            const view = open("emphasis", ["_quietly_ said"])
            const item = messageTexts(view)[0]
            compare(item.text, "<i>quietly</i> said")
            compare(item.linkAt(5, item.height / 2), "")
        }
    }
}
