import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Rill.Client
import Rill.Ui

// Server address (remembered), then sign in or create an account; or run a server here.
Page {
    id: page
    objectName: "connectPage"
    required property RillApp app

    readonly property bool busy: app.session.status === Session.Connecting || app.session.status === Session.SigningIn
    property string problem: ""

    function submit(create) {
        page.problem = ""
        if (userField.text.trim() === "" || passwordField.text === "") {
            page.problem = qsTr("Enter a user name and a password.")
            return
        }
        if (create)
            app.createAccount(serverField.text, userField.text, passwordField.text)
        else
            app.signIn(serverField.text, userField.text, passwordField.text)
    }

    Connections {
        target: page.app
        function onConnectProblem(text) { page.problem = text }
    }

    SystemPalette { id: sys }

    ColumnLayout {
        anchors.centerIn: parent
        width: Math.min(parent.width - 48, 400)
        spacing: 12

        Label {
            text: "Rill"
            font.pixelSize: 34
            font.weight: Font.DemiBold
            Layout.alignment: Qt.AlignHCenter
        }
        Label {
            text: qsTr("Chat with your team")
            opacity: 0.7
            Layout.alignment: Qt.AlignHCenter
            Layout.bottomMargin: 12
        }

        Label { text: qsTr("Server") }
        TextField {
            id: serverField
            objectName: "serverField"
            Layout.fillWidth: true
            text: page.app.settings.server
            placeholderText: "ws://chat.example.org:7117"
            selectByMouse: true
            enabled: !page.busy
        }
        Label { text: qsTr("User name") }
        TextField {
            id: userField
            objectName: "userField"
            Layout.fillWidth: true
            text: page.app.settings.lastUser
            selectByMouse: true
            enabled: !page.busy
            focus: text === ""
            onAccepted: passwordField.forceActiveFocus()
        }
        Label { text: qsTr("Password") }
        TextField {
            id: passwordField
            objectName: "passwordField"
            Layout.fillWidth: true
            echoMode: TextInput.Password
            enabled: !page.busy
            focus: userField.text !== ""
            onAccepted: page.submit(false)
        }

        Label {
            objectName: "connectError"
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            color: "#d1383d"
            text: page.problem !== "" ? page.problem : page.app.session.error
            visible: text !== "" && !page.busy
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.topMargin: 4
            spacing: 8
            Button {
                objectName: "signInButton"
                text: qsTr("Sign in")
                highlighted: true
                enabled: !page.busy
                Layout.fillWidth: true
                onClicked: page.submit(false)
            }
            Button {
                objectName: "createAccountButton"
                text: qsTr("Create account")
                enabled: !page.busy
                Layout.fillWidth: true
                onClicked: page.submit(true)
            }
        }
        BusyIndicator {
            running: page.busy
            visible: running
            Layout.alignment: Qt.AlignHCenter
        }

        Rectangle {
            Layout.fillWidth: true
            Layout.topMargin: 16
            height: 1
            color: sys.mid
        }

        Label {
            text: qsTr("No server yet? Run one on this computer; teammates on your network connect to it.")
            wrapMode: Text.Wrap
            opacity: 0.75
            Layout.fillWidth: true
        }
        Button {
            objectName: "startServerButton"
            text: page.app.bundledServer.status === BundledServer.Starting ? qsTr("Starting…") : qsTr("Start a server on this computer")
            visible: page.app.bundledServer.available && page.app.bundledServer.status !== BundledServer.Running
            enabled: page.app.bundledServer.status !== BundledServer.Starting
            onClicked: page.app.startBundledServer()
        }
        Label {
            objectName: "serverUnavailable"
            visible: !page.app.bundledServer.available
            text: page.app.bundledServer.unavailableReason
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        Label {
            visible: page.app.bundledServer.available && page.app.bundledServer.status === BundledServer.Failed
            text: qsTr("The server did not start: %1").arg(page.app.bundledServer.error)
            color: "#d1383d"
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        ColumnLayout {
            visible: page.app.bundledServer.status === BundledServer.Running
            spacing: 4
            Label {
                text: qsTr("Server running. Teammates can connect to:")
                font.weight: Font.DemiBold
            }
            Repeater {
                model: page.app.bundledServer.addresses
                TextEdit {
                    required property string modelData
                    objectName: "serverAddress"
                    text: modelData
                    readOnly: true
                    selectByMouse: true
                    color: sys.text
                    font.family: "monospace"
                }
            }
        }
    }

    Label {
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        anchors.margins: 8
        opacity: 0.5
        text: page.app.profileName === "default" ? "" : qsTr("Profile: %1").arg(page.app.profileName)
    }
}
