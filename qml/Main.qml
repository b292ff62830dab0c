import QtQuick
import QtQuick.Controls
import Rill.Ui

// The window: the connect screen until signed in, then the chat.
ApplicationWindow {
    id: window
    objectName: "mainWindow"
    required property RillApp app

    width: 1120
    height: 740
    minimumWidth: 640
    minimumHeight: 420
    visible: true
    title: {
        const current = app.workspace.current
        if (!app.signedIn || !current)
            return "Rill"
        return (current.isDirect ? current.title : "#" + current.name) + " – Rill"
    }

    // Controls take the application palette (set by the C++ Theme) through SystemPalette.
    SystemPalette { id: sys }
    palette.window: sys.window
    palette.windowText: sys.windowText
    palette.base: sys.base
    palette.alternateBase: sys.alternateBase
    palette.text: sys.text
    palette.button: sys.button
    palette.buttonText: sys.buttonText
    palette.highlight: sys.highlight
    palette.highlightedText: sys.highlightedText
    palette.placeholderText: sys.placeholderText
    palette.light: sys.light
    palette.midlight: sys.midlight
    palette.mid: sys.mid
    palette.dark: sys.dark
    palette.shadow: sys.shadow
    palette.toolTipBase: sys.windowText
    palette.toolTipText: sys.window

    Loader {
        anchors.fill: parent
        sourceComponent: window.app.signedIn ? chatPage : connectPage
    }

    CertificateDialog { app: window.app }

    Component {
        id: connectPage
        ConnectPage { app: window.app }
    }

    Component {
        id: chatPage
        ChatPage { app: window.app }
    }
}
