import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Rill.Ui

// Choose an emoji: recently used first, the rest searchable by name (every word typed must
// start a word of the name). Enter takes the first match.
Popup {
    id: root
    objectName: "emojiPicker"
    // Where "recently used" is kept; none: no such row.
    property AppSettings settings: null
    signal picked(string emoji)

    readonly property var all: [
        ["👍", "thumbs up yes ok"], ["👎", "thumbs down no"], ["❤️", "red heart love"], ["😂", "face with tears of joy laugh"],
        ["🎉", "party popper tada celebrate"], ["👀", "eyes look"], ["🙏", "folded hands please thanks"], ["🔥", "fire hot"],
        ["✅", "check mark done"], ["❌", "cross mark no"], ["👏", "clapping hands applause"], ["🙌", "raising hands hooray"],
        ["😀", "grinning face smile"], ["😄", "grinning face with smiling eyes happy"], ["😅", "grinning face with sweat"],
        ["😊", "smiling face with smiling eyes blush"], ["😉", "winking face wink"], ["😍", "smiling face with heart eyes"],
        ["🤔", "thinking face hmm"], ["😐", "neutral face"], ["😮", "face with open mouth wow surprised"],
        ["😢", "crying face sad"], ["😭", "loudly crying face sob"], ["😡", "pouting face angry"], ["🤯", "exploding head mind blown"],
        ["😴", "sleeping face tired"], ["🤷", "person shrugging shrug"], ["🤝", "handshake deal"], ["💯", "hundred points"],
        ["⭐", "star"], ["✨", "sparkles"], ["🚀", "rocket launch ship"], ["🐛", "bug"], ["💡", "light bulb idea"],
        ["⚠️", "warning"], ["❓", "question mark"], ["☕", "hot beverage coffee"], ["🍕", "pizza"], ["🎂", "birthday cake"],
        ["👋", "waving hand hello bye"], ["💪", "flexed biceps strong"], ["🤞", "crossed fingers luck"], ["👌", "ok hand"],
        ["😎", "smiling face with sunglasses cool"], ["🥳", "partying face"], ["😬", "grimacing face"], ["🙈", "see no evil monkey"],
        ["💔", "broken heart"], ["💚", "green heart"], ["💙", "blue heart"], ["🎯", "direct hit target"], ["📌", "pushpin pin"],
    ]

    function matches(name, query) {
        const words = name.split(" ")
        return query.toLowerCase().split(/\s+/).filter(w => w !== "")
            .every(q => words.some(w => w.startsWith(q)))
    }
    readonly property var shown: {
        const query = search.text.trim()
        return query === "" ? root.all.map(e => e[0]) : root.all.filter(e => root.matches(e[1], query)).map(e => e[0])
    }

    function choose(emoji) {
        if (root.settings)
            root.settings.noteEmojiUsed(emoji)
        root.picked(emoji)
        root.close()
    }

    width: 340
    padding: 8
    modal: true
    focus: true
    onOpened: { search.text = ""; search.forceActiveFocus() }

    contentItem: ColumnLayout {
        spacing: 6
        TextField {
            id: search
            objectName: "emojiSearch"
            Layout.fillWidth: true
            placeholderText: qsTr("Search emoji")
            onAccepted: if (root.shown.length > 0) root.choose(root.shown[0])
        }
        Label {
            visible: recentRow.visible
            text: qsTr("Recently used")
            font.pixelSize: 11
            opacity: 0.6
        }
        Flow {
            id: recentRow
            objectName: "recentEmoji"
            Layout.fillWidth: true
            visible: search.text.trim() === "" && root.settings !== null && root.settings.recentEmoji.length > 0
            Repeater {
                model: root.settings ? root.settings.recentEmoji : []
                delegate: ToolButton {
                    required property string modelData
                    objectName: "recent:" + modelData
                    text: modelData
                    font.pixelSize: 18
                    onClicked: root.choose(modelData)
                }
            }
        }
        Flow {
            objectName: "emojiGrid"
            Layout.fillWidth: true
            Repeater {
                model: root.shown
                delegate: ToolButton {
                    required property string modelData
                    objectName: "emoji:" + modelData
                    text: modelData
                    font.pixelSize: 18
                    onClicked: root.choose(modelData)
                }
            }
        }
        Label {
            visible: root.shown.length === 0
            text: qsTr("No emoji called “%1”").arg(search.text.trim())
            opacity: 0.6
        }
    }
}
