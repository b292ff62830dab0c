import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Rill.Client

// Says so when the link is down, and when the next attempt is.
Rectangle {
    id: banner
    objectName: "connectionBanner"
    required property Session session

    readonly property bool down: session.status === Session.Reconnecting
                                 || session.status === Session.Connecting
                                 || session.status === Session.SigningIn
    property double now: Date.now()

    visible: down
    implicitHeight: visible ? row.implicitHeight + 12 : 0
    color: "#f4c04f"

    Timer {
        interval: 500
        repeat: true
        running: banner.visible
        onTriggered: banner.now = Date.now()
    }

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.leftMargin: 12
        anchors.rightMargin: 8
        Label {
            Layout.fillWidth: true
            color: "#2b2100"
            elide: Text.ElideRight
            text: {
                if (banner.session.status !== Session.Reconnecting)
                    return qsTr("Connecting…")
                const seconds = Math.max(0, Math.ceil((banner.session.nextAttempt.getTime() - banner.now) / 1000))
                return seconds > 0 ? qsTr("Connection lost. Reconnecting in %1 s…").arg(seconds)
                                   : qsTr("Connection lost. Reconnecting…")
            }
        }
        Button {
            text: qsTr("Retry now")
            visible: banner.session.status === Session.Reconnecting
            flat: true
            onClicked: banner.session.retryNow()
        }
        Button {
            // A server that is gone for good must not hold the window hostage.
            objectName: "bannerSignOutButton"
            text: qsTr("Sign out")
            visible: banner.session.status === Session.Reconnecting
            flat: true
            onClicked: banner.session.signOut()
        }
    }
}
