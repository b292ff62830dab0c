#pragma once

#include <QAbstractListModel>
#include <QPointer>
#include <QtQmlIntegration>

namespace rill::client {

class ChannelStore;

// What "@" and a prefix typed in the composer may complete to: the channel's members whose
// names start with the prefix (letter case aside), in the member list's order (online first),
// the user left out. A "@" counts by the mention rule (protocol::mentionStartAt), so an
// e-mail address opens nothing. The composer tells it the text and cursor as they change.
class MentionCompletion : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_MOC_INCLUDE("stores/ChannelStore.h")
    Q_PROPERTY(rill::client::ChannelStore *store READ store WRITE setStore NOTIFY storeChanged)
    // Whether there is something to offer: a mention being typed, members that fit, not dismissed.
    Q_PROPERTY(bool active READ isActive NOTIFY activeChanged)
    Q_PROPERTY(int currentRow READ currentRow WRITE setCurrentRow NOTIFY currentRowChanged)

public:
    enum Role { UserRole = Qt::UserRole + 1, OnlineRole };
    Q_ENUM(Role)
    static constexpr int kMaxRows = 8;

    explicit MentionCompletion(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    [[nodiscard]] ChannelStore *store() const { return m_store; }
    void setStore(ChannelStore *store);
    [[nodiscard]] bool isActive() const { return m_start >= 0 && !m_users.isEmpty(); }
    [[nodiscard]] int currentRow() const { return m_current; }
    void setCurrentRow(int row);

    // The composer's text or cursor changed.
    Q_INVOKABLE void update(const QString &text, int cursor);
    // Up/Down: the previous or next row, wrapping around.
    Q_INVOKABLE void move(int delta);
    // Esc: nothing offered until another mention is started.
    Q_INVOKABLE void dismiss();
    // The text with the mention at the cursor replaced by "@<row's user> ", and where the
    // cursor goes: {text, cursor}. The text as it was when nothing is offered.
    Q_INVOKABLE QVariantMap complete(const QString &text, int cursor, int row) const;

Q_SIGNALS:
    void storeChanged();
    void activeChanged();
    void currentRowChanged();

private:
    void setMatches(qsizetype start, QStringList users);

    QPointer<ChannelStore> m_store;
    QStringList m_users;       // what is offered
    QList<bool> m_online;      // of each
    QString m_text;            // the composer's, as last told
    int m_cursor = 0;
    qsizetype m_start = -1;    // the "@" of the mention being typed
    qsizetype m_dismissed = -1; // the "@" whose offer Esc closed
    int m_current = 0;
};

} // namespace rill::client
