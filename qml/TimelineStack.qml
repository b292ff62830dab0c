import QtQuick
import Rill.Client
import Rill.Ui

// The timelines of the channels opened recently, one MessageView per channel, the current one
// shown. Each view keeps one store for its whole life (see MessageView), and going back to a
// recent channel shows its view as it was left, without laying its rows out again.
Item {
    id: root
    property Workspace workspace
    property AppSettings settings: null
    readonly property ChannelStore store: workspace ? workspace.current : null
    // How many channels keep their view when not shown.
    property int keep: 6
    // The view of the current channel, or null.
    readonly property MessageView currentView: d.shown
    readonly property int viewCount: d.views.length
    // From any view: the user wants to edit this message of the current channel.
    signal editRequested(string messageId)

    QtObject {
        id: d
        property MessageView shown: null
        property var views: []   // most recently shown first
    }

    Component {
        id: viewComponent
        MessageView {
            anchors.fill: parent
            workspace: root.workspace
            settings: root.settings
            onEditRequested: (messageId) => root.editRequested(messageId)
        }
    }

    function show(store) {
        // A store that went away (the channel was left) takes its view with it.
        let views = d.views.filter(v => v.store !== null)
        let view = store ? views.find(v => v.store === store) : undefined
        if (store && !view)
            view = viewComponent.createObject(root, { store: store })
        if (view)
            views = [view].concat(views.filter(v => v !== view))
        for (let i = 0; i < views.length; ++i)
            views[i].visible = views[i] === view
        for (const old of views.splice(root.keep))
            old.destroy()
        for (const gone of d.views.filter(v => v.store === null))
            gone.destroy()
        d.views = views
        d.shown = view ? view : null
    }

    onStoreChanged: show(store)
    Component.onCompleted: show(store)
}
