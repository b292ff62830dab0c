import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Rill.Ui

// The running bundled server, as teammates need it: whether it is shared on the network, the
// addresses to give them, and the fingerprint their app will ask them to compare.
ColumnLayout {
    id: sharing
    required property RillApp app
    readonly property BundledServer server: app.bundledServer

    spacing: 4

    Label {
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        font.weight: Font.DemiBold
        text: sharing.server.shared ? qsTr("Server running. Teammates connect to one of these addresses:")
                                    : qsTr("Server running for this computer only.")
    }
    Repeater {
        model: sharing.server.addresses
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
    Label {
        visible: sharing.server.shared
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        opacity: 0.75
        text: qsTr("Their app will ask whether to trust this server. Tell them the fingerprint it must show:")
    }
    TextEdit {
        objectName: "serverFingerprint"
        visible: sharing.server.shared
        Layout.fillWidth: true
        text: sharing.server.fingerprint
        readOnly: true
        selectByMouse: true
        wrapMode: TextEdit.WrapAnywhere
        color: sys.text
        font.family: "monospace"
    }
    CheckBox {
        objectName: "shareServerCheck"
        text: qsTr("Share on the network (encrypted)")
        checked: sharing.server.shared
        enabled: sharing.server.status === BundledServer.Running
        onToggled: sharing.app.shareBundledServer(checked)
    }
    SystemPalette { id: sys }
}
