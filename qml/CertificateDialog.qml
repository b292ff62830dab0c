import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Rill.Ui

// The server's certificate is not one the system trusts (self-signed, as a team's own server's
// usually is, or someone in between). The person compares the fingerprint with the one the
// server's admin gave them, out of band, and trusts that one certificate, or does not.
Dialog {
    id: dialog
    objectName: "certificateDialog"
    required property RillApp app

    modal: true
    closePolicy: Popup.NoAutoClose
    anchors.centerIn: parent
    width: Math.min(parent.width - 48, 520)
    title: qsTr("Is this your team's server?")
    visible: app.untrustedCertificate !== ""

    ColumnLayout {
        anchors.fill: parent
        spacing: 12

        Label {
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            text: qsTr("%1 presented a certificate this computer does not trust (%2). Compare its fingerprint with the one your server's administrator gave you. Trust it only if they are the same: otherwise someone may be reading along.")
                  .arg(dialog.app.session.server.toString()).arg(dialog.app.untrustedReason)
        }
        Label {
            objectName: "certificateFingerprint"
            Layout.fillWidth: true
            wrapMode: Text.WrapAnywhere
            font.family: "monospace"
            textFormat: Text.PlainText
            text: dialog.app.untrustedCertificate
        }
    }

    footer: DialogButtonBox {
        Button {
            objectName: "trustCertificateButton"
            text: qsTr("Trust this certificate")
            DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
        }
        Button {
            objectName: "rejectCertificateButton"
            text: qsTr("Cancel")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
    }
    onAccepted: app.trustCertificate()
    onRejected: app.rejectCertificate()
}
