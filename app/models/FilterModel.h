#pragma once

#include <QSortFilterProxyModel>
#include <QtQmlIntegration>

namespace rill::client {

// A text filter for QML lists (the quick switcher, the channel browser): keeps the rows whose
// `filterRoleName` contains the text, case-insensitively, and ranks prefix matches first.
class FilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QString text READ text WRITE setText NOTIFY textChanged)
    Q_PROPERTY(QString filterRoleName READ filterRoleName WRITE setFilterRoleName NOTIFY filterRoleNameChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    explicit FilterModel(QObject *parent = nullptr);

    [[nodiscard]] QString text() const { return m_text; }
    void setText(const QString &text);
    [[nodiscard]] QString filterRoleName() const { return m_roleName; }
    void setFilterRoleName(const QString &name);
    [[nodiscard]] int count() const { return rowCount(); }
    // The source row behind a row of this model (for "activate the selected entry").
    Q_INVOKABLE int sourceRow(int row) const;
    Q_INVOKABLE QVariant get(int row, const QString &roleName) const;

Q_SIGNALS:
    void textChanged();
    void filterRoleNameChanged();
    void countChanged();

protected:
    [[nodiscard]] bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    [[nodiscard]] bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    [[nodiscard]] QString needle() const;
    [[nodiscard]] int role() const;
    QString m_text;
    QString m_roleName = QStringLiteral("name");
};

} // namespace rill::client
