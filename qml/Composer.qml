import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Rill.Client
import Rill.Ui

// Enter sends, Shift+Enter starts a new line; typing tells the others (throttled in C++).
// "@" and the start of a name offers the channel's members: Up/Down choose, Tab or Enter
// inserts "@name ", Esc closes the list.
// Up in an empty input edits the user's last message in the channel (or startEdit(id) from a
// message's menu): Enter saves it, Esc cancels, and the draft comes back either way.
Pane {
    id: root
    objectName: "composer"
    property Workspace workspace
    property alias text: input.text
    property string problem: ""
    // Where drafts are kept (the profile's settings); none: a draft lives only while shown.
    property AppSettings drafts: null
    // The channel whose draft the input holds: each channel keeps its own, so Enter never
    // posts one channel's words in another.
    property string draftChannel: ""
    readonly property string currentChannel: root.workspace && root.workspace.current ? root.workspace.current.name : ""
    property bool loadingDraft: false
    // The message being edited, "" while writing a new one.
    property string editingId: ""
    property string stashedDraft: ""
    readonly property bool editing: root.editingId !== ""
    // The thread panel's composer: what it sends answers the open thread, and it edits nothing.
    property bool replying: false

    onCurrentChannelChanged: root.switchDraft()
    Component.onCompleted: root.switchDraft()
    Component.onDestruction: root.saveDraft()

    function saveDraft() {
        draftTimer.stop()
        if (root.editing)
            return // the input holds the message, not the draft
        if (root.drafts && root.draftChannel !== "")
            root.drafts.setDraft(root.draftChannel, input.text)
    }

    function switchDraft() {
        if (root.currentChannel === root.draftChannel)
            return
        root.cancelEdit()
        root.saveDraft()
        root.draftChannel = root.currentChannel
        root.loadingDraft = true // a draft coming back is no typing to announce
        input.text = root.drafts ? root.drafts.draft(root.draftChannel) : ""
        input.cursorPosition = input.length
        root.loadingDraft = false
        root.problem = ""
    }

    // Kept a moment after the last key, not at every key: each save writes the settings file.
    Timer {
        id: draftTimer
        interval: 400
        onTriggered: root.saveDraft()
    }
    // Offline the app shows what it kept, and nothing can be sent until the server is back.
    readonly property bool offline: !root.workspace || !root.workspace.session.online

    function startEdit(messageId) {
        const store = root.workspace ? root.workspace.current : null
        if (!store || messageId === "" || root.offline)
            return false
        if (!root.editing)
            root.stashedDraft = input.text
        root.loadingDraft = true
        root.editingId = messageId
        input.text = store.textOf(messageId)
        input.cursorPosition = input.length
        root.loadingDraft = false
        root.problem = ""
        input.forceActiveFocus()
        return true
    }

    function cancelEdit() {
        if (!root.editing)
            return
        root.loadingDraft = true
        root.editingId = ""
        input.text = root.stashedDraft
        input.cursorPosition = input.length
        root.stashedDraft = ""
        root.loadingDraft = false
        root.problem = ""
    }

    function send() {
        if (!root.workspace || root.offline)
            return
        if (root.editing) {
            const problem = root.workspace.editMessage(root.editingId, input.text)
            if (problem === "")
                root.cancelEdit()
            else
                root.problem = problem
            return
        }
        const refused = root.replying ? root.workspace.sendReply(input.text) : root.workspace.send(input.text)
        root.problem = refused
        if (refused === "") {
            input.clear()
            root.saveDraft()
        }
    }

    function focusInput() { input.forceActiveFocus() }

    MentionCompletion {
        id: completion
        store: root.workspace ? root.workspace.current : null
    }
    function completeMention(row) {
        const done = completion.complete(input.text, input.cursorPosition, row)
        input.text = done.text
        input.cursorPosition = done.cursor
    }

    padding: 10
    SystemPalette { id: sys }

    background: Rectangle { color: sys.window }

    ColumnLayout {
        anchors.fill: parent
        spacing: 4

        RowLayout {
            Layout.fillWidth: true
            spacing: 8
            ScrollView {
                Layout.fillWidth: true
                Layout.preferredHeight: Math.min(input.implicitHeight, 160)
                TextArea {
                    id: input
                    objectName: "composerInput"
                    wrapMode: TextEdit.Wrap
                    selectByMouse: true
                    focus: true
                    readOnly: root.offline
                    placeholderText: {
                        const current = root.workspace ? root.workspace.current : null
                        if (!current)
                            return ""
                        if (root.offline)
                            return qsTr("Offline: you can read, and send once connected")
                        if (root.replying)
                            return qsTr("Reply…")
                        return current.isDirect ? qsTr("Message %1").arg(current.title) : qsTr("Message #%1").arg(current.name)
                    }
                    // Esc belongs to the completion or the edit while there is one (not to
                    // "mark read" or "close the thread").
                    Keys.onShortcutOverride: (event) => { event.accepted = (root.editing || completion.active) && event.key === Qt.Key_Escape }
                    onCursorPositionChanged: completion.update(input.text, input.cursorPosition)
                    Keys.onPressed: (event) => {
                        if (completion.active) {
                            event.accepted = true
                            if (event.key === Qt.Key_Up)
                                completion.move(-1)
                            else if (event.key === Qt.Key_Down)
                                completion.move(1)
                            else if (event.key === Qt.Key_Tab || event.key === Qt.Key_Return || event.key === Qt.Key_Enter)
                                root.completeMention(completion.currentRow)
                            else if (event.key === Qt.Key_Escape)
                                completion.dismiss()
                            else
                                event.accepted = false
                            if (event.accepted)
                                return
                        }
                        if ((event.key === Qt.Key_Return || event.key === Qt.Key_Enter)
                                && !(event.modifiers & Qt.ShiftModifier)) {
                            root.send()
                            event.accepted = true
                        } else if (event.key === Qt.Key_Escape && root.editing) {
                            root.cancelEdit()
                            event.accepted = true
                        } else if (event.key === Qt.Key_Up && input.text === "" && !root.editing && !root.replying && root.workspace
                                   && root.workspace.current) {
                            event.accepted = root.startEdit(root.workspace.current.lastEditableId())
                        }
                    }
                    onTextChanged: {
                        completion.update(input.text, input.cursorPosition)
                        if (root.loadingDraft)
                            return
                        root.problem = ""
                        draftTimer.restart()
                        if (text.length > 0 && root.workspace && !root.editing)
                            root.workspace.typing()
                    }
                }
            }
            Popup {
                id: mentionPopup
                objectName: "mentionPopup"
                visible: completion.active && input.activeFocus
                y: -height - 4
                width: 220
                height: Math.min(mentionList.contentHeight, 8 * 28) + topPadding + bottomPadding
                padding: 4
                closePolicy: Popup.NoAutoClose // the composer's keys and text open and close it
                ListView {
                    id: mentionList
                    objectName: "mentionList"
                    anchors.fill: parent
                    model: completion
                    currentIndex: completion.currentRow
                    clip: true
                    delegate: ItemDelegate {
                        required property int index
                        required property string user
                        required property bool online
                        objectName: "mention:" + user
                        width: ListView.view.width
                        height: 28
                        highlighted: ListView.isCurrentItem
                        text: "@" + user
                        icon.color: "transparent"
                        onClicked: root.completeMention(index)
                        Rectangle {
                            anchors.right: parent.right
                            anchors.rightMargin: 10
                            anchors.verticalCenter: parent.verticalCenter
                            width: 8
                            height: 8
                            radius: 4
                            color: online ? "#2fa84f" : "transparent"
                            border.color: online ? "#2fa84f" : sys.mid
                        }
                    }
                }
            }
            Button {
                objectName: "sendButton"
                text: root.editing ? qsTr("Save") : qsTr("Send")
                enabled: input.text.trim().length > 0 && !root.offline
                onClicked: root.send()
            }
        }
        Label {
            objectName: "editingHint"
            visible: root.editing
            text: qsTr("Editing your message · Enter to save · Esc to cancel")
            font.pixelSize: 12
            opacity: 0.7
        }
        Label {
            objectName: "composerProblem"
            visible: root.problem !== ""
            text: root.problem
            color: "#e5484d"
            font.pixelSize: 12
        }
    }
}
