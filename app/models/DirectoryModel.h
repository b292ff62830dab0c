#pragma once

#include <QAbstractListModel>
#include <QSet>
#include <QtQmlIntegration>

namespace rill::client {

// Every public channel on the server (the channel browser), and whether the user is in it.
class DirectoryModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The workspace fills the directory")
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(bool loading READ isLoading NOTIFY loadingChanged)

public:
    enum Role { NameRole = Qt::UserRole + 1, MembersRole, JoinedRole };
    Q_ENUM(Role)

    struct Entry {
        QString name;
        qint64 members = 0;
    };

    explicit DirectoryModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    void setEntries(QList<Entry> entries);
    void setJoined(const QSet<QString> &joined);
    void setLoading(bool loading);

    [[nodiscard]] int count() const { return rowCount(); }
    [[nodiscard]] bool isLoading() const { return m_loading; }
    // What the browser would create for what was typed ("#Design" is "design"); empty when it
    // is no channel name at all ("design team"), so the browser never offers it.
    [[nodiscard]] Q_INVOKABLE static QString channelNameFor(const QString &typed);

Q_SIGNALS:
    void countChanged();
    void loadingChanged();

private:
    QList<Entry> m_entries;
    QSet<QString> m_joined;
    bool m_loading = false;
};

} // namespace rill::client
